// npm run bench:tenants -- [tenants] [requests]: the cost of publishing for one tenant
// and of its lists (SPEC §11), with 100,000 tenants × 10 webhooks (1,000,000 webhooks)
// in the database beside the same with one tenant of 10 webhooks. A `postmand server`
// (no worker) per database; each request is timed from the client, sequentially, after
// a warm-up: the first request after the process started is reported on its own.
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase, type BenchDatabase } from './lib/database';
import { startServer, type ApiServer } from './lib/processes';
import { percentile } from './lib/util';

const WEBHOOKS_PER_TENANT = 10;
const WARM_UP = 20;

interface Figures {
  first: number;
  p50: number;
  p95: number;
}

/**
 * `tenants` tenants `t0000001`… with 10 webhooks each, subscribed to `invoice.*` (so an
 * `invoice.paid` event matches all 10), and one delivery per webhook with its tenant.
 * Rows are written by SQL in batches; the trigger keeps webhook_event_types as the API's
 * creates do.
 */
async function seed(db: BenchDatabase, tenants: number): Promise<void> {
  const q = db.dataSource;
  const batch = 10_000;
  for (let from = 1; from <= tenants; from += batch) {
    const to = Math.min(tenants, from + batch - 1);
    await q.query(
      `INSERT INTO tenants (id, name)
       SELECT 't' || lpad(g::text, 7, '0'), 'Tenant ' || g FROM generate_series($1::int, $2::int) g`,
      [from, to],
    );
    await q.query(
      `INSERT INTO webhooks (id, name, url, content_type, valid_status_codes,
         max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff,
         retry_max_backoff, event_types, tenant_id)
       SELECT gen_random_uuid(), 'hook ' || h, 'https://example.com/' || g || '/' || h,
              'application/json', '{200}', 5, 10, 10, 3600, '{invoice.*}',
              't' || lpad(g::text, 7, '0')
       FROM generate_series($1::int, $2::int) g, generate_series(1, ${WEBHOOKS_PER_TENANT}) h`,
      [from, to],
    );
  }
  await q.query(
    `INSERT INTO deliveries (id, webhook_id, tenant_id, payload, scheduled_at, status)
     SELECT gen_random_uuid(), w.id, w.tenant_id, '{"seeded":true}',
            now() + interval '1 day', 'succeeded'
     FROM webhooks w`,
  );
  await q.query(`VACUUM ANALYZE`);
}

const tenantId = (n: number): string => `t${String(n).padStart(7, '0')}`;

/** Times `count` sequential requests (after the warm-up), `request(i)` for the i-th. */
async function timed(
  count: number,
  request: (i: number) => Promise<Response>,
  expected: number,
): Promise<Figures> {
  const ms: number[] = [];
  for (let i = 0; i < WARM_UP + count + 1; i++) {
    const started = process.hrtime.bigint();
    const res = await request(i);
    const body = await res.text();
    if (res.status !== expected) throw new Error(`answered ${res.status}: ${body.slice(0, 300)}`);
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const first = ms[0];
  const steady = ms.slice(WARM_UP + 1).sort((a, b) => a - b);
  return { first, p50: percentile(steady, 50), p95: percentile(steady, 95) };
}

async function measure(
  serverUrl: string,
  tenants: number,
  requests: number,
): Promise<Record<string, Figures>> {
  const db = await createBenchDatabase(serverUrl);
  let server: ApiServer | undefined;
  try {
    const seeding = Date.now();
    await seed(db, tenants);
    console.error(`seeded ${tenants} tenants in ${Math.round((Date.now() - seeding) / 1000)} s`);
    server = await startServer(db.url);
    const url = server.url;
    // A different tenant each time (a random walk over all of them), so that no one
    // tenant's pages stay cached; the first request is the process's first publish.
    const pick = (i: number): string => tenantId(1 + ((i * 7919) % tenants));
    const json = { 'content-type': 'application/json' };
    const publish = await timed(
      requests,
      (i) =>
        fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            event_type: 'invoice.paid',
            tenant_id: pick(i),
            payload: JSON.stringify({ invoice: i, amount: 4200 }),
          }),
        }),
      201,
    );
    const webhooks = await timed(
      requests,
      (i) => fetch(`${url}/v1/webhooks?tenant_id=${pick(i)}`),
      200,
    );
    const deliveries = await timed(
      requests,
      (i) => fetch(`${url}/v1/deliveries?tenant_id=${pick(i)}&limit=50`),
      200,
    );
    return { publish, webhooks, deliveries };
  } finally {
    await server?.process.stop();
    await db.drop();
  }
}

const fmt = (n: number): string => n.toFixed(1);

async function main(): Promise<void> {
  const [tenantsArg, requestsArg] = process.argv.slice(2);
  const tenants = Number(tenantsArg ?? 100_000);
  const requests = Number(requestsArg ?? 300);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const small = await measure(server.url, 1, requests);
  const big = await measure(server.url, tenants, requests);
  console.log(
    `| request | ${WEBHOOKS_PER_TENANT} webhooks: first / p50 / p95 ms | ` +
      `${(tenants * WEBHOOKS_PER_TENANT).toLocaleString('en-US')} webhooks: first / p50 / p95 ms | p95 ratio |`,
  );
  console.log(`|---|---|---|---|`);
  const rows: [string, string][] = [
    ['publish', 'POST /v1/events (one tenant, 10 matches)'],
    ['webhooks', 'GET /v1/webhooks?tenant_id=…'],
    ['deliveries', 'GET /v1/deliveries?tenant_id=…'],
  ];
  for (const [key, label] of rows) {
    const s = small[key];
    const b = big[key];
    console.log(
      `| ${label} | ${fmt(s.first)} / ${fmt(s.p50)} / ${fmt(s.p95)} | ` +
        `${fmt(b.first)} / ${fmt(b.p50)} / ${fmt(b.p95)} | ${(b.p95 / s.p95).toFixed(2)} |`,
    );
  }
  if (server.embedded) await server.embedded.server.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
