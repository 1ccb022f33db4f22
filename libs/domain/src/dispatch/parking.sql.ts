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
 * boolean) holds. The rows to mark are locked for the update in id order, as every other
 * statement that updates several webhooks locks them: an UPDATE … FROM a set takes its
 * rows in whatever order its join yields them, so two batched creates or publishes
 * marking the same webhooks could each hold one the other waits for (a deadlock, a 500).
 */
export function parkingCtes(webhookIds: string, skip = 'false'): string {
  return `held_hooks AS (
     SELECT h.id, h.parked FROM webhooks h
     WHERE h.id IN (${webhookIds}) AND (h.limited OR NOT h.active) AND NOT (${skip})
     ORDER BY h.id
     FOR KEY SHARE
   ),
   held_marked AS (
     UPDATE webhooks w SET parked = true
     FROM (SELECT m.id FROM webhooks m
           WHERE m.id IN (SELECT id FROM held_hooks WHERE NOT parked)
           ORDER BY m.id
           FOR NO KEY UPDATE) p
     WHERE w.id = p.id
   )`;
}

/** The `parked` value of a new delivery of webhook `webhookId` (an SQL expression). */
export const parkedAtCreation = (webhookId: string): string =>
  `(${webhookId} IN (SELECT id FROM held_hooks))`;

/**
 * A webhook just made limited (max_concurrency, rate_limit or FIFO set on an unlimited
 * one), run after that change has committed, in rounds. $1 the webhook, $2 the lease
 * margin in seconds (claim.sql.ts), $3 the most rows one round takes.
 *
 * Attempts the plain claim started before the change are still in flight (a live lease on
 * a pending, unparked row), and hold no row of webhook_leases: the limited claim would
 * start max_concurrency more beside them. Each is given one, lasting until its attempt
 * timeout (when the request is over, whatever its outcome; its completion, which thinks
 * it unlimited, does not free it sooner). Nothing else is written: the webhook's backlog
 * is parked by the plain claim as it meets it (a batch per claim, the webhook marked), as
 * for any webhook that became limited, so a PUT costs what is in flight, not the backlog.
 *
 * The rows are read, not locked, to find them (the webhook's pending rows, through its
 * index); only the few in flight are locked, FOR SHARE SKIP LOCKED: one a claim or a
 * completion holds is left to a later round, so this waits for no lock and can take part
 * in no deadlock. Returns how many were in flight without a lease (`live`) and how many
 * this round gave one (`adopted`); fewer: some were held, go again.
 */
export const ADOPT_PLAIN_LEASES_SQL = `WITH live AS MATERIALIZED (
   SELECT d.ctid AS row_id FROM deliveries d
   WHERE d.webhook_id = $1 AND d.status = 'pending' AND NOT d.parked
     AND d.lease_expires_at - make_interval(secs => $2) > now()
     AND NOT EXISTS (SELECT 1 FROM webhook_leases l WHERE l.delivery_id = d.id)
 ),
 taken AS (
   SELECT d.id, d.lease_expires_at - make_interval(secs => $2) AS attempt_over
   FROM deliveries d
   WHERE d.ctid = ANY (ARRAY(SELECT row_id FROM live))
     AND d.webhook_id = $1 AND d.status = 'pending' AND NOT d.parked
     AND d.lease_expires_at - make_interval(secs => $2) > now()
   LIMIT $3
   FOR SHARE OF d SKIP LOCKED
 ),
 adopted AS (
   INSERT INTO webhook_leases (delivery_id, webhook_id, expires_at)
   SELECT t.id, $1, t.attempt_over FROM taken t
   ON CONFLICT (delivery_id) DO NOTHING
 )
 SELECT (SELECT count(*) FROM live)::int AS live, (SELECT count(*) FROM taken)::int AS adopted`;

/**
 * The transactions open now in this database but this session's (their virtual ids), and,
 * given such a list as $1, how many of them are still open. A plain claim whose snapshot
 * was taken before a webhook was made limited belongs to a transaction open when that
 * change committed; once none is left, every lease such a claim took is committed and
 * visible to ADOPT_PLAIN_LEASES_SQL. (CREATE INDEX CONCURRENTLY waits for older snapshots
 * the same way.) Autovacuum, which may run long on a large table, is left out where the
 * role may see a session's backend_type (its own sessions, or with pg_read_all_stats);
 * the other columns read are ones pg_locks and pg_stat_activity show any role.
 */
export const OPEN_TRANSACTIONS_SQL = `SELECT coalesce(array_agg(l.virtualxid), '{}') AS open
 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid()
   AND a.datname = current_database() AND a.backend_type IS DISTINCT FROM 'autovacuum worker'`;
export const STILL_OPEN_SQL = `SELECT count(*)::int AS open FROM pg_locks l
 WHERE l.locktype = 'virtualxid' AND l.granted AND l.virtualxid = ANY ($1::text[])`;
