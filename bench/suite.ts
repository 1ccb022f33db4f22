// npm run bench: the whole benchmark suite, one run, tables on stdout and bench/RESULTS.md.
// BENCH_QUICK=1 shrinks every scenario (a few minutes) for trying changes out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { pickServer } from '../test/support/pg-server';
import { apiThroughput, type ApiResult } from './scenarios/api';
import { backlogThroughput } from './scenarios/backlog';
import {
  dispatchPeer,
  dispatchPostmand,
  dispatchSqlOnly,
  PEER_SETTINGS,
  type DispatchResult,
  type PeerSettings,
} from './scenarios/dispatch';
import { quietMachine } from './lib/util';
import { eventsReport } from './scenarios/events';
import { limitsReport } from './scenarios/limits';
import { dashboardReport } from './scenarios/dashboard';
import { latency } from './scenarios/latency';
import { sustained } from './scenarios/sustained';

const quick = process.env.BENCH_QUICK === '1';
const N = quick ? 10_000 : 50_000;
/** pg-boss sends ~200/s here: 10,000 jobs show its steady rate without 4 minutes of waiting. */
const PG_BOSS_N = Math.min(N, 10_000);
const out: string[] = [];
const timings: [string, number][] = [];

/** Runs one scenario and notes how long it took, for the suite-time table. */
async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([name, Math.round((Date.now() - started) / 1000)]);
  }
}

function table(title: string, head: string[], rows: (string | number)[][]): void {
  const lines = [
    `### ${title}`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  const text = lines.join('\n');
  console.log(`\n${text}\n`);
  out.push(text, '');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

async function main(): Promise<void> {
  const startedAt = Date.now();
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const pg = new Client({ connectionString: server.url });
  await pg.connect();
  const [{ server_version: pgVersion }] = (await pg.query('SHOW server_version')).rows as {
    server_version: string;
  }[];
  await pg.end();
  const pkg = (name: string): string =>
    (
      JSON.parse(
        fs.readFileSync(path.join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string }
    ).version;

  out.push(
    '# postmand benchmark results',
    '',
    `Written by \`npm run bench\`${quick ? ' (BENCH_QUICK=1: shrunk scenarios)' : ''} on ${new Date().toISOString()}.`,
    '',
    `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    `- Node.js ${process.version}; PostgreSQL ${pgVersion} (${server.description}), same machine as the worker, the API, the receiver and the load generator`,
    `- postmand ${(JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string }).version}, graphile-worker ${pkg('graphile-worker')}, pg-boss ${pkg('pg-boss')}, autocannon ${pkg('autocannon')}`,
    '',
  );

  // 1. Dispatch throughput: postmand against each peer untuned and at its documented best
  // settings (bench/scenarios/dispatch.ts, PEER_SETTINGS); ratios are to the best peer.
  const busy: number[] = [];
  const quietly = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    busy.push(await quietMachine());
    return timed(name, fn);
  };
  const runs: DispatchResult[] = [];
  for (let i = 0; i < 3; i++)
    runs.push(await quietly('1. postmand dispatch', () => dispatchPostmand(server.url, N)));
  const postmandRate = median(runs.map((r) => r.perSecond));
  const peerRuns: { peer: string; result: DispatchResult; busy: number }[] = [];
  for (const [peer, settings] of Object.entries(PEER_SETTINGS) as [
    'graphile-worker' | 'pg-boss',
    PeerSettings[],
  ][]) {
    for (const setting of settings) {
      const count = peer === 'pg-boss' && !setting.notify ? PG_BOSS_N : N;
      const result = await quietly(`1. ${peer}`, () =>
        dispatchPeer(server.url, peer, count, setting),
      );
      peerRuns.push({ peer, result, busy: busy[busy.length - 1] });
    }
  }
  const bestOf = (peer: string): DispatchResult =>
    peerRuns
      .filter((r) => r.peer === peer)
      .map((r) => r.result)
      .reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const bestPeer = [bestOf('graphile-worker'), bestOf('pg-boss')].reduce((a, b) =>
    b.perSecond > a.perSecond ? b : a,
  );
  const limit = await quietly('1. SQL only', () => dispatchSqlOnly(server.url, N));
  table(
    `1. Dispatch throughput: ${N.toLocaleString('en')} due deliveries, one worker process, fast receiver`,
    ['system', 'deliveries/s', 'ratio to postmand', 'peak RSS MB', 'CPU busy before (%)'],
    [
      [
        `postmand (median of 3: ${runs.map((r) => r.perSecond).join(', ')})`,
        postmandRate,
        '1.00',
        Math.max(...runs.map((r) => r.peakRssMb ?? 0)),
        busy.slice(0, 3).join(', '),
      ],
      ...peerRuns.map(({ result: p, busy: b }) => [
        `${p.system}${p.deliveries === N ? '' : ` (${p.deliveries.toLocaleString('en')} jobs)`}${p === bestOf(p.system.split(' ')[0]) ? ' **best**' : ''}`,
        p.perSecond,
        (p.perSecond / postmandRate).toFixed(2),
        p.peakRssMb ?? '',
        b,
      ]),
      [
        limit.system,
        limit.perSecond,
        (limit.perSecond / postmandRate).toFixed(2),
        '—',
        busy[busy.length - 1],
      ],
    ],
  );
  out.push(
    `postmand ÷ best tuned peer (${bestPeer.system}): **${(postmandRate / bestPeer.perSecond).toFixed(2)} ×**; postmand ÷ SQL alone: ${(postmandRate / limit.perSecond).toFixed(2)} ×.`,
    '',
  );

  // 2. Latency.
  const lat = await timed('2. latency', () => latency(server.url, 200, quick ? 10 : 30));
  table(
    '2. Latency at 200 deliveries/s offered (POST returned → receiver saw it), after a 2 s warm-up',
    ['deliveries', 'p50 ms', 'p99 ms', 'max ms', 'failed POSTs'],
    [[lat.deliveries, lat.p50, lat.p99, lat.max, lat.failed]],
  );

  // 3. Slow endpoints.
  const slow = await timed('3. slow endpoints', () =>
    dispatchPostmand(server.url, quick ? 500 : 2000, { delayMs: 1000 }),
  );
  table(
    '3. Slow endpoints: receiver answers after 1 s, default concurrency (100)',
    ['deliveries', 'deliveries/s', 'ideal (100/s)', 'peak RSS MB'],
    [[slow.deliveries, slow.perSecond, 100, slow.peakRssMb ?? '']],
  );

  // 4. API.
  const api: ApiResult[] = await timed('4. API', () => apiThroughput(server.url, quick ? 5 : 10));
  const bare = api[0].requestsPerSecond;
  table(
    '4. API under autocannon (32 connections)',
    ['endpoint', 'req/s', 'ratio to bare route', 'p50 ms', 'p99 ms', 'errors'],
    api.map((a) => [
      a.name,
      a.requestsPerSecond,
      (a.requestsPerSecond / bare).toFixed(2),
      a.p50,
      a.p99,
      a.errors,
    ]),
  );

  // 5. Backlog scale.
  const small = await timed('5a. 10k backlog', () =>
    backlogThroughput(server.url, 10_000, 0, 10_000),
  );
  const big = await timed('5a/b. 1M backlog and lists', () =>
    backlogThroughput(
      server.url,
      quick ? 200_000 : 1_000_000,
      quick ? 500_000 : 5_000_000,
      quick ? 10_000 : 30_000,
      true,
    ),
  );
  table(
    '5a. Dispatch rate against the backlog size',
    ['due deliveries', 'finished deliveries + attempt rows', 'measured', 'deliveries/s'],
    [
      [
        small.result.backlog,
        small.result.attemptRows,
        small.result.measured,
        small.result.perSecond,
      ],
      [big.result.backlog, big.result.attemptRows, big.result.measured, big.result.perSecond],
    ],
  );
  table(
    '5b. List latency on the big tables (50 sequential requests each)',
    ['request', 'p50 ms', 'p95 ms'],
    (big.lists ?? []).map((l) => [`\`GET ${l.query}\``, l.p50, l.p95]),
  );
  const minutes = quick ? 1 : 10;
  const sus = await timed('5c. sustained', () => sustained(server.url, minutes));
  table(
    `5c. Sustained run: ${minutes} minute(s), backlog kept at 50,000`,
    ['minute', 'deliveries/s'],
    sus.perMinute.map((n, i) => [i + 1, Math.round(n / 60)]),
  );

  // 6. Memory with 1 MB payloads.
  const heavy = await timed('6. 1 MB payloads', () =>
    dispatchPostmand(server.url, quick ? 100 : 300, { payloadBytes: 1_048_576 }),
  );
  table(
    '6. Worker peak RSS',
    ['run', 'peak RSS MB'],
    [
      ['1. dispatch throughput (max of 3)', Math.max(...runs.map((r) => r.peakRssMb ?? 0))],
      ['3. slow endpoints', slow.peakRssMb ?? ''],
      [`5c. sustained ${minutes} min`, sus.peakRssMb],
      [
        `1 MB payloads (${heavy.deliveries} deliveries, ${heavy.perSecond}/s)`,
        heavy.peakRssMb ?? '',
      ],
    ],
  );

  // 7. Events.
  const events = await timed('7. events', () => eventsReport(server.url, quick));
  console.log(events.markdown);
  out.push(events.markdown);

  // 8. Endpoint limits.
  const limits = await timed('8. endpoint limits', () => limitsReport(server.url, quick));
  console.log(limits.markdown);
  out.push(limits.markdown);

  // 10. The dashboard over 1 M deliveries (section 9 is npm run bench:retention).
  const dashboard = await timed('10. dashboard', () => dashboardReport(server.url, quick));
  console.log(dashboard.markdown);
  out.push(dashboard.markdown);

  const post = api[1];
  const listP95 = Math.max(...(big.lists ?? []).map((l) => l.p95));
  table(
    'Targets',
    ['target', 'measured', 'verdict'],
    [
      [
        'dispatch ≥ 5,000/s, one worker (long-range goal)',
        postmandRate,
        verdict(postmandRate >= 5000),
      ],
      [
        'dispatch ≥ 1.3 × the best tuned peer',
        `${(postmandRate / bestPeer.perSecond).toFixed(2)} × ${bestPeer.system} (${bestPeer.perSecond}/s)`,
        verdict(postmandRate >= 1.3 * bestPeer.perSecond),
      ],
      [
        'dispatch ≥ 0.25 × the SQL alone',
        `${(postmandRate / limit.perSecond).toFixed(2)} × (${limit.perSecond}/s)`,
        verdict(postmandRate >= 0.25 * limit.perSecond),
      ],
      [
        'latency p50 ≤ 5 ms, p99 ≤ 25 ms',
        `${lat.p50} / ${lat.p99}`,
        verdict(lat.p50 <= 5 && lat.p99 <= 25),
      ],
      ['slow endpoints ≥ 90/s', slow.perSecond, verdict(slow.perSecond >= 90)],
      [
        'API create ≥ 0.6 × the bare route with the same pipe',
        `${(post.requestsPerSecond / bare).toFixed(2)} × (${post.requestsPerSecond} vs ${bare} req/s)`,
        verdict(post.requestsPerSecond >= 0.6 * bare),
      ],
      [
        '1M backlog ≥ 0.9 × 10k rate',
        `${big.result.perSecond} vs ${small.result.perSecond}`,
        verdict(big.result.perSecond >= 0.9 * small.result.perSecond),
      ],
      [
        `sustained last minute ≥ 0.8 × first`,
        `${sus.lastMinutePerSecond} vs ${sus.firstMinutePerSecond} (${sus.ratio})`,
        verdict(sus.ratio >= 0.8),
      ],
      [
        'list p95 ≤ 20 ms',
        `${Math.round(listP95 * 10) / 10} (worst query)`,
        verdict(listP95 <= 20),
      ],
      [
        'worker RSS ≤ 250 MB in runs 1 and 3',
        `${Math.max(...runs.map((r) => r.peakRssMb ?? 0))} / ${slow.peakRssMb}`,
        verdict(Math.max(...runs.map((r) => r.peakRssMb ?? 0), slow.peakRssMb ?? 0) <= 250),
      ],
      ...events.targets.map(([target, measured, ok]) => [target, measured, verdict(ok)]),
      ...limits.targets.map(([target, measured, ok]) => [target, measured, verdict(ok)]),
      ...dashboard.targets.map(([target, measured, ok]) => [target, measured, verdict(ok)]),
    ],
  );
  table(
    `Suite time: ${Math.round((Date.now() - startedAt) / 60_000)} min (setup included)`,
    ['scenario', 'seconds'],
    timings,
  );
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), `${out.join('\n')}\n`);
  console.log('\nwrote bench/RESULTS.md');

  if (server.embedded) {
    await server.embedded.server.stop();
    fs.rmSync(server.embedded.dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
