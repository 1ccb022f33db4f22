// bench/dispatch-probe.ts [deliveries]: one `postmand worker` on N due deliveries of one
// webhook (a fast receiver), with what its cost is made of (issue 30 part 3): the claims
// (how many, their sizes), the attempts' mean duration and the slots in use (in-flight
// samples every 200 ms; Little's law), the transactions committed, the worker's CPU per
// delivery between the first and the last success (/proc, 100 Hz ticks), its GCs, heap
// and RSS (peak, and a sample every 400 ms). POSTMAND_BENCH_CLI=<main.js> probes another
// build; BENCH_NODE_ARGS adds Node flags (startPostmand); BENCH_WORKER_ENV='{"K":"V"}'
// adds environment.
import * as fs from 'node:fs';
import { pickServer } from '../test/support/pg-server';
import {
  createBenchDatabase,
  createWebhook,
  insertDeliveries,
  waitForSuccesses,
} from './lib/database';
import { ReceiverProcess, startPostmand } from './lib/processes';
import { freePort } from './lib/util';

const SHOWN =
  /^(postmand_worker_claim_batch_size_(sum|count)|postmand_worker_attempt_duration_seconds_(sum|count)|nodejs_heap_size_(used|total)_bytes|nodejs_external_memory_bytes|nodejs_gc_duration_seconds_(sum|count))/;

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const receiver = await ReceiverProcess.start();
  const db = await createBenchDatabase(server.url);
  await insertDeliveries(db, await createWebhook(db, `${receiver.url}/hook`), count);
  await db.dataSource.query('VACUUM ANALYZE deliveries');
  const commits = async (): Promise<number> =>
    (
      await db.dataSource.query<{ n: number }[]>(
        `SELECT xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()`,
      )
    )[0].n;
  const commitsBefore = await commits();
  const port = await freePort();
  const spawned = Date.now();
  const worker = startPostmand('worker', {
    POSTMAND_DATABASE_URL: db.url,
    POSTMAND_HEALTH_CHECK_HTTP_PORT: String(port),
    ...(JSON.parse(process.env.BENCH_WORKER_ENV ?? '{}') as Record<string, string>),
  });
  const rss: number[] = [];
  const cpu: [number, number][] = [];
  const sampler = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${worker.child.pid}/status`, 'utf8');
      rss.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) >> 10);
      const stat = fs.readFileSync(`/proc/${worker.child.pid}/stat`, 'utf8').split(') ')[1];
      const [utime, stime] = stat.split(' ').slice(11, 13).map(Number);
      cpu.push([Date.now(), (utime + stime) * 10]);
    } catch {
      // not started yet, or gone
    }
  }, 100);
  const inFlight: number[] = [];
  const metrics = async (): Promise<string> =>
    (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const poll = setInterval(() => {
    metrics()
      .then((text) => {
        const m = /^postmand_worker_in_flight_requests (\S+)/m.exec(text);
        if (m) inFlight.push(Number(m[1]));
      })
      .catch(() => undefined);
  }, 200);
  const done = await waitForSuccesses(db, count, 600_000);
  clearInterval(poll);
  const text = await metrics();
  const commitsAfter = await commits();
  const peakRssMb = worker.peakRssMb();
  clearInterval(sampler);
  await worker.stop();
  const cpuAt = (t: number): number => cpu.filter(([at]) => at <= t).pop()?.[1] ?? 0;
  const steadyCpuMs = cpuAt(done.last) - cpuAt(done.first);
  console.log(
    text
      .split('\n')
      .filter((l) => SHOWN.test(l))
      .join('\n'),
  );
  console.log(`in flight every 200 ms: ${inFlight.join(' ')}`);
  console.log(`RSS MB every 400 ms: ${rss.filter((_, i) => i % 4 === 0).join(' ')}`);
  console.log(
    JSON.stringify({
      steadyPerSecond: Math.round(((done.count - 1) * 1000) / Math.max(1, done.last - done.first)),
      fromStartPerSecond: Math.round((done.count * 1000) / Math.max(1, done.last - spawned)),
      commits: commitsAfter - commitsBefore,
      cpuMsUntilFirst: cpuAt(done.first),
      cpuUsPerDeliverySteady: Math.round((steadyCpuMs * 1000) / done.count),
      coresBusySteady: +(steadyCpuMs / Math.max(1, done.last - done.first)).toFixed(2),
      peakRssMb,
    }),
  );
  await db.drop();
  await receiver.stop();
  if (server.embedded) await server.embedded.server.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
