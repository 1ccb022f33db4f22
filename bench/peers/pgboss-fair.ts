// pg-boss 10 in the fairness bench (bench/scenarios/fairness-peers.ts): one shared
// "deliver" queue, as postmand's one deliveries table. BENCH_COUNT jobs for webhook A
// (POSTed to BENCH_A_URL) are queued first, then one process works them at BENCH_SETTINGS
// (see pgboss.ts) until it is killed; B's jobs, sent by the bench while A's drain, carry a
// `probe` id that is POSTed to BENCH_B_URL as `webhook-id`. Prints {"ready",
// "seededSeconds"} once A's jobs are queued and the worker runs.
import { post } from './post';
import { queueJobs, settings, startBoss } from './pgboss-setup';

const url = process.env.BENCH_DATABASE_URL!;
const targetA = process.env.BENCH_A_URL!;
const targetB = process.env.BENCH_B_URL!;
const count = Number(process.env.BENCH_COUNT);
async function main(): Promise<void> {
  const batchSize = settings.batchSize ?? 100;
  const { boss, db } = await startBoss(url);
  const started = Date.now();
  await queueJobs(boss, count);
  const seededSeconds = (Date.now() - started) / 1000;
  let workerId = '';
  workerId = await boss.work<{ body: string; probe?: string }>(
    'deliver',
    { batchSize, pollingIntervalSeconds: settings.pollingIntervalSeconds ?? 0.5 },
    async (jobs) => {
      await Promise.all(
        jobs.map(async ({ id, data: { body, probe } }) => {
          const status = probe
            ? await post(targetB, body, { 'webhook-id': probe })
            : await post(targetA, body);
          await db.executeSql('INSERT INTO bench_attempts (job_id, status) VALUES ($1, $2)', [
            id,
            status,
          ]);
        }),
      );
      // A full batch: more are likely waiting, so fetch again now, not at the next poll.
      if (settings.notify && jobs.length === batchSize)
        setImmediate(() => boss.notifyWorker(workerId));
    },
  );
  console.log(JSON.stringify({ ready: true, seededSeconds }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
