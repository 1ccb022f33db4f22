// pg-boss 10 doing postmand's job: each job POSTs its payload to the receiver and writes
// an attempt row. Jobs are queued first (untimed), then one process works them in
// batches sent in parallel (pg-boss 10's concurrency model); prints
// {"first","last","done"} (ms) as its last line.
// BENCH_SETTINGS (JSON): batchSize, pollingIntervalSeconds, pool, and notify: after a
// full batch, boss.notifyWorker() asks for the next one at once instead of at the next
// poll (pg-boss's documented way to work a backlog without waiting on the interval).
import { post } from './post';
import { queueJobs, settings, startBoss } from './pgboss-setup';

const url = process.env.BENCH_DATABASE_URL!;
const target = process.env.BENCH_RECEIVER_URL!;
const count = Number(process.env.BENCH_COUNT);
async function main(): Promise<void> {
  const batchSize = settings.batchSize ?? 100;
  const { boss, db } = await startBoss(url);
  await queueJobs(boss, count);
  let first = 0;
  let last = 0;
  let done = 0;
  let workerId = '';
  workerId = await boss.work<{ body: string }>(
    'deliver',
    { batchSize, pollingIntervalSeconds: settings.pollingIntervalSeconds ?? 0.5 },
    async (jobs) => {
      await Promise.all(
        jobs.map(async (job) => {
          const status = await post(target, job.data.body);
          await db.executeSql('INSERT INTO bench_attempts (job_id, status) VALUES ($1, $2)', [
            job.id,
            status,
          ]);
          const now = Date.now();
          if (!first) first = now;
          last = now;
          done++;
        }),
      );
      // A full batch: more are likely waiting, so fetch again now, not at the next poll.
      if (settings.notify && jobs.length === batchSize)
        setImmediate(() => boss.notifyWorker(workerId));
    },
  );
  while (done < count) await new Promise((resolve) => setTimeout(resolve, 100));
  await boss.stop({ graceful: false, wait: false });
  console.log(JSON.stringify({ first, last, done }));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
