/**
 * The claim statements (§4, §7). Two claims share each claim transaction:
 *
 * - the plain claim walks the due index, oldest `scheduled_at` first, and leases what it
 *   meets, except deliveries of limited or inactive webhooks: those it sets aside once
 *   ("parks" them: out of the due index, so they never clog its walk again) and marks
 *   their webhook;
 * - the limited claim serves marked webhooks in turn (round them in id order), each
 *   locked while it counts what it may take: free concurrency slots (live rows of
 *   webhook_leases), rate tokens (GCRA on one timestamp), one at a time for FIFO and for
 *   a half-open circuit's trial.
 *
 * A webhook that is neither limited nor inactive never meets the limited claim, unless it
 * still has parked deliveries from a time when it was (re-enabled, circuit closed, limits
 * removed): the limited claim drains those without a cap.
 */

/** Seconds a lease outlives the attempt timeout: time to record the outcome. */
export const LEASE_MARGIN_SECONDS = 30;

/**
 * Run in the claim's transaction first. The one good plan walks the due index in order
 * and stops after `limit` rows; with thin statistics (a new or never-analysed table) the
 * planner may instead fetch every pending row and sort them. Sorting ruled out, it cannot
 * (incremental sorting too: with many webhooks in the statistics, it read a webhook's
 * whole backlog through another index and sorted it by `scheduled_at`, 600 ms a claim).
 * The penalty that rules it out also lifts the cost of the few small sorts the limited
 * claim needs past jit_above_cost, and compiling that statement took a second: no JIT.
 * Every join of a claim is a few rows found through an index, but a prepared (generic)
 * plan cannot know how few: it hash-joined the limited claim's hundred rows with every
 * webhook and every delivery (11 ms at 10,000 webhooks; 0.3 ms as nested loops).
 */
export const CLAIM_SETTINGS = `SELECT set_config('enable_sort', 'off', true),
                                      set_config('enable_incremental_sort', 'off', true),
                                      set_config('enable_hashjoin', 'off', true),
                                      set_config('enable_mergejoin', 'off', true),
                                      set_config('jit', 'off', true)`;

/** The delivery row `alias` has no live lease. */
export const unleased = (alias = 'd'): string =>
  `(${alias}.lease_expires_at IS NULL OR ${alias}.lease_expires_at <= now())`;
const UNLEASED = unleased();

/**
 * Claimable once due by the plain claim, for a row `d`: pending, not parked, no live
 * lease, its webhook active. DUE_NOW adds: scheduled_at reached.
 */
export const CLAIMABLE = `d.status = 'pending' AND NOT d.parked AND ${UNLEASED}
     AND (SELECT w.active FROM webhooks w WHERE w.id = d.webhook_id)`;
export const DUE_NOW = `${CLAIMABLE} AND d.scheduled_at <= now()`;
/** Parked and due: waiting for room in the limits of an active webhook. */
export const PARKED_DUE_NOW = `d.status = 'pending' AND d.parked AND ${UNLEASED}
     AND d.scheduled_at <= now()
     AND (SELECT w.active FROM webhooks w WHERE w.id = d.webhook_id)`;

/**
 * The payload of delivery `d`: its own, or its event's (fan-out deliveries store none:
 * the event's is stored once). A scalar sub-select by the event's key, read only for the
 * rows the claim returns.
 */
const PAYLOAD = `coalesce(d.payload, (SELECT e.payload FROM events e WHERE e.id = d.event_id))`;

/**
 * The delivery's columns as the worker needs them (its payload as `payload`); the
 * webhook's with a "webhook__" prefix, its previous secrets only while they still sign
 * (null, at no cost, for the webhooks never rotated), its tenant from its own row (the
 * sender guards a tenant's webhooks: §16), not the delivery's copy.
 */
const returned = (payload = PAYLOAD): string => `d.id, d.webhook_id,
           ${payload} AS payload, d.delivery_attempts, d.lease_owner,
           d.event_id, d.event_type,
           w.id AS webhook__id, w.url AS webhook__url, w.content_type AS webhook__content_type,
           w.valid_status_codes AS webhook__valid_status_codes,
           w.secret_token AS webhook__secret_token,
           CASE WHEN w.previous_secrets IS NOT NULL THEN
             (SELECT jsonb_agg(e.s ORDER BY e.ord)
              FROM jsonb_array_elements(w.previous_secrets) WITH ORDINALITY AS e(s, ord)
              WHERE (e.s->>'expires_at')::timestamptz > now())
           END AS webhook__previous_secrets,
           w.max_delivery_attempts AS webhook__max_delivery_attempts,
           w.delivery_attempt_timeout AS webhook__delivery_attempt_timeout,
           w.retry_min_backoff AS webhook__retry_min_backoff,
           w.retry_max_backoff AS webhook__retry_max_backoff,
           w.consecutive_failures AS webhook__consecutive_failures,
           w.circuit_open_until AS webhook__circuit_open_until,
           w.tenant_id AS webhook__tenant_id`;

const LEASE = (owner: string, margin: string): string =>
  `lease_owner = ${owner} || '/' || gen_random_uuid(),
     lease_expires_at = now() + make_interval(secs => w.delivery_attempt_timeout + ${margin})`;

/**
 * Most webhooks one plain claim's walk looks at (WALK): an index probe each, a few µs.
 * Webhooks whose pending deliveries all wait for later (retries) take steps and offer
 * nothing, so the walk looks well past the batch's worth of ready ones it stops at.
 */
export const WALK_STEPS = 256;

/** Pending, not parked, not leased: a row `d` the plain claim may take once it is due. */
const OPEN = `d.status = 'pending' AND NOT d.parked AND ${UNLEASED}`;

/**
 * The walk of the webhooks that have unparked pending deliveries, in id order, from after
 * $4 (a webhook id; the nil uuid: from the first), round to the start and up to $4 again:
 * one index probe per webhook (the first entry after the last webhook's in
 * deliveries_unparked_webhook_id_scheduled_at_idx, a loose index scan), whatever the
 * number of deliveries each has. A webhook is `ready` when its oldest such delivery is
 * due. The walk stops after $5 webhooks or when $2 ready ones are found.
 */
const WALK = `walk (webhook_id, first_at, wrapped, n, ready) AS (
   SELECT s.webhook_id, s.scheduled_at, s.wrapped, 1, (s.scheduled_at <= now())::int
   FROM ((SELECT d.webhook_id, d.scheduled_at, false AS wrapped FROM deliveries d
          WHERE d.status = 'pending' AND NOT d.parked AND d.webhook_id > $4::uuid
          ORDER BY d.webhook_id, d.scheduled_at LIMIT 1)
         UNION ALL
         (SELECT d.webhook_id, d.scheduled_at, true FROM deliveries d
          WHERE d.status = 'pending' AND NOT d.parked AND d.webhook_id <= $4::uuid
          ORDER BY d.webhook_id, d.scheduled_at LIMIT 1)
         LIMIT 1) s
   UNION ALL
   SELECT x.webhook_id, x.scheduled_at, x.wrapped, w.n + 1,
          w.ready + (x.scheduled_at <= now())::int
   FROM walk w CROSS JOIN LATERAL (
     (SELECT d.webhook_id, d.scheduled_at, w.wrapped AS wrapped FROM deliveries d
      WHERE d.status = 'pending' AND NOT d.parked AND d.webhook_id > w.webhook_id
        -- a bound of the index scan, not a filter: as a filter, the last probe of a walk
        -- that came round read every entry above $4.
        AND d.webhook_id <= CASE WHEN w.wrapped THEN $4::uuid
                                 ELSE 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid END
      ORDER BY d.webhook_id, d.scheduled_at LIMIT 1)
     UNION ALL
     (SELECT d.webhook_id, d.scheduled_at, true FROM deliveries d
      WHERE NOT w.wrapped AND d.status = 'pending' AND NOT d.parked
        AND d.webhook_id <= $4::uuid
      ORDER BY d.webhook_id, d.scheduled_at LIMIT 1)
     LIMIT 1) x
   WHERE w.n < $5 AND w.ready < $2
 )`;

/**
 * The plain claim. $1 worker id, $2 batch size, $3 lease margin in seconds, $4 where this
 * worker's walk (WALK) starts, $5 WALK_STEPS. Returns the leased deliveries (`leased`
 * true) and the parked ones (`leased` false, no payload), each with `walk_end`, where the
 * next pass's walk starts.
 *
 * Fair (§4): the batch is shared between the webhooks that have due work. The walk finds
 * them; each ready one offers its oldest due deliveries, as many as an equal share of the
 * batch (`fair`); the oldest due deliveries of any webhook fill what they leave (`plain`,
 * the due index in `scheduled_at` order: a webhook past the walk's reach still gets sent).
 * Of these, each webhook's first goes before any webhook's second, and so on, oldest
 * first between equals. A webhook alone gets the whole batch; behind a million deliveries
 * of one webhook, another's new delivery is in the next pass. Each worker's walk goes on
 * from where its last one ended, so every webhook's turn comes.
 */
export const CLAIM_SQL = `WITH RECURSIVE ${WALK},
 -- The ready webhooks and their shares: the batch split as evenly as it goes, the
 -- first ones in the walk taking the odd rows, so that no more rows are locked than the
 -- batch holds (the walk stops at $2 ready ones: every share is at least 1).
 ready AS MATERIALIZED (
   SELECT r.webhook_id, r.n,
          ($2 / r.c + CASE WHEN r.k <= $2 % r.c THEN 1 ELSE 0 END)::int AS share
   FROM (SELECT w.webhook_id, w.n, row_number() OVER (ORDER BY w.n) AS k, count(*) OVER () AS c
         FROM walk w WHERE w.first_at <= now()) r
 ),
 -- Each ready webhook's share, through its own range of the index: the row comparisons
 -- (not webhook_id = …, which the planner matched to the due index and a filter that read
 -- the whole backlog of the busiest webhook) pin it to that index.
 fair AS MATERIALIZED (
   SELECT x.ctid AS row_id, x.webhook_id, x.scheduled_at, x.lease_owner IS NOT NULL AS reclaimed
   FROM ready r CROSS JOIN LATERAL (
     SELECT d.ctid, d.webhook_id, d.scheduled_at, d.lease_owner FROM deliveries d
     WHERE (d.webhook_id, d.scheduled_at) >= (r.webhook_id, '-infinity'::timestamptz)
       AND (d.webhook_id, d.scheduled_at) <= (r.webhook_id, now())
       AND ${OPEN}
     ORDER BY d.webhook_id, d.scheduled_at
     LIMIT r.share
     FOR UPDATE OF d SKIP LOCKED) x
 ),
 -- deliveries alone: joined here, webhooks invited a plan that fetched every
 -- pending row of a webhook and sorted them (60+ ms per claim at 50,000 rows).
 plain AS MATERIALIZED (
   SELECT d.ctid AS row_id, d.webhook_id, d.scheduled_at, d.lease_owner IS NOT NULL AS reclaimed
   FROM deliveries d
   WHERE ${OPEN} AND d.scheduled_at <= now()
     AND d.ctid <> ALL (ARRAY(SELECT f.row_id FROM fair f))
   ORDER BY d.scheduled_at
   LIMIT greatest(0, $2 - (SELECT count(*) FROM fair))
   FOR UPDATE OF d SKIP LOCKED
 ),
 picked AS (
   SELECT c.row_id, c.webhook_id, c.reclaimed FROM (
     SELECT c.*, row_number() OVER (PARTITION BY c.webhook_id ORDER BY c.scheduled_at) AS turn
     FROM (SELECT * FROM fair UNION ALL SELECT * FROM plain) c) c
   ORDER BY c.turn, c.scheduled_at
   LIMIT $2
 ),
 -- A scalar sub-select is never flattened into a join.
 due AS MATERIALIZED (
   SELECT p.row_id, p.webhook_id, p.reclaimed,
          (SELECT w.active AND NOT w.limited FROM webhooks w WHERE w.id = p.webhook_id) AS go
   FROM picked p
 ),
 -- Where the next pass's walk starts: after the last webhook this one looked at (when
 -- it stopped on a batch's worth of ready webhooks, the last of those).
 walk_end AS (SELECT w.webhook_id FROM walk w WHERE w.n = (SELECT max(n) FROM walk)),
 -- The webhooks of the deliveries to set aside, where their row can be locked at once
 -- (one being deleted keeps its row locked: its deliveries are left as they are). The
 -- mark is read from the locked row, its latest version: a limited claim may have
 -- unmarked it after this statement's snapshot.
 held AS (
   SELECT w.id, w.parked FROM webhooks w
   WHERE w.id IN (SELECT due.webhook_id FROM due WHERE NOT due.go)
   FOR NO KEY UPDATE SKIP LOCKED
 ),
 marked AS (
   UPDATE webhooks w SET parked = true FROM held WHERE w.id = held.id AND NOT held.parked
 )
 -- The locked rows cannot move before this statement ends, so their ctid finds
 -- them directly (a TID scan), whatever the size of the table.
 UPDATE deliveries d
 SET lease_owner = CASE WHEN due.go THEN $1 || '/' || gen_random_uuid() END,
     lease_expires_at = CASE WHEN due.go
       THEN now() + make_interval(secs => w.delivery_attempt_timeout + $3) END,
     parked = NOT due.go
 FROM due JOIN webhooks w ON w.id = due.webhook_id
 WHERE d.ctid = due.row_id AND (due.go OR due.webhook_id IN (SELECT held.id FROM held))
 RETURNING ${returned(`CASE WHEN due.go THEN ${PAYLOAD} END`)},
           due.reclaimed, due.go AS leased, false AS limited,
           (SELECT e.webhook_id FROM walk_end e) AS walk_end`;

/** Live leases of the limited webhook `w`. */
const LIVE = `(SELECT count(*) FROM webhook_leases l WHERE l.webhook_id = w.id AND l.expires_at > now())`;
/** Most in flight at once: one for FIFO and for an open (half-open) circuit's trial. */
const CAP = `CASE WHEN w.ordering = 'fifo' OR w.circuit_open_until IS NOT NULL THEN 1
                  ELSE coalesce(w.max_concurrency, 2147483647) END`;
/**
 * Rate tokens (GCRA): the bucket holds one second's worth; rate_tat is when it would be
 * empty again at the limit's pace. Starts allowed now: one per 1/rate of the second
 * ahead that rate_tat leaves free.
 */
const TOKENS = `floor(extract(epoch FROM now() + interval '1 second' - greatest(w.rate_tat, now()))
                      * w.rate_limit + 1e-6)`;
/** The webhook `webhookId` has a parked delivery left (in flight or not, due or not). */
const hasParked = (webhookId: string): string => `coalesce((SELECT true FROM deliveries d
                 WHERE d.webhook_id = ${webhookId} AND d.status = 'pending' AND d.parked
                 LIMIT 1), false)`;
/**
 * Something of `w` could go now: for FIFO its oldest pending delivery is due and free (a
 * head that waits for its retry holds everything back, so the webhook is left alone);
 * otherwise a parked delivery is. Scalar sub-selects, never flattened: as EXISTS, the
 * planner made them one hashed scan of every parked delivery per claim (6 ms at 20,000).
 */
const READY = `CASE WHEN w.ordering = 'fifo' THEN
     coalesce((SELECT p.scheduled_at <= now() AND ${unleased('p')}
               FROM deliveries p WHERE p.webhook_id = w.id AND p.status = 'pending'
               ORDER BY p.created_at, p.id LIMIT 1), false)
   ELSE coalesce((SELECT true FROM deliveries d
                  WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.parked
                    AND d.scheduled_at <= now() AND ${UNLEASED}
                  LIMIT 1), false) END`;
/**
 * A marked webhook for the limited claim: one it may take something from now, or one
 * with no parked delivery left, to unmark.
 */
const SERVABLE = `w.parked AND w.active
   AND ((    (w.circuit_open_until IS NULL OR w.circuit_open_until <= now())
         AND (w.rate_limit IS NULL OR ${TOKENS} >= 1)
         AND ${LIVE} < ${CAP}
         AND ${READY})
        OR NOT ${hasParked('w.id')})`;

/** Is there a webhook for the limited claim? (Asked at most once a second per worker.) */
export const PARKED_WORK_SQL = `SELECT EXISTS (SELECT 1 FROM webhooks w WHERE w.parked AND w.active)
   AS parked`;

/**
 * The limited claim, first statement: locks up to $1 servable webhooks with ids in
 * ($2, $3], in id order (a worker's turn goes round from where its last one ended),
 * skipping those another worker is serving. The counts are read again under the lock by
 * the second statement, whose snapshot sees every lease committed before.
 */
export const LOCK_LIMITED_SQL = `SELECT w.id FROM webhooks w
 WHERE ${SERVABLE} AND w.id > $2::uuid AND w.id <= $3::uuid
 ORDER BY w.id
 LIMIT $1
 FOR NO KEY UPDATE SKIP LOCKED`;

/**
 * The limited claim, second statement. $1 worker id, $2 batch size, $3 lease margin,
 * $4 the locked webhooks in serving order. Each takes what its room allows (the batch
 * shared out in that order): its parked deliveries oldest `scheduled_at` first, or for
 * FIFO its oldest pending delivery (`created_at, id`) if that is due and free: nothing
 * overtakes a head that waits for a retry. Leases are recorded in webhook_leases, rate
 * tokens spent, and a webhook with no parked delivery left (in its snapshot) is unmarked.
 */
export const LIMITED_CLAIM_SQL = `WITH hook AS MATERIALIZED (
   SELECT w.id, w.ordering, k.n,
          greatest(0, least($2, ${CAP} - ${LIVE},
                            CASE WHEN w.rate_limit IS NULL THEN $2 ELSE ${TOKENS} END))::int AS room
   FROM unnest($4::uuid[]) WITH ORDINALITY AS k (id, n) JOIN webhooks w ON w.id = k.id
 ),
 share AS MATERIALIZED (
   SELECT h.id, h.ordering, h.n,
          least(h.room, greatest(0, $2 - coalesce(sum(h.room) OVER (
            ORDER BY h.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))::int AS take
   FROM hook h
 ),
 spread AS (
   SELECT x.ctid AS row_id, x.id, s.id AS webhook_id, x.lease_owner IS NOT NULL AS reclaimed
   FROM share s CROSS JOIN LATERAL (
     SELECT d.ctid, d.id, d.lease_owner FROM deliveries d
     WHERE d.webhook_id = s.id AND d.status = 'pending' AND d.parked
       AND d.scheduled_at <= now() AND ${UNLEASED}
     ORDER BY d.scheduled_at
     LIMIT s.take
     FOR UPDATE OF d SKIP LOCKED
   ) x
   WHERE s.ordering = 'none' AND s.take > 0
 ),
 head AS (
   SELECT d.ctid AS row_id, d.id, d.webhook_id, d.lease_owner IS NOT NULL AS reclaimed
   FROM share s
   CROSS JOIN LATERAL (
     SELECT p.id FROM deliveries p
     WHERE p.webhook_id = s.id AND p.status = 'pending'
     ORDER BY p.created_at, p.id
     LIMIT 1
   ) first
   JOIN deliveries d ON d.id = first.id
   WHERE s.ordering = 'fifo' AND s.take > 0
     AND d.status = 'pending' AND d.scheduled_at <= now() AND ${UNLEASED}
   FOR UPDATE OF d SKIP LOCKED
 ),
 picked AS (SELECT * FROM spread UNION ALL SELECT * FROM head),
 leases AS (
   INSERT INTO webhook_leases (delivery_id, webhook_id, expires_at)
   SELECT p.id, p.webhook_id, now() + make_interval(secs => w.delivery_attempt_timeout + $3)
   FROM picked p JOIN webhooks w ON w.id = p.webhook_id
   ON CONFLICT (delivery_id) DO UPDATE
     SET webhook_id = excluded.webhook_id, expires_at = excluded.expires_at
 ),
 tally AS (
   SELECT s.id, s.take, coalesce(c.taken, 0) AS taken, ${hasParked('s.id')} AS parked
   FROM share s
   LEFT JOIN (SELECT p.webhook_id, count(*) AS taken FROM picked p GROUP BY p.webhook_id) c
     ON c.webhook_id = s.id
 ),
 -- Unmarking must not race a create that parks a delivery: creates hold a key-share
 -- lock on the webhook's row until they commit (parking.sql.ts), so a webhook is
 -- unmarked only when no create holds one (FOR UPDATE conflicts with it; SKIP LOCKED:
 -- try again next time). A create that comes after waits for this commit and marks it.
 emptied AS (
   SELECT w.id FROM webhooks w JOIN tally t ON t.id = w.id
   WHERE NOT t.parked
   FOR UPDATE OF w SKIP LOCKED
 ),
 served AS (
   UPDATE webhooks w
   SET rate_tat = CASE WHEN w.rate_limit IS NULL OR t.taken = 0 THEN w.rate_tat
                       ELSE greatest(w.rate_tat, now())
                            + make_interval(secs => t.taken::float8 / w.rate_limit) END,
       parked = w.parked AND w.id NOT IN (SELECT id FROM emptied)
   FROM tally t
   WHERE w.id = t.id
     AND ((w.rate_limit IS NOT NULL AND t.taken > 0) OR w.id IN (SELECT id FROM emptied))
 )
 UPDATE deliveries d
 SET ${LEASE('$1', '$3')}
 FROM picked p JOIN webhooks w ON w.id = p.webhook_id
 WHERE d.ctid = p.row_id
 RETURNING ${returned()}, p.reclaimed, true AS leased, true AS limited`;

/**
 * Milliseconds (by the database's clock) until the earliest time known to have work:
 * the earliest claimable pending delivery of an active webhook (its own due time; a
 * limited webhook's is parked then, and served), and for marked webhooks, when an open
 * circuit half-opens, when the next rate token comes and when their next parked
 * delivery is due (a retry, a delayed delivery). 0 or less: now. Null: none.
 *
 * Rows due in the last ten seconds count too: a timer can fire a little early (Node's
 * loop clock lags the wall clock under load), so the claim may find nothing while the row
 * becomes due before this query runs; leaving it out would leave that row to the polling
 * backstop. Leased rows (in flight), parked ones and inactive webhooks' rows are not
 * claimable and are left out, or the worker would wake for them again and again.
 */
export const NEXT_DUE_SQL = `SELECT ceil(extract(epoch FROM least(
     (SELECT min(d.scheduled_at) FROM deliveries d
      WHERE ${CLAIMABLE} AND d.scheduled_at > now() - interval '10 seconds'),
     (SELECT min(least(
               CASE WHEN w.circuit_open_until > now() THEN w.circuit_open_until END,
               CASE WHEN w.rate_limit IS NOT NULL
                         AND w.rate_tat - interval '1 second'
                             + make_interval(secs => 1.0 / w.rate_limit) > now()
                    THEN w.rate_tat - interval '1 second'
                         + make_interval(secs => 1.0 / w.rate_limit) END,
               (SELECT min(d.scheduled_at) FROM deliveries d
                WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.parked
                  AND d.scheduled_at > now())))
      FROM webhooks w WHERE w.parked AND w.active)
   ) - now()) * 1000)::bigint AS ms`;
