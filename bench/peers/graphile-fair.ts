// graphile-worker 0.17 in the fairness bench (bench/scenarios/fairness-peers.ts): one
// shared "deliver" task, as postmand's one deliveries table. BENCH_COUNT jobs for webhook
// A (POSTed to BENCH_A_URL) are queued first, then one worker runs at BENCH_SETTINGS (see
// graphile.ts) until it is killed; B's jobs, added by the bench while A's drain, carry a
// `probe` id that is POSTed to BENCH_B_URL as `webhook-id`. Prints {"ready",
// "seededSeconds"} once A's jobs are queued and the worker runs.
import { run, type Task } from 'graphile-worker';
import { post } from './post';
import { preparePool, queueJobs, settings } from './graphile-setup';

const url = process.env.BENCH_DATABASE_URL!;
const targetA = process.env.BENCH_A_URL!;
const targetB = process.env.BENCH_B_URL!;
const count = Number(process.env.BENCH_COUNT);
async function main(): Promise<void> {
  const { pool, utils } = await preparePool(url);
  const started = Date.now();
  await queueJobs(utils, count);
  const seededSeconds = (Date.now() - started) / 1000;
  const deliver: Task = async (payload, helpers) => {
    const { body, probe } = payload as { body: string; probe?: string };
    const status = probe
      ? await post(targetB, body, { 'webhook-id': probe })
      : await post(targetA, body);
    await helpers.query('INSERT INTO bench_attempts (job_id, status) VALUES ($1, $2)', [
      helpers.job.id,
      status,
    ]);
  };
  const runner = await run({
    pgPool: pool,
    concurrency: settings.concurrency ?? 100,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { deliver },
    ...(settings.localQueueSize !== undefined
      ? {
          preset: {
            worker: {
              localQueue: { size: settings.localQueueSize },
              completeJobBatchDelay: 0,
              failJobBatchDelay: 0,
            },
          },
        }
      : {}),
  });
  console.log(JSON.stringify({ ready: true, seededSeconds }));
  await runner.promise; // until the bench kills this process
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
