// npm run bench:boot -- [runs]: how soon a process starts working (issue 30, "Boot"). On a
// migrated database, `runs` times each (default 7), alternating so that whatever else the
// machine does weighs on all alike:
//   worker    spawn of `postmand worker` → the first request at a local receiver (one
//             delivery is due before the spawn); then → its /readyz answering 200
//   server    spawn of `postmand server` → its first 200 on GET /v1/webhooks
//   graphile  spawn of a graphile-worker process → the first request (its job queued
//             before the spawn, its schema made beforehand)
//   pg-boss   the same with pg-boss
// Prints best, median and p95 per figure. POSTMAND_BENCH_CLI=<main.js> runs another build.
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { makeWorkerUtils } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase, createWebhook, type BenchDatabase } from './lib/database';
import { Measured, ROOT, startPostmand } from './lib/processes';
import { freePort, percentile, quietMachine } from './lib/util';

const runs = Number(process.argv[2] ?? 7);
/** Polling step for the HTTP figures: well under the differences they measure. */
const POLL_MS = 5;

/** A receiver in this process: resolves `next()` at the arrival of the next request. */
async function startReceiver(): Promise<{ url: string; next(): Promise<number> }> {
  let waiting: ((at: number) => void) | undefined;
  const server = http.createServer((req, res) => {
    const at = performance.now();
    req.resume();
    req.on('end', () => res.end('ok'));
    waiting?.(at);
    waiting = undefined;
  });
  server.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    next: () => new Promise((resolve) => (waiting = resolve)),
  };
}

/** Resolves with the time of the first 200 from `url`; rejects if the process exits. */
async function firstOk(url: string, child: Measured): Promise<number> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`exited before ${url} answered:\n${child.output}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Waits for `arrival`, or throws with the process's output if it exits first. */
async function arrivalOf(arrival: Promise<number>, child: Measured): Promise<number> {
  const exited = child.exited.then((code) => {
    throw new Error(`exited (${code}) before its first request:\n${child.output}`);
  });
  return Promise.race([arrival, exited]);
}

type Figure = 'worker' | 'worker /readyz' | 'server' | 'graphile' | 'pg-boss';

async function main(): Promise<void> {
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const db = await createBenchDatabase(pg.url);
  const peers = await createBenchDatabase(pg.url, false);
  const receiver = await startReceiver();
  const times: Record<Figure, number[]> = {
    worker: [],
    'worker /readyz': [],
    server: [],
    graphile: [],
    'pg-boss': [],
  };
  try {
    const webhookId = await createWebhook(db, receiver.url);
    const graphile = await makeWorkerUtils({ connectionString: peers.url });
    await graphile.migrate();
    const boss = new PgBoss({ connectionString: peers.url, supervise: false, schedule: false });
    await boss.start();
    await boss.createQueue('deliver');
    const busy = await quietMachine();
    console.log(`boot: ${runs} runs each; machine ${busy}% busy before the first`);
    for (let run = 0; run < runs; run++) {
      await bootWorker(db, webhookId, receiver, times);
      await bootServer(db, times);
      await graphile.addJob('deliver', { run });
      times.graphile.push(await bootPeer('graphile', peers, receiver));
      await boss.send('deliver', { run });
      times['pg-boss'].push(await bootPeer('pgboss', peers, receiver));
    }
    await graphile.release();
    await boss.stop({ graceful: false, wait: true });
  } finally {
    await db.drop();
    await peers.drop();
    await pg.embedded?.server.stop();
  }
  console.log('figure            best  median    p95  (ms; median / best peer median)');
  const medianOf = (xs: number[]): number =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const peerMedian = Math.min(medianOf(times.graphile), medianOf(times['pg-boss']));
  for (const [figure, xs] of Object.entries(times)) {
    const sorted = [...xs].sort((a, b) => a - b);
    const row = [sorted[0], percentile(sorted, 50), percentile(sorted, 95)].map((ms) =>
      String(Math.round(ms)).padStart(6),
    );
    const ratio = (percentile(sorted, 50) / peerMedian).toFixed(2);
    console.log(`${figure.padEnd(16)}${row.join(' ')}  ${ratio} ×`);
  }
}

async function bootWorker(
  db: BenchDatabase,
  webhookId: string,
  receiver: { next(): Promise<number> },
  times: Record<Figure, number[]>,
): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
     VALUES ($1, '{"boot":true}', now() - interval '1 second')`,
    [webhookId],
  );
  const healthPort = await freePort();
  const arrival = receiver.next();
  const spawnedAt = performance.now();
  const worker = startPostmand('worker', {
    POSTMAND_DATABASE_URL: db.url,
    POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
  });
  try {
    times.worker.push((await arrivalOf(arrival, worker)) - spawnedAt);
    const ready = await firstOk(`http://127.0.0.1:${healthPort}/readyz`, worker);
    times['worker /readyz'].push(ready - spawnedAt);
  } finally {
    await worker.stop();
  }
}

async function bootServer(db: BenchDatabase, times: Record<Figure, number[]>): Promise<void> {
  const [port, healthPort] = [await freePort(), await freePort()];
  const spawnedAt = performance.now();
  const server = startPostmand('server', {
    POSTMAND_DATABASE_URL: db.url,
    POSTMAND_HTTP_PORT: String(port),
    POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
  });
  try {
    times.server.push((await firstOk(`http://127.0.0.1:${port}/v1/webhooks`, server)) - spawnedAt);
  } finally {
    await server.stop();
  }
}

async function bootPeer(
  peer: 'graphile' | 'pgboss',
  db: BenchDatabase,
  receiver: { url: string; next(): Promise<number> },
): Promise<number> {
  const arrival = receiver.next();
  const spawnedAt = performance.now();
  const child = new Measured(
    spawn(process.execPath, [path.join(__dirname, 'peers/boot-peer.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PEER: peer,
        BENCH_DATABASE_URL: db.url,
        BENCH_RECEIVER_URL: receiver.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  try {
    return (await arrivalOf(arrival, child)) - spawnedAt;
  } finally {
    await child.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
