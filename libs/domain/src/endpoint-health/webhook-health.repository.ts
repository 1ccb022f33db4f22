import { Injectable } from '@nestjs/common';
import type { Sql } from '../common/unit-of-work';
import {
  CIRCUIT_BASE_COOLDOWN_SECONDS,
  DISABLED_REASONS,
  type HealthReport,
  type HealthTransition,
} from './endpoint-health.rules';

export interface HealthSettings {
  circuitFailures: number;
  circuitMaxCooldown: number;
  /** Seconds; 0 = never. */
  disableAfter: number;
}

/**
 * Applies health reports to their webhooks (§7), in the transaction that records the
 * outcomes. $1–$5 the reports; $6 failures that open the circuit, $7 first cool-off, $8
 * longest cool-off, $9 seconds of failing that disable (0 = never), $10 and $11 the
 * disable reasons. Rows are locked in id order, so two workers' batches cannot deadlock.
 *
 * - consecutive_failures: reset by a success, else counted on; failing_since with it.
 * - circuit: opens at $6 failures for $7 s; a failed half-open trial reopens it for twice
 *   the last cool-off (at most $8); a success closes it.
 * - active: false at a 410 Gone, or when failing_since is $9 seconds old.
 */
const HEALTH_SQL = `WITH input AS (
   SELECT * FROM unnest($1::uuid[], $2::int[], $3::bool[], $4::bool[], $5::bool[])
     AS t (id, failures, succeeded, gone, regular)
 ),
 old AS (
   SELECT w.id, w.active, w.consecutive_failures, w.failing_since, w.circuit_open_until,
          w.circuit_cooldown
   FROM webhooks w WHERE w.id IN (SELECT id FROM input)
   ORDER BY w.id
   FOR NO KEY UPDATE
 ),
 counted AS (
   SELECT o.*, i.succeeded, i.gone, i.regular,
          CASE WHEN i.succeeded THEN i.failures
               ELSE o.consecutive_failures + i.failures END AS failures_after
   FROM old o JOIN input i ON i.id = o.id
 ),
 decided AS (
   SELECT c.*,
          CASE WHEN c.failures_after = 0 THEN NULL
               WHEN c.succeeded OR c.failing_since IS NULL THEN now()
               ELSE c.failing_since END AS failing_since_after,
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
 RETURNING w.id, j.regular, j.disabled_by, w.consecutive_failures, w.circuit_cooldown,
           j.circuit_open_until IS NULL AND w.circuit_open_until IS NOT NULL AS opened,
           j.circuit_open_until IS NOT NULL AND w.circuit_open_until IS NULL AS closed`;

interface TransitionRow {
  id: string;
  regular: boolean;
  disabled_by: string | null;
  consecutive_failures: number;
  circuit_cooldown: number | null;
  opened: boolean;
  closed: boolean;
}

@Injectable()
export class WebhookHealthRepository {
  /** Writes what the reports change; returns the transitions operational events report. */
  async apply(
    reports: readonly HealthReport[],
    settings: HealthSettings,
    sql: Sql,
  ): Promise<HealthTransition[]> {
    if (reports.length === 0) return [];
    const [rows] = await sql.query<[TransitionRow[], number]>(HEALTH_SQL, [
      reports.map((r) => r.webhookId),
      reports.map((r) => r.failures),
      reports.map((r) => r.succeeded),
      reports.map((r) => r.gone),
      reports.map((r) => r.regular),
      settings.circuitFailures,
      CIRCUIT_BASE_COOLDOWN_SECONDS,
      settings.circuitMaxCooldown,
      settings.disableAfter,
      DISABLED_REASONS.gone,
      DISABLED_REASONS.failing(settings.disableAfter),
    ]);
    const transitions: HealthTransition[] = [];
    for (const row of rows) {
      const base = { webhookId: row.id, regular: row.regular };
      if (row.opened) {
        transitions.push({
          ...base,
          kind: 'circuit_opened',
          reason: `${row.consecutive_failures} consecutive failed attempts; deliveries wait ${row.circuit_cooldown} s`,
        });
      }
      if (row.closed) {
        transitions.push({ ...base, kind: 'circuit_closed', reason: 'an attempt succeeded' });
      }
      if (row.disabled_by) transitions.push({ ...base, kind: 'disabled', reason: row.disabled_by });
    }
    return transitions;
  }
}
