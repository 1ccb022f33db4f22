// npm run bench:tenants -- [tenants] [requests]: §11's cost promise, "publishing for one
// tenant reads only that tenant's subscriptions". POST /v1/events for one tenant that has
// 10 webhooks (all subscribed), on a `server` process with no worker, first on a database
// holding only those 10 webhooks, then on one where `tenants` (default 100,000) tenants
// have 10 webhooks each (1,000,000 webhooks by default), seeded by SQL. Prints p50/p95 of
// each and their ratio (the issue asks for p95 within 1.2×).
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase, type BenchDatabase } from './lib/database';
import { startServer } from './lib/processes';
import { percentile } from './lib/util';

const HOOKS_PER_TENANT = 10;
const WARM_UP = 20;

/**
 * `tenants` tenants t1…tN with HOOKS_PER_TENANT webhooks each, half subscribed to `*`,
 * half to `order.*`; in batches, so that no one statement holds millions of trigger rows.
 */
async function seed(db: BenchDatabase, tenants: number): Promise<void> {
  const q = db.dataSource;
  await q.query(
    `INSERT INTO tenants (id, name) SELECT 't' || i, 't' || i FROM generate_series(1, $1) i`,
    [tenants],
  );
  const batch = 10_000;
  for (let from = 1; from <= tenants; from += batch) {
    const to = Math.min(tenants, from + batch - 1);
    await q.query(
      `INSERT INTO webhooks (id, name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff, tenant_id, event_types)
       SELECT gen_random_uuid(), 'bench hook', 'http://127.0.0.1:9/', 'application/json',
              '{200}', 5, 10, 10, 3600, 't' || t,
              CASE WHEN h % 2 = 0 THEN '{*}'::text[] ELSE '{order.*}'::text[] END
       FROM generate_series($1::int, $2::int) t, generate_series(1, ${HOOKS_PER_TENANT}) h`,
      [from, to],
    );
  }
  // As autovacuum would have by then: statistics, and pages marked all-visible (the
  // subscriptions' index-only scan needs them).
  await q.query('VACUUM ANALYZE tenants, webhooks, webhook_event_types');
}

/** A database seeded with `tenants` tenants and a server on it. */
async function prepare(serverUrl: string, tenants: number) {
  const db = await createBenchDatabase(serverUrl);
  const started = Date.now();
  await seed(db, tenants);
  const seededIn = (Date.now() - started) / 1000;
  const server = await startServer(db.url);
  return { db, server, seededIn, ms: [] as number[] };
}

/** One publish for tenant t1; its time in ms. */
async function publish(url: string, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event_type: 'order.created', payload: `{"n":${n}}`, tenant_id: 't1' }),
  });
  const body = (await res.json()) as { delivery_count?: number };
  if (res.status !== 201 || body.delivery_count !== HOOKS_PER_TENANT) {
    throw new Error(`POST /v1/events answered ${res.status}: ${JSON.stringify(body)}`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const tenants = Number(process.argv[2] ?? 100_000);
  const requests = Number(process.argv[3] ?? 500);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const small = await prepare(server.url, 1);
  const big = await prepare(server.url, tenants);
  try {
    // Alternating, one request to each in turn, so that whatever else the machine does
    // weighs on both alike.
    for (let i = 0; i < WARM_UP + requests; i++) {
      for (const side of i % 2 ? [small, big] : [big, small]) {
        const ms = await publish(side.server.url, i);
        if (i >= WARM_UP) side.ms.push(ms);
      }
    }
  } finally {
    for (const side of [small, big]) {
      await side.server.process.stop();
      await side.db.drop();
    }
  }
  const row = (name: string, r: typeof small) => {
    const ms = [...r.ms].sort((a, b) => a - b);
    return `| ${name} | ${percentile(ms, 50).toFixed(2)} | ${percentile(ms, 95).toFixed(2)} | ${r.seededIn.toFixed(0)} |`;
  };
  const p95 = (r: typeof small) =>
    percentile(
      [...r.ms].sort((a, b) => a - b),
      95,
    );
  console.log(
    `publish for one tenant with ${HOOKS_PER_TENANT} webhooks, ${requests} requests each, alternating`,
  );
  console.log('| database | p50 ms | p95 ms | seeded in s |');
  console.log('|---|---|---|---|');
  console.log(row(`${HOOKS_PER_TENANT} webhooks`, small));
  console.log(row(`${tenants * HOOKS_PER_TENANT} webhooks (${tenants} tenants)`, big));
  console.log(`p95 ratio: ${(p95(big) / p95(small)).toFixed(2)} (≤ 1.2 asked)`);
  if (server.embedded) await server.embedded.server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
