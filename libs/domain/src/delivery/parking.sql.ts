/**
 * Parking at creation (claim.sql.ts explains parking). A delivery created for a webhook
 * that is limited or inactive is parked from the start, so the plain claim never has to
 * walk and set it aside: that cost a second update of every such row (a limited webhook's
 * dispatch ran at 0.5 × an unlimited one's; parked from the start, 1.0 ×).
 *
 * The creating statement takes a key-share lock on those webhooks' rows (the lock the
 * foreign-key check takes anyway; creates never wait for each other, nor for a claim)
 * and marks the ones not marked yet. The lock is what keeps the mark right: the limited
 * claim unmarks a webhook only under FOR UPDATE taken with SKIP LOCKED, which a create's
 * key-share lock excludes; a create that comes after an unmarking waits for its commit,
 * reads the row's latest version and marks it again. An unlimited, active webhook's
 * creates take nothing beyond the foreign key's lock.
 */

/**
 * The CTEs, for the webhooks in `webhookIds` (a set expression), unless `skip` (an SQL
 * boolean) holds.
 */
export function parkingCtes(webhookIds: string, skip = 'false'): string {
  return `held_hooks AS (
     SELECT h.id, h.parked FROM webhooks h
     WHERE h.id IN (${webhookIds}) AND (h.limited OR NOT h.active) AND NOT (${skip})
     ORDER BY h.id
     FOR KEY SHARE
   ),
   held_marked AS (
     UPDATE webhooks w SET parked = true FROM held_hooks p WHERE w.id = p.id AND NOT p.parked
   )`;
}

/** The `parked` value of a new delivery of webhook `webhookId` (an SQL expression). */
export const parkedAtCreation = (webhookId: string): string =>
  `(${webhookId} IN (SELECT id FROM held_hooks))`;

/**
 * A webhook just made limited (max_concurrency, rate_limit or FIFO set on an unlimited
 * one), run after that change has committed, in rounds until one finds nothing left.
 * $1 the webhook, $2 the lease margin in seconds (claim.sql.ts).
 *
 * Attempts the plain claim started before the change are still in flight, and hold no row
 * of webhook_leases: the limited claim would start max_concurrency more beside them. Each
 * is given one, lasting until its attempt timeout (when the request is over, whatever its
 * outcome; its completion, which thinks it unlimited, does not free it sooner). The
 * webhook's pending deliveries are parked, leased or not, and the webhook marked.
 *
 * Parking every one closes the race with a plain claim that began before the change (its
 * snapshot sees the webhook unlimited): a row parked here first no longer passes that
 * claim's re-check of the row; a row it holds is skipped, and a later round, whose
 * snapshot sees its lease, adopts it. Nothing here waits for a lock (SKIP LOCKED, the
 * webhook's row first, as the plain claim does), so it can take part in no deadlock.
 * Returns whether the webhook's row was locked, how many rows it parked and how many
 * unparked pending rows there were (more than it parked: some were locked, go again).
 */
export const ADOPT_PLAIN_LEASES_SQL = `WITH hook AS (
   SELECT w.id FROM webhooks w WHERE w.id = $1 FOR NO KEY UPDATE SKIP LOCKED
 ),
 candidates AS (
   SELECT d.ctid AS row_id FROM deliveries d
   WHERE d.webhook_id IN (SELECT hook.id FROM hook) AND d.status = 'pending' AND NOT d.parked
   FOR UPDATE OF d SKIP LOCKED
 ),
 moved AS (
   UPDATE deliveries d SET parked = true FROM candidates c WHERE d.ctid = c.row_id
   RETURNING d.id, d.lease_expires_at - make_interval(secs => $2) AS attempt_over
 ),
 adopted AS (
   INSERT INTO webhook_leases (delivery_id, webhook_id, expires_at)
   SELECT m.id, $1, m.attempt_over FROM moved m WHERE m.attempt_over > now()
   ON CONFLICT (delivery_id) DO NOTHING
 ),
 marked AS (
   UPDATE webhooks w SET parked = true
   FROM hook WHERE w.id = hook.id AND EXISTS (SELECT 1 FROM moved)
 )
 SELECT EXISTS (SELECT 1 FROM hook) AS locked,
        (SELECT count(*) FROM moved)::int AS moved,
        (SELECT count(*) FROM deliveries d
         WHERE d.webhook_id = $1 AND d.status = 'pending' AND NOT d.parked)::int AS seen`;
