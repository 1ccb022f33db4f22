/**
 * The endpoint-health statements (§7). Each rule of a webhook's health is written once,
 * here, as an SQL fragment: HEALTH_SQL, which applies a batch's health reports, is made
 * of them, and so is the completion's `healed` step (completion.sql.ts), which applies
 * the first of them to the successes of a batch that needs no health report.
 */

/**
 * The webhooks `where` picks, as `alias` (with `columns`), locked for their health to be
 * written: in id order, so that two workers' batches, which may share webhooks, cannot
 * deadlock.
 */
export const lockedForHealth = (alias: string, columns: string, where: string): string =>
  `SELECT ${columns}
   FROM webhooks ${alias} WHERE ${where}
   ORDER BY ${alias}.id
   FOR NO KEY UPDATE`;

/**
 * A webhook's failures in a row after a batch: a success resets the count, which starts
 * again from the failures after it; without one, the batch's failures add to it. `w` the
 * webhook's row as it was, `succeeded` whether some attempt of the batch succeeded,
 * `failures` its failed attempts after the last success (all of them when none did).
 */
export const failuresAfter = (w: string, succeeded: string, failures: string): string =>
  `CASE WHEN ${succeeded} THEN ${failures}
               ELSE ${w}.consecutive_failures + ${failures} END`;

/**
 * Since when the webhook has been failing, with its count (`failuresAfter`, as above):
 * cleared with the count, reset to now by a success that failures followed (or by the
 * first failure), else kept.
 */
export const failingSinceAfter = (w: string, succeeded: string, failuresAfter: string): string =>
  `CASE WHEN ${failuresAfter} = 0 THEN NULL
               WHEN ${succeeded} OR ${w}.failing_since IS NULL THEN now()
               ELSE ${w}.failing_since END`;

/**
 * Applies health reports to their webhooks (§7), in the transaction that records the
 * outcomes. $1–$5 the reports; $6 failures that open the circuit, $7 first cool-off, $8
 * longest cool-off, $9 seconds of failing that disable (0 = never), $10 and $11 the
 * disable reasons. Rows are locked in id order (lockedForHealth).
 *
 * - consecutive_failures: reset by a success, else counted on; failing_since with it
 *   (failuresAfter, failingSinceAfter).
 * - circuit: opens at $6 failures for $7 s; a failed half-open trial reopens it for twice
 *   the last cool-off (at most $8); a success closes it.
 * - active: false at a 410 Gone, or when failing_since is $9 seconds old.
 */
export const HEALTH_SQL = `WITH input AS (
   SELECT * FROM unnest($1::uuid[], $2::int[], $3::bool[], $4::bool[], $5::bool[])
     AS t (id, failures, succeeded, gone, regular)
 ),
 old AS (
   ${lockedForHealth(
     'w',
     `w.id, w.active, w.consecutive_failures, w.failing_since, w.circuit_open_until,
          w.circuit_cooldown`,
     'w.id IN (SELECT id FROM input)',
   )}
 ),
 counted AS (
   SELECT o.*, i.succeeded, i.gone, i.regular,
          ${failuresAfter('o', 'i.succeeded', 'i.failures')} AS failures_after
   FROM old o JOIN input i ON i.id = o.id
 ),
 decided AS (
   SELECT c.*,
          ${failingSinceAfter('c', 'c.succeeded', 'c.failures_after')} AS failing_since_after,
          CASE WHEN c.failures_after >= $6::int THEN
                 CASE WHEN c.circuit_open_until IS NULL OR c.succeeded THEN $7::int
                      WHEN c.circuit_open_until <= now() THEN least($8::int, c.circuit_cooldown * 2)
                      ELSE c.circuit_cooldown END
               WHEN c.succeeded THEN NULL
               ELSE c.circuit_cooldown END AS cooldown_after,
          CASE WHEN c.failures_after >= $6::int THEN
                 CASE WHEN c.circuit_open_until IS NULL OR c.succeeded THEN now() + make_interval(secs => $7::int)
                      WHEN c.circuit_open_until <= now()
                        THEN now() + make_interval(secs => least($8::int, c.circuit_cooldown * 2))
                      ELSE c.circuit_open_until END
               WHEN c.succeeded THEN NULL
               ELSE c.circuit_open_until END AS open_until_after
   FROM counted c
 ),
 judged AS (
   SELECT d.*,
          CASE WHEN NOT d.active THEN NULL
               WHEN d.gone THEN $10::text
               WHEN $9::int > 0 AND d.failing_since_after <= now() - make_interval(secs => $9::int) THEN $11::text
          END AS disabled_by
   FROM decided d
 )
 UPDATE webhooks w
 SET consecutive_failures = j.failures_after,
     failing_since = j.failing_since_after,
     circuit_cooldown = j.cooldown_after,
     circuit_open_until = j.open_until_after,
     active = w.active AND j.disabled_by IS NULL,
     disabled_reason = coalesce(j.disabled_by, w.disabled_reason)
 FROM judged j
 WHERE w.id = j.id
   AND (w.consecutive_failures, w.failing_since, w.circuit_cooldown, w.circuit_open_until,
        j.disabled_by)
       IS DISTINCT FROM (j.failures_after, j.failing_since_after, j.cooldown_after,
                         j.open_until_after, NULL)
 RETURNING w.id, w.tenant_id, j.regular, j.disabled_by, w.consecutive_failures, w.circuit_cooldown,
           j.circuit_open_until IS NULL AND w.circuit_open_until IS NOT NULL AS opened,
           j.circuit_open_until IS NOT NULL AND w.circuit_open_until IS NULL AS closed`;
