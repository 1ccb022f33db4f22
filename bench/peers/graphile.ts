// graphile-worker 0.17 doing postmand's job: each job POSTs its payload to the receiver
// and writes an attempt row. Jobs are queued first (untimed), then one worker process
// runs them; prints {"first","last","done"} (ms) as its last line.
// BENCH_SETTINGS (JSON): concurrency, and for the batched settings its documented
// performance options (worker.graphile.org/docs/performance): localQueue.size (advised:
// concurrency + 1), completeJobBatchDelay and failJobBatchDelay 0, a pool of `pool`.
import { run, type Task } from 'graphile-worker';
import { post } from './post';
import { preparePool, queueJobs, settings } from './graphile-setup';

const url = process.env.BENCH_DATABASE_URL!;
const target = process.env.BENCH_RECEIVER_URL!;
const count = Number(process.env.BENCH_COUNT);
async function main(): Promise<void> {
  const concurrency = settings.concurrency ?? 100;
  const { pool, utils } = await preparePool(url);
  await queueJobs(utils, count);
  let first = 0;
  let last = 0;
  let done = 0;
  const deliver: Task = async (payload, helpers) => {
    const status = await post(target, (payload as { body: string }).body);
    await helpers.query('INSERT INTO bench_attempts (job_id, status) VALUES ($1, $2)', [
      helpers.job.id,
      status,
    ]);
    const now = Date.now();
    if (!first) first = now;
    last = now;
    done++;
  };
  const batched = settings.localQueueSize !== undefined;
  const runner = await run({
    pgPool: pool,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { deliver },
    ...(batched
      ? {
          preset: {
            worker: {
              localQueue: { size: settings.localQueueSize! },
              completeJobBatchDelay: 0,
              failJobBatchDelay: 0,
            },
          },
        }
      : {}),
  });
  while (done < count) await new Promise((resolve) => setTimeout(resolve, 100));
  await runner.stop();
  await utils.release();
  await pool.end();
  console.log(JSON.stringify({ first, last, done }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
