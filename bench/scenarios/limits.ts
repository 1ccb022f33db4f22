import { randomUUID } from 'node:crypto';
import {
  ClaimRepository,
  CompletionRepository,
  DeliveryRepository,
  judgeAttempt,
  type AttemptResult,
} from '@app/domain';
import { ClaimTurns } from '../../apps/worker/src/dispatcher/claim-turns';
import { createBenchDatabase, type BenchDatabase } from '../lib/database';
import { percentile, quietMachine } from '../lib/util';
import { dispatchPostmand, type DispatchResult } from './dispatch';

/** Webhooks with these columns, `perWebhook` deliveries each, made by the API's own create. */
async function fill(
  db: BenchDatabase,
  url: string,
  webhooks: number,
  perWebhook: number,
  limits: string,
): Promise<void> {
  const hooks = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
       delivery_attempt_timeout, retry_min_backoff, retry_max_backoff, max_concurrency)
     SELECT 'bench', $1, 'application/json', '{200}', 5, 30, 10, 3600, ${limits}
     FROM generate_series(1, $2) RETURNING id`,
    [url, webhooks],
  );
  // DeliveryRepository.create is what POST /v1/deliveries runs (concurrent creates share
  // statements): a limited webhook's deliveries are parked as they are created.
  const repo = new DeliveryRepository(db.dataSource);
  const payload = '{"event":"order.created","order_id":1,"amount":4200,"currency":"EUR"}';
  const all = hooks.flatMap((h) => Array.from({ length: perWebhook }, () => h.id));
  for (let i = 0; i < all.length; i += 2000) {
    await Promise.all(
      all.slice(i, i + 2000).map((webhookId) => repo.create({ webhookId, payload })),
    );
  }
  await db.dataSource.query(
    `UPDATE deliveries SET scheduled_at = now() - interval '1 second', created_at = now() - interval '1 second'`,
  );
}

export interface LimitedDispatch {
  unlimited: DispatchResult[];
  limited: DispatchResult[];
}

/**
 * One worker, `count` deliveries over 1,000 webhooks, unlimited and each limited to 5 in
 * flight, alternating, `rounds` of each, on a quiet machine.
 */
export async function limitedDispatch(
  serverUrl: string,
  count: number,
  rounds: number,
): Promise<LimitedDispatch> {
  const result: LimitedDispatch = { unlimited: [], limited: [] };
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['unlimited', 'limited'] as const) {
      await quietMachine();
      result[kind].push(
        await dispatchPostmand(serverUrl, count, {
          fill: (db, receiverUrl) =>
            fill(db, `${receiverUrl}/hook`, 1000, count / 1000, kind === 'limited' ? '5' : 'NULL'),
        }),
      );
    }
  }
  return result;
}

/** What a fast receiver's answer looks like to the worker. */
const SUCCESS: AttemptResult = {
  rawRequest: 'POST /hook HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n{}',
  requestBodyOmitted: false,
  rawResponse: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  statusCode: 200,
  durationMs: 1,
  error: '',
};

export interface ClaimCost {
  shape: string;
  claims: number;
  p50: number;
  p95: number;
  perSecond: number;
}

/**
 * The claims alone (no HTTP): three claimers side by side claim 100 at a time and record
 * each batch as succeeded at once, until nothing is left; each claim timed.
 */
async function claimLoop(db: BenchDatabase, total: number, shape: string): Promise<ClaimCost> {
  await db.dataSource.query('VACUUM ANALYZE');
  const times: number[] = [];
  let done = 0;
  const started = Date.now();
  await Promise.all(
    [1, 2, 3].map(async () => {
      const claims = new ClaimTurns(new ClaimRepository(db.dataSource));
      const completion = new CompletionRepository(db.dataSource);
      let idle = 0;
      while (done < total && idle < 200) {
        const t = process.hrtime.bigint();
        const claimed = await claims.claim('bench', 100);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (claimed.length === 0) {
          idle++;
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
        idle = 0;
        const outcomes = claimed.map((c) =>
          judgeAttempt(c, SUCCESS, { attemptId: randomUUID(), now: new Date() }),
        );
        const recorded = (await completion.complete(outcomes)).size;
        done += recorded;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  return {
    shape,
    claims: times.length,
    p50: round1(percentile(times, 50)),
    p95: round1(percentile(times, 95)),
    perSecond: Math.round(done / seconds),
  };
}

/** The claim's cost with one busy limited webhook, beside 10,000 idle ones, and 10,000 busy. */
export async function claimCosts(serverUrl: string, quick: boolean): Promise<ClaimCost[]> {
  const n = quick ? 10_000 : 30_000;
  const shapes: [string, (db: BenchDatabase) => Promise<void>, number][] = [
    [
      'one busy webhook, max_concurrency 100',
      (db) => fill(db, 'http://127.0.0.1:9/', 1, n, '100'),
      n,
    ],
    [
      'the same beside 10,000 idle limited webhooks',
      async (db) => {
        await fill(db, 'http://127.0.0.1:9/', 1, n, '100');
        await fill(db, 'http://127.0.0.1:9/', 10_000, 0, '5');
      },
      n,
    ],
    [
      '10,000 busy webhooks, max_concurrency 5, 3 deliveries each',
      (db) => fill(db, 'http://127.0.0.1:9/', 10_000, 3, '5'),
      30_000,
    ],
    [
      'one unlimited webhook (for comparison)',
      (db) => fill(db, 'http://127.0.0.1:9/', 1, n, 'NULL'),
      n,
    ],
  ];
  const results: ClaimCost[] = [];
  for (const [shape, make, total] of shapes) {
    const db = await createBenchDatabase(serverUrl);
    try {
      await make(db);
      await quietMachine();
      results.push(await claimLoop(db, total, shape));
    } finally {
      await db.drop();
    }
  }
  return results;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Section 8 of the suite (also `npm run bench:limits` alone): tables and target rows. */
export async function limitsReport(
  serverUrl: string,
  quick: boolean,
): Promise<{ markdown: string; targets: [string, string, boolean][] }> {
  const dispatch = await limitedDispatch(serverUrl, quick ? 10_000 : 30_000, quick ? 1 : 3);
  const costs = await claimCosts(serverUrl, quick);
  const unlimited = median(dispatch.unlimited.map((r) => r.perSecond));
  const limited = median(dispatch.limited.map((r) => r.perSecond));
  const ratio = Math.round((limited / unlimited) * 100) / 100;
  const rows = (kind: keyof LimitedDispatch, label: string): (string | number)[] => [
    label,
    dispatch[kind].map((r) => r.perSecond).join(' / '),
    `**${median(dispatch[kind].map((r) => r.perSecond))}**`,
    Math.max(...dispatch[kind].map((r) => r.peakRssMb ?? 0)),
  ];
  const markdown = [
    '### 8a. Dispatch with limits: 1,000 webhooks, one worker, rounds alternating',
    '',
    '| webhooks | deliveries/s per round | median | peak RSS MB |',
    '|---|---|---|---|',
    `| ${rows('unlimited', '1,000 unlimited').join(' | ')} |`,
    `| ${rows('limited', '1,000 with max_concurrency 5').join(' | ')} |`,
    '',
    `Limited ÷ unlimited: **${ratio} ×** (${dispatch.limited[0]?.deliveries ?? 0} deliveries a round, created through the API's create statement, so a limited webhook's are parked as they are created).`,
    '',
    '### 8b. The claim alone (three claimers, 100 a claim, no HTTP)',
    '',
    '| shape | claims | claim p50 ms | claim p95 ms | deliveries/s |',
    '|---|---|---|---|---|',
    ...costs.map((c) => `| ${c.shape} | ${c.claims} | ${c.p50} | ${c.p95} | ${c.perSecond} |`),
    '',
  ].join('\n');
  return {
    markdown,
    targets: [
      [
        'with 1,000 webhooks each limited to 5 in flight, throughput ≥ 0.8 × unlimited',
        `${ratio} × (${limited} vs ${unlimited}/s)`,
        ratio >= 0.8,
      ],
    ],
  };
}
