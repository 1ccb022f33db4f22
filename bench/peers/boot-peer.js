// A peer's boot for bench/boot.ts: starts a graphile-worker (PEER=graphile) or pg-boss
// (PEER=pgboss) worker on BENCH_DATABASE_URL whose one task POSTs to BENCH_RECEIVER_URL.
// The bench queued the job and made the schema beforehand, so spawn → first request is
// the peer's boot alone. Plain JavaScript, run by node itself: a TypeScript loader in the
// timed path would charge the peer for bench tooling postmand's built CLI does not pay.
'use strict';
const http = require('node:http');

const url = process.env.BENCH_DATABASE_URL;
const target = process.env.BENCH_RECEIVER_URL;

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function graphile() {
  const { run } = require('graphile-worker');
  // Its documented fast settings (worker.graphile.org/docs/performance), as the dispatch
  // bench runs it.
  await run({
    connectionString: url,
    concurrency: 100,
    noHandleSignals: false,
    pollInterval: 1000,
    taskList: { deliver: (payload) => post(JSON.stringify(payload)) },
    preset: {
      worker: { localQueue: { size: 101 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
    },
  });
}

async function pgboss() {
  const PgBoss = require('pg-boss');
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  boss.on('error', (err) => console.error(err));
  await boss.start();
  await boss.work('deliver', { batchSize: 100, pollingIntervalSeconds: 0.5 }, (jobs) =>
    Promise.all(jobs.map((job) => post(JSON.stringify(job.data)))),
  );
  process.on('SIGTERM', () => process.exit(0));
}

(process.env.PEER === 'pgboss' ? pgboss : graphile)().catch((err) => {
  console.error(err);
  process.exit(1);
});
