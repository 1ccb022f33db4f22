import { randomUUID } from 'node:crypto';
import { ClaimRepository, CompletionRepository, type AttemptOutcome } from '@app/domain';
import {
  createBenchDatabase,
  createWebhook,
  insertDeliveries,
  waitForSuccesses,
  type BenchDatabase,
} from '../lib/database';
import { ClaimTurns } from '../../apps/worker/src/dispatcher/claim-turns';
import { ReceiverProcess, startPostmand, startScript } from '../lib/processes';

export interface DispatchResult {
  system: string;
  deliveries: number;
  seconds: number;
  perSecond: number;
  /** From the worker's spawn to the last success (postmand only). */
  fromStartPerSecond?: number;
  peakRssMb?: number;
}

const rate = (count: number, ms: number): number =>
  Math.round(((count - 1) * 1000) / Math.max(1, ms));

/** postmand: N due deliveries, then one `postmand worker` process; first to last success. */
export async function dispatchPostmand(
  serverUrl: string,
  count: number,
  options: {
    delayMs?: number;
    payloadBytes?: number;
    env?: Record<string, string>;
    /** Makes the `count` due deliveries another way (the default: one webhook, inserted rows). */
    fill?: (db: BenchDatabase, receiverUrl: string) => Promise<void>;
  } = {},
): Promise<DispatchResult> {
  const receiver = await ReceiverProcess.start({ delayMs: options.delayMs });
  const db = await createBenchDatabase(serverUrl);
  try {
    if (options.fill) {
      await options.fill(db, receiver.url);
    } else {
      const webhook = await createWebhook(db, `${receiver.url}/hook`);
      await insertDeliveries(db, webhook, count, options.payloadBytes);
    }
    await db.dataSource.query('VACUUM ANALYZE deliveries');
    const spawnedAt = Date.now();
    const worker = startPostmand('worker', {
      POSTMAND_DATABASE_URL: db.url,
      POSTMAND_HEALTH_CHECK_HTTP_PORT: '0',
      ...options.env,
    });
    const done = await Promise.race([
      waitForSuccesses(db, count, 600_000),
      worker.exited.then((code) => {
        throw new Error(`the worker exited (${code}):\n${worker.output}`);
      }),
    ]);
    const peakRssMb = worker.peakRssMb();
    await worker.stop();
    // With a slow receiver, successes start a full response time after the first
    // request: count from the first request the receiver saw instead.
    const from = options.delayMs ? (await receiver.stats()).first : done.first;
    return {
      system: 'postmand',
      deliveries: done.count,
      seconds: (done.last - from) / 1000,
      perSecond: options.delayMs
        ? Math.round((done.count * 1000) / Math.max(1, done.last - from))
        : rate(done.count, done.last - from),
      fromStartPerSecond: Math.round((done.count * 1000) / Math.max(1, done.last - spawnedAt)),
      peakRssMb,
    };
  } finally {
    await db.drop();
    await receiver.stop();
  }
}

/** How a peer is run: a label for the table and the options its script reads. */
export interface PeerSettings {
  label: string;
  [option: string]: unknown;
}

/** Each peer untuned (its defaults as postmand's bench first ran them) and at its best. */
export const PEER_SETTINGS: Record<'graphile-worker' | 'pg-boss', PeerSettings[]> = {
  'graphile-worker': [
    { label: 'untuned: concurrency 100', concurrency: 100 },
    {
      label: 'concurrency 100, localQueue 101, batch delays 0, pool 10',
      concurrency: 100,
      localQueueSize: 101,
    },
    {
      label: 'concurrency 50, localQueue 51, batch delays 0, pool 10',
      concurrency: 50,
      localQueueSize: 51,
    },
    {
      label: 'concurrency 200, localQueue 201, batch delays 0, pool 20',
      concurrency: 200,
      localQueueSize: 201,
      pool: 20,
    },
    {
      label: 'concurrency 200, localQueue 500, batch delays 0, pool 20',
      concurrency: 200,
      localQueueSize: 500,
      pool: 20,
    },
  ],
  'pg-boss': [
    { label: 'untuned: batch 100, poll 0.5 s', batchSize: 100 },
    { label: 'batch 100, notifyWorker after a full batch', batchSize: 100, notify: true },
    {
      label: 'batch 200, notifyWorker after a full batch, pool 20',
      batchSize: 200,
      notify: true,
      pool: 20,
    },
    {
      label: 'batch 500, notifyWorker after a full batch, pool 20',
      batchSize: 500,
      notify: true,
      pool: 20,
    },
  ],
};

/** A peer job queue doing the same job in its own process (see bench/peers/). */
export async function dispatchPeer(
  serverUrl: string,
  peer: 'graphile-worker' | 'pg-boss',
  count: number,
  settings: PeerSettings = { label: 'untuned' },
): Promise<DispatchResult> {
  const receiver = await ReceiverProcess.start();
  const db = await createBenchDatabase(serverUrl, false);
  try {
    const script = peer === 'graphile-worker' ? 'bench/peers/graphile.ts' : 'bench/peers/pgboss.ts';
    const child = startScript(script, {
      BENCH_DATABASE_URL: db.url,
      BENCH_RECEIVER_URL: `${receiver.url}/hook`,
      BENCH_COUNT: String(count),
      BENCH_SETTINGS: JSON.stringify(settings),
    });
    const code = await child.exited;
    const line = child.output.trim().split('\n').pop() ?? '';
    if (code !== 0) throw new Error(`${peer} run failed (${code}): ${child.output.slice(-2000)}`);
    const { first, last, done } = JSON.parse(line) as { first: number; last: number; done: number };
    return {
      system: `${peer} (${settings.label})`,
      deliveries: done,
      seconds: (last - first) / 1000,
      perSecond: rate(done, last - first),
      peakRssMb: child.peakRssMb(),
    };
  } finally {
    await db.drop();
    await receiver.stop();
  }
}

/**
 * The physical limit: the claim-and-complete SQL alone (batch claim with SKIP LOCKED,
 * attempt insert, status update), no HTTP, in this process.
 */
export async function dispatchSqlOnly(serverUrl: string, count: number): Promise<DispatchResult> {
  const db = await createBenchDatabase(serverUrl);
  try {
    const webhook = await createWebhook(db, 'http://127.0.0.1:9/hook');
    await insertDeliveries(db, webhook, count);
    await db.dataSource.query('VACUUM ANALYZE deliveries');
    const claims = new ClaimTurns(new ClaimRepository(db.dataSource));
    const completion = new CompletionRepository(db.dataSource);
    const started = Date.now();
    let done = 0;
    // Three claimers side by side, as the worker overlaps claims and completions.
    await Promise.all(
      [1, 2, 3].map(async () => {
        for (;;) {
          const claimed = await claims.claim('bench', 500);
          if (claimed.length === 0) return;
          const outcomes: AttemptOutcome[] = claimed.map(({ delivery: d, leaseOwner }) => ({
            deliveryId: d.id,
            webhookId: d.webhookId,
            eventId: null,
            attempts: 1,
            limited: false,
            touchesHealth: false,
            operational: false,
            leaseOwner,
            attemptId: randomUUID(),
            status: 'succeeded',
            retryInSeconds: null,
            rawRequest: `POST /hook HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n${d.payload}`,
            requestBodyOmitted: false,
            rawResponse: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
            responseStatusCode: 200,
            executionDuration: 1,
            success: true,
            error: '',
          }));
          const recorded = (await completion.complete(outcomes)).size;
          done += recorded;
        }
      }),
    );
    const ms = Date.now() - started;
    return {
      system: 'SQL only (limit)',
      deliveries: done,
      seconds: ms / 1000,
      perSecond: Math.round((done * 1000) / ms),
    };
  } finally {
    await db.drop();
  }
}
