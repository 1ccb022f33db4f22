import { ensureAttemptPartitions } from '@app/domain';
import { createWebhook, type BenchDatabase } from '../lib/database';
import { insertTenants, TENANT_BATCH, tenantWebhooksSql, vacuumAnalyze } from '../lib/tenants-seed';

/**
 * Each tenant's endpoints: `endpoint 1` takes every event, 2–4 one family each, so that an
 * event of the tenant fans out to exactly two of them (endpoint 1 and its family's).
 */
export const HOOKS_PER_TENANT = 4;
const FAMILIES = `CASE h WHEN 1 THEN '{*}'::text[] WHEN 2 THEN '{order.*}'::text[]
                         WHEN 3 THEN '{invoice.*}'::text[] ELSE '{customer.*}'::text[] END`;
/** The endpoint (2–4) of the family of the event type in `column`. */
const familyHook = (column: string): string =>
  `CASE split_part(${column}, '.', 1) WHEN 'order' THEN 2 WHEN 'invoice' THEN 3 ELSE 4 END`;
export const EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.shipped',
  'invoice.paid',
  'invoice.failed',
  'customer.updated',
];
/** The history spans this many days (the default retention), oldest first. */
export const DAYS = 30;
/** Events a statement: 100,000 deliveries, well within the data source's 60 s timeout. */
const EVENTS_PER_STATEMENT = 50_000;
export const PLATFORM_HOOKS = 10;
/** The platform's own direct deliveries, beside the tenants': this share of `deliveries`. */
const PLATFORM_SHARE = 0.05;

/**
 * Deliveries with their attempts, from `fan`: a query of rows (webhook_id, tenant_id,
 * event_id, event_type, payload, created_at, r, r2), r and r2 uniform in [0, 1), which
 * may read the CTEs `before` defines (a data-modifying CTE must be at the top). Status
 * by r: 90 % succeeded (8 % of them at the second try), 7 % failed after 5 attempts, 3 %
 * pending, due again within 10 minutes after 1 or 2 failed attempts (no worker runs). Each
 * attempt stores the request's head only, as the sender does (the API puts the payload
 * back), and its response: 200, or a 503 / a refused connection.
 */
function deliveriesWithAttempts(fan: string, before?: string): string {
  const status = `CASE WHEN f.r < 0.90 THEN 'succeeded' WHEN f.r < 0.97 THEN 'failed'
                       ELSE 'pending' END`;
  const attempts = `CASE WHEN f.r < 0.90 THEN CASE WHEN f.r2 < 0.08 THEN 2 ELSE 1 END
                         WHEN f.r < 0.97 THEN 5 ELSE 1 + floor(f.r2 * 2)::int END`;
  // Retries 10 s, 20 s, 40 s, 80 s apart: the a-th attempt (from 1) at (2^(a-1) - 1) × 10 s.
  const at = (n: string, base: string): string =>
    `${base} + (power(2, ${n} - 1) - 1) * interval '10 s'`;
  return `WITH ${before ? `${before},` : ''} f AS MATERIALIZED (${fan}),
    d AS (
      INSERT INTO deliveries (webhook_id, tenant_id, event_id, event_type, payload, status,
        delivery_attempts, scheduled_at, created_at, updated_at)
      SELECT f.webhook_id, f.tenant_id, f.event_id, f.event_type, f.payload, s.status, s.n,
             CASE WHEN s.status = 'pending' THEN now() + f.r2 * interval '10 minutes'
                  ELSE f.created_at END,
             f.created_at, ${at('s.n', 'f.created_at')}
      FROM f CROSS JOIN LATERAL (SELECT ${status} AS status, ${attempts} AS n) s
      RETURNING id, webhook_id, tenant_id, status, delivery_attempts, created_at)
    INSERT INTO delivery_attempts (webhook_id, delivery_id, tenant_id, raw_request,
      raw_response, response_status_code, execution_duration, success, error, created_at,
      request_body_omitted)
    SELECT d.webhook_id, d.id, d.tenant_id,
           E'POST /hook HTTP/1.1\\r\\nhost: 127.0.0.1:9\\r\\ncontent-type: application/json\\r\\n'
             || E'user-agent: postmand\\r\\nwebhook-id: ' || d.id
             || E'\\r\\nwebhook-timestamp: ' || extract(epoch FROM d.created_at)::bigint
             || E'\\r\\nwebhook-signature: v1,' || md5(d.id::text) || md5(a::text)
             || E'\\r\\n\\r\\n',
           CASE WHEN o.ok THEN E'HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\n\\r\\n{"ok":true}'
                WHEN o.refused THEN ''
                ELSE E'HTTP/1.1 503 Service Unavailable\\r\\ncontent-length: 0\\r\\n\\r\\n' END,
           CASE WHEN o.ok THEN 200 WHEN o.refused THEN 0 ELSE 503 END,
           CASE WHEN o.refused THEN 1 ELSE 20 + (random() * 180)::int END,
           o.ok, CASE WHEN o.refused THEN 'connect ECONNREFUSED 127.0.0.1:9' ELSE '' END,
           ${at('a', 'd.created_at')}, true
    FROM d CROSS JOIN LATERAL generate_series(1, d.delivery_attempts) a
    CROSS JOIN LATERAL (SELECT d.status = 'succeeded' AND a = d.delivery_attempts AS ok,
                               d.status <> 'succeeded' AND a % 3 = 0 AS refused) o`;
}

/**
 * Events $1…$2 of $6 over the last DAYS days, each of a tenant among $3 (tenant k with
 * weight ∝ 1/√k: t1 has about 3 % of them, the median tenant 0.07 %), fanned out to two
 * of its endpoints.
 */
const TENANT_EVENTS = deliveriesWithAttempts(
  `SELECT w.id AS webhook_id, ev.tenant_id, ev.id AS event_id, ev.event_type,
          NULL::text AS payload, ev.created_at, random() AS r, random() AS r2
   FROM ev CROSS JOIN LATERAL (VALUES (1), (${familyHook('ev.event_type')})) x(h)
   JOIN webhooks w ON w.tenant_id = ev.tenant_id AND w.name = 'endpoint ' || x.h`,
  `ev AS (
     INSERT INTO events (id, event_type, payload, delivery_count, scheduled_at, created_at,
       tenant_id)
     SELECT gen_random_uuid(), s.type,
            '{"type":"' || s.type || '","id":"evt_' || s.e || '","data":{"amount":'
              || (s.e % 10000) || ',"currency":"EUR","customer":"cus_' || (s.e % 977) || '"}}',
            2, s.at, s.at, 't' || (1 + floor($3 * s.k ^ 2)::int)
     FROM (SELECT e, ($4::text[])[1 + e % $5] AS type, random() AS k,
                  now() - interval '${DAYS} days' + e * (interval '${DAYS} days' / $6) AS at
           FROM generate_series($1::int, $2::int) e) s
     RETURNING id, event_type, tenant_id, created_at)`,
);

/** $2 direct deliveries (their own payload) spread over the platform's webhooks $1. */
const PLATFORM_DELIVERIES = deliveriesWithAttempts(
  `  SELECT ($1::uuid[])[1 + g % cardinality($1::uuid[])] AS webhook_id,
         NULL::varchar AS tenant_id, NULL::uuid AS event_id, NULL::text AS event_type,
         '{"job":' || g || ',"state":"done"}' AS payload,
         now() - interval '${DAYS} days' + g * (interval '${DAYS} days' / $2) AS created_at,
         random() AS r, random() AS r2
  FROM generate_series(1, $2::int) g`,
);

export interface Seeded {
  seconds: number;
  /** Seconds per phase, in order. */
  phases: [string, number][];
  tenantDeliveries: number;
  platformDeliveries: number;
  attempts: number;
  events: number;
  /** Deliveries per tenant: fewest, median, most. */
  perTenant: { min: number; median: number; max: number };
}

/**
 * A month of history in a fresh database, through SQL in bulk: `tenants` tenants t1…tN
 * with HOOKS_PER_TENANT endpoints each, `deliveries / 2` events fanned out to
 * `deliveries` deliveries, with their attempts; PLATFORM_HOOKS webhooks of the platform
 * (no tenant) with direct deliveries of their own; then VACUUM ANALYZE. The attempts'
 * daily partitions exist for the whole month, as a worker running through it leaves them.
 */
export async function seedPortal(
  db: BenchDatabase,
  tenants: number,
  deliveries: number,
): Promise<Seeded> {
  const q = db.dataSource;
  const phases: [string, number][] = [];
  const started = Date.now();
  let last = started;
  const phase = (name: string): void => {
    const now = Date.now();
    phases.push([name, (now - last) / 1000]);
    last = now;
  };
  await ensureAttemptPartitions(q, new Date(Date.now() - (DAYS + 1) * 86_400_000));
  await insertTenants(db, tenants);
  const webhooks = tenantWebhooksSql(HOOKS_PER_TENANT, FAMILIES);
  for (let from = 1; from <= tenants; from += TENANT_BATCH) {
    await q.query(webhooks, [from, Math.min(tenants, from + TENANT_BATCH - 1)]);
  }
  const platformHooks: string[] = [];
  for (let i = 0; i < PLATFORM_HOOKS; i++) {
    platformHooks.push(await createWebhook(db, 'http://127.0.0.1:9/platform'));
  }
  phase('partitions, tenants, webhooks');
  const events = Math.ceil(deliveries / 2);
  for (let from = 1; from <= events; from += EVENTS_PER_STATEMENT) {
    const to = Math.min(events, from + EVENTS_PER_STATEMENT - 1);
    await q.query(TENANT_EVENTS, [from, to, tenants, EVENT_TYPES, EVENT_TYPES.length, events]);
  }
  phase('tenant events, deliveries, attempts');
  const platform = Math.round(deliveries * PLATFORM_SHARE);
  await q.query(PLATFORM_DELIVERIES, [platformHooks, platform]);
  phase('platform deliveries, attempts');
  await vacuumAnalyze(db, [
    'tenants',
    'webhooks',
    'webhook_event_types',
    'events',
    'deliveries',
    'delivery_attempts',
  ]);
  phase('VACUUM ANALYZE');
  const [counts] = await q.query<Record<string, number>[]>(
    `SELECT (SELECT count(*) FROM deliveries WHERE tenant_id IS NOT NULL)::int AS tenant,
            (SELECT count(*) FROM deliveries WHERE tenant_id IS NULL)::int AS platform,
            (SELECT count(*) FROM delivery_attempts)::int AS attempts,
            (SELECT count(*) FROM events)::int AS events`,
  );
  const [spread] = await q.query<{ min: number; median: number; max: number }[]>(
    `SELECT min(n)::int AS min, percentile_disc(0.5) WITHIN GROUP (ORDER BY n)::int AS median,
            max(n)::int AS max
     FROM (SELECT count(*) AS n FROM deliveries WHERE tenant_id IS NOT NULL
           GROUP BY tenant_id) t`,
  );
  return {
    seconds: (Date.now() - started) / 1000,
    phases,
    tenantDeliveries: counts.tenant,
    platformDeliveries: counts.platform,
    attempts: counts.attempts,
    events: counts.events,
    perTenant: spread,
  };
}
