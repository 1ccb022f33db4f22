// npm run bench:filters -- [requests]: §15's cost, through a `server` process (the built
// dist, no worker) on its own database. Each kind of publish is POSTed `requests` times
// (default 300, after a warm-up), the kinds taking turns so that whatever else the machine
// does weighs on all alike; prints each kind's p50/p95 and delivery_count.
//  - 1,000 webhooks of one event type, each with a filter, half of which match (issue 29:
//    stored in p95 ≤ 50 ms);
//  - the same 1,000 without filters (all match): publishing to webhooks without filters,
//    to compare with the build before (the merger's A/B);
//  - 1 match, no filter (on a small payload and on one of 1 MiB); and 1 match with a filter
//    on a payload of 256 KiB and of 1 MiB (what parsing the payload in the statement costs).
// Then the 1,000 filtered webhooks again, 64 KiB payloads, CONCURRENT requests in flight
// (so the publish batcher folds them into shared statements): each request's p50/p95.
import { randomUUID } from 'node:crypto';
import { PUBLISH_SQL } from '@app/domain/testing';
import { pickServer } from '../test/support/pg-server';
import type { BenchDatabase } from './lib/database';
import { createBenchDatabase } from './lib/database';
import { startServer } from './lib/processes';
import {
  concurrently as inFlight,
  createHook,
  pct,
  publish,
  sized,
  small,
  type PublishKind as Kind,
} from './lib/publish';

const HOOKS = 1000;
const WARM_UP = 20;
const CONCURRENT = 16;

/** 1,000 filtered webhooks (half matching), on a payload of 64 KiB. */
const CONCURRENT_KIND: Kind = {
  label: `${HOOKS} webhooks with filters, ${HOOKS / 2} matching, 64 KiB payload, ${CONCURRENT} in flight`,
  eventType: 'filtered.created',
  payload: (n) =>
    JSON.stringify({
      n,
      data: { tier: 'gold', amount: n % 1000, tags: ['a'], pad: 'x'.repeat(64 * 1024) },
    }),
  deliveries: HOOKS / 2,
};

const KINDS: Kind[] = [
  {
    label: `${HOOKS} webhooks with filters, ${HOOKS / 2} matching`,
    eventType: 'filtered.created',
    payload: small,
    deliveries: HOOKS / 2,
  },
  {
    label: `${HOOKS} webhooks without filters`,
    eventType: 'plain.created',
    payload: small,
    deliveries: HOOKS,
  },
  {
    label: '1 webhook without a filter',
    eventType: 'solo.created',
    payload: sized(200, 'gold'),
    deliveries: 1,
  },
  {
    label: '1 webhook without a filter, 1 MiB payload',
    eventType: 'solo.created',
    payload: sized(1_000_000, 'gold'),
    deliveries: 1,
  },
  {
    label: '1 webhook with a filter, 256 KiB payload',
    eventType: 'big.created',
    payload: sized(256 * 1024, 'gold'),
    deliveries: 1,
  },
  {
    label: '1 webhook with a filter, 1 MiB payload',
    eventType: 'big.created',
    payload: sized(1_000_000, 'gold'),
    deliveries: 1,
  },
];

/** The webhooks, through the API (so each filter is validated and compiled as in use). */
async function seed(url: string): Promise<void> {
  for (let i = 0; i < HOOKS; i++) {
    // Half match (gold); each filter a little different, as real subscriptions are.
    const tier = i % 2 === 0 ? 'gold' : 'silver';
    await createHook(url, 'filtered.created', {
      'data.tier': tier,
      'data.amount': { $gte: 0, $lt: 1000 + i },
      $not: { 'data.tags': { $contains: `x${i}` } },
    });
    await createHook(url, 'plain.created');
  }
  await createHook(url, 'solo.created');
  await createHook(url, 'big.created', { 'data.tier': 'gold' });
}

/**
 * The publish statement alone, run by this process on the server's database (no HTTP, no
 * Nest): its own time for `kind`'s event, in ms.
 */
async function statement(db: BenchDatabase, kind: Kind, n: number): Promise<number> {
  const [type] = kind.eventType.split('.');
  const patterns = [kind.eventType, `${type}.*`, '*'];
  const t0 = process.hrtime.bigint();
  const [row] = await db.dataSource.query<{ matches: string }[]>(PUBLISH_SQL, [
    [randomUUID()],
    [kind.eventType],
    [kind.payload(n)],
    [null],
    patterns.map(() => 1),
    patterns,
    [1_000_000],
    [null],
  ]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (Number(row.matches) !== kind.deliveries) throw new Error(`${kind.label}: ${row.matches}`);
  return ms;
}

/** `requests` publishes of CONCURRENT_KIND, CONCURRENT at a time: each one's time, in ms. */
async function concurrently(url: string, requests: number): Promise<number[]> {
  return (await inFlight(url, CONCURRENT_KIND, requests, CONCURRENT)).times;
}

const p = (xs: number[], q: number) => pct(xs, q).toFixed(1);

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 300);
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const db = await createBenchDatabase(pg.url);
  const server = await startServer(db.url);
  const ms = KINDS.map(() => [] as number[]);
  const sql = KINDS.map(() => [] as number[]);
  let concurrent: number[];
  try {
    await seed(server.url);
    await db.dataSource.query(`VACUUM ANALYZE webhooks`);
    await db.dataSource.query(`VACUUM ANALYZE webhook_event_types`);
    for (let i = 0; i < WARM_UP + requests; i++) {
      for (let k = 0; k < KINDS.length; k++) {
        const took = await publish(server.url, KINDS[k], i);
        const own = await statement(db, KINDS[k], i);
        if (i >= WARM_UP) ms[k].push(took);
        if (i >= WARM_UP) sql[k].push(own);
      }
    }
    await concurrently(server.url, WARM_UP);
    concurrent = await concurrently(server.url, requests);
  } finally {
    await server.process.stop();
    await db.drop();
    if (pg.embedded) await pg.embedded.server.stop();
  }
  console.log(
    `POST /v1/events, ${requests} of each kind, taking turns (after ${WARM_UP} each); ` +
      'beside each, the publish statement alone (PUBLISH_SQL, from this process)',
  );
  console.log('| publish | delivery_count | POST p50 / p95 ms | statement p50 / p95 ms |');
  console.log('|---|---|---|---|');
  KINDS.forEach((kind, k) => {
    console.log(
      `| ${kind.label} | ${kind.deliveries} | ${p(ms[k], 50)} / ${p(ms[k], 95)} | ${p(sql[k], 50)} / ${p(sql[k], 95)} |`,
    );
  });
  console.log(
    `\n${CONCURRENT_KIND.label}: ${requests} POSTs (after ${WARM_UP}), ` +
      `p50 / p95 ${p(concurrent, 50)} / ${p(concurrent, 95)} ms`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
