import { failingSinceAfter, failuresAfter, lockedForHealth } from '../endpoint-health/health.sql';

/**
 * The completion statements (§4, §7): an attempt's outcome is written where the delivery
 * still carries the lease it was claimed with, and nowhere else.
 */

/**
 * Records a batch of outcomes in one statement. $1–$12 the outcomes, column by column;
 * $13, with `release`, the limited deliveries among them. Each attempt row and its
 * delivery's update go together, and only where `lease_owner` is still the one the
 * outcome was claimed with: an outcome of a delivery deleted or re-leased meanwhile
 * matches no row and is dropped. Each attempt carries its delivery's tenant (§11), read
 * from the row the update writes anyway (no lookup of its own). Returns the ids of the
 * deliveries recorded, with their tenants.
 *
 * - `release`: limited deliveries free their slot (their webhook_leases row) with their
 *   outcome.
 * - `heal`: a success resets its webhook's count of failures in a row, even when the
 *   webhook was healthy at claim time and other workers' failures came in since (the
 *   batches that apply the circuit breaker do this themselves, in HEALTH_SQL). No write
 *   when it is healthy, and an open circuit is left to those batches. The rule is
 *   HEALTH_SQL's own (health.sql.ts), for a webhook whose outcomes here all succeeded
 *   with no failure after them: the expressions fold to 0 and NULL when planned.
 */
export function completionSql({ release, heal }: { release: boolean; heal: boolean }): string {
  const released = release
    ? `, released AS (
         DELETE FROM webhook_leases
         WHERE delivery_id = ANY($13::uuid[]) AND delivery_id IN (SELECT id FROM updated)
       )`
    : '';
  const failures = failuresAfter('w', 'true', '0');
  const healed = heal
    ? `, healed AS (
         UPDATE webhooks w
         SET consecutive_failures = ${failures},
             failing_since = ${failingSinceAfter('w', 'true', failures)}
         FROM (${lockedForHealth(
           'h',
           'h.id',
           `h.id IN (SELECT u.webhook_id FROM updated u
                     JOIN input i ON i.delivery_id = u.id WHERE i.success)
              AND h.consecutive_failures > 0 AND h.circuit_open_until IS NULL`,
         )}) h
         WHERE w.id = h.id
       )`
    : '';
  return `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::uuid[],
                              $6::text[], $7::text[], $8::int[], $9::int[], $10::bool[],
                              $11::text[], $12::bool[])
           AS t(delivery_id, lease_owner, status, retry_in_seconds, attempt_id, raw_request,
                raw_response, response_status_code, execution_duration, success, error,
                request_body_omitted)
       ),
       updated AS (
         UPDATE deliveries d
         SET delivery_attempts = d.delivery_attempts + 1,
             status = i.status,
             scheduled_at = CASE WHEN i.retry_in_seconds IS NULL THEN d.scheduled_at
                                 ELSE now() + make_interval(secs => i.retry_in_seconds) END,
             lease_owner = NULL,
             lease_expires_at = NULL,
             updated_at = now()
         FROM input i
         WHERE d.id = i.delivery_id AND d.lease_owner = i.lease_owner
         RETURNING d.id, d.webhook_id, d.tenant_id
       )${released}${healed}
       INSERT INTO delivery_attempts (id, webhook_id, delivery_id, raw_request, raw_response,
                                      response_status_code, execution_duration, success, error,
                                      request_body_omitted, tenant_id)
       SELECT i.attempt_id, u.webhook_id, u.id, i.raw_request, i.raw_response,
              i.response_status_code, i.execution_duration, i.success, i.error,
              i.request_body_omitted, u.tenant_id
       FROM updated u JOIN input i ON i.delivery_id = u.id
       RETURNING delivery_id, tenant_id`;
}

/**
 * Deletes up to $1 webhook_leases rows that ran out over an hour ago (their worker died,
 * and the delivery was finished another way): they no longer count, this only keeps the
 * table small. Skips rows another worker is deleting. Its row count is how many went.
 */
export const PURGE_EXPIRED_LEASES_SQL = `DELETE FROM webhook_leases WHERE delivery_id IN (
           SELECT delivery_id FROM webhook_leases WHERE expires_at <= now() - interval '1 hour'
           LIMIT $1 FOR UPDATE SKIP LOCKED)`;
