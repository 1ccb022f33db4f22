// npm run bench:tenants -- [tenants] [requests]: §11's cost promise, "publishing for one
// tenant reads only that tenant's subscriptions", and the tenant's lists. One tenant, t1,
// has 10 webhooks (all subscribed): on a database holding only those, and on one where
// `tenants` (default 100,000) tenants have 10 webhooks each (1,000,000 webhooks) and one
// delivery per webhook, seeded by SQL. A `server` process (no worker) on each; requests
// alternate between the two, so whatever else the machine does weighs on both alike.
// Prints, per request kind, the first request after the process started and the steady
// p50/p95 (after a warm-up), and the ratio of the p95s.
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase, type BenchDatabase } from './lib/database';
import { createPortalSession } from './lib/portal-session';
import { startServer } from './lib/processes';
import { insertTenants, TENANT_BATCH, tenantWebhooksSql, vacuumAnalyze } from './lib/tenants-seed';
import { percentile } from './lib/util';

const HOOKS_PER_TENANT = 10;
const WARM_UP = 20;

/**
 * `tenants` tenants t1…tN with HOOKS_PER_TENANT webhooks each, half subscribed to `*`,
 * half to `order.*`, and one old delivery per webhook (so that the deliveries table is a
 * million rows too); in batches, so that no one statement holds millions of trigger rows.
 */
async function seed(db: BenchDatabase, tenants: number): Promise<void> {
  await insertTenants(db, tenants);
  const webhooks = tenantWebhooksSql(
    HOOKS_PER_TENANT,
    `CASE WHEN h % 2 = 0 THEN '{*}'::text[] ELSE '{order.*}'::text[] END`,
  );
  for (let from = 1; from <= tenants; from += TENANT_BATCH) {
    const to = Math.min(tenants, from + TENANT_BATCH - 1);
    await db.dataSource.query(
      `WITH w AS (${webhooks})
       INSERT INTO deliveries (id, webhook_id, tenant_id, payload, scheduled_at, status,
         delivery_attempts, created_at)
       SELECT gen_random_uuid(), id, tenant_id, '{"seeded":true}', now() - interval '1 day',
              'succeeded', 1, now() - interval '1 day'
       FROM w`,
      [from, to],
    );
  }
  await vacuumAnalyze(db, ['tenants', 'webhooks', 'webhook_event_types', 'deliveries']);
}

type Kind = 'publish' | 'webhooks' | 'deliveries' | 'session webhooks' | 'session deliveries';
const KINDS: Kind[] = [
  'publish',
  'webhooks',
  'deliveries',
  'session webhooks',
  'session deliveries',
];

interface Side {
  db: BenchDatabase;
  server: Awaited<ReturnType<typeof startServer>>;
  seededIn: number;
  token: string;
  first: Partial<Record<Kind, number>>;
  ms: Record<Kind, number[]>;
}

/** A database seeded with `tenants` tenants, a server on it, and a portal session of t1. */
async function prepare(serverUrl: string, tenants: number): Promise<Side> {
  const db = await createBenchDatabase(serverUrl);
  const started = Date.now();
  await seed(db, tenants);
  const seededIn = (Date.now() - started) / 1000;
  const server = await startServer(db.url);
  const session = await createPortalSession(server.url, 't1');
  const ms = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Side['ms'];
  return { db, server, seededIn, token: session.token, first: {}, ms };
}

/** One request of `kind` for tenant t1; its time in ms. */
async function request(side: Side, kind: Kind, n: number): Promise<number> {
  const url = side.server.url;
  const session = { authorization: `Bearer ${side.token}` };
  const t0 = process.hrtime.bigint();
  const res =
    kind === 'publish'
      ? await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            event_type: 'order.created',
            payload: `{"n":${n}}`,
            tenant_id: 't1',
          }),
        })
      : kind === 'webhooks'
        ? await fetch(`${url}/v1/webhooks?tenant_id=t1`)
        : kind === 'deliveries'
          ? await fetch(`${url}/v1/deliveries?tenant_id=t1`)
          : kind === 'session webhooks'
            ? await fetch(`${url}/v1/webhooks`, { headers: session })
            : await fetch(`${url}/v1/deliveries`, { headers: session });
  const body = (await res.json()) as Record<string, unknown>;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const ok =
    kind === 'publish'
      ? res.status === 201 && body.delivery_count === HOOKS_PER_TENANT
      : res.status === 200;
  if (!ok) throw new Error(`${kind} answered ${res.status}: ${JSON.stringify(body)}`);
  return ms;
}

const stats = (xs: number[]): { p50: number; p95: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95) };
};

async function main(): Promise<void> {
  const tenants = Number(process.argv[2] ?? 100_000);
  const requests = Number(process.argv[3] ?? 500);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const small = await prepare(server.url, 1);
  const big = await prepare(server.url, tenants);
  try {
    for (const kind of KINDS) {
      for (let i = 0; i < WARM_UP + requests; i++) {
        for (const side of i % 2 ? [small, big] : [big, small]) {
          const ms = await request(side, kind, i);
          if (i === 0) side.first[kind] = ms;
          if (i >= WARM_UP) side.ms[kind].push(ms);
        }
      }
    }
  } finally {
    for (const side of [small, big]) {
      await side.server.process.stop();
      await side.db.drop();
    }
  }
  const bigLabel = `${(tenants * HOOKS_PER_TENANT).toLocaleString('en-US')} webhooks`;
  console.log(
    `tenant t1 with ${HOOKS_PER_TENANT} webhooks; ${requests} requests of each kind per database, alternating; ` +
      `seeded in ${small.seededIn.toFixed(0)} s / ${big.seededIn.toFixed(0)} s`,
  );
  console.log(
    `| request | ${HOOKS_PER_TENANT} webhooks: first / p50 / p95 ms | ${bigLabel}: first / p50 / p95 ms | p95 ratio |`,
  );
  console.log('|---|---|---|---|');
  const labels: Record<Kind, string> = {
    publish: 'POST /v1/events (tenant t1, 10 matches)',
    webhooks: 'GET /v1/webhooks?tenant_id=t1',
    deliveries: 'GET /v1/deliveries?tenant_id=t1',
    'session webhooks': 'GET /v1/webhooks with t1’s portal session',
    'session deliveries': 'GET /v1/deliveries with t1’s portal session',
  };
  for (const kind of KINDS) {
    const s = stats(small.ms[kind]);
    const b = stats(big.ms[kind]);
    const cell = (first: number | undefined, x: { p50: number; p95: number }): string =>
      `${(first ?? NaN).toFixed(1)} / ${x.p50.toFixed(1)} / ${x.p95.toFixed(1)}`;
    console.log(
      `| ${labels[kind]} | ${cell(small.first[kind], s)} | ${cell(big.first[kind], b)} | ${(b.p95 / s.p95).toFixed(2)} |`,
    );
  }
  if (server.embedded) await server.embedded.server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
