// npm run bench:ingest -- [seconds] [rounds] [before main.js]: can a producer keep a worker
// busy (issue 30 part 4)? Per round, a `server` process on a fresh database (migrated by
// its own build), one webhook (event type `ingest.created`, inactive: no worker runs), then
// autocannon at 16 connections for `seconds` (default 10) on POST /v1/deliveries and
// POST /v1/events (1 match); beside it, in the same run, the worker's dispatch rate
// (dispatchPostmand, 20,000 deliveries, first to last). Prints req/s, p50 and p99 per route
// and the ratio ingest / dispatch. With a `before` build (another checkout's
// dist/apps/cli/src/main.js), each round runs both builds' servers, alternating which goes
// first (the machine is shared and noisy: compare ratios within a round).
import * as fs from 'node:fs';
import { pickServer } from '../test/support/pg-server';
import { cannon, type ApiResult } from './scenarios/api';
import { dispatchPostmand } from './scenarios/dispatch';
import { createBenchDatabase } from './lib/database';
import { migrateWith, startServer } from './lib/processes';
import { median } from './lib/publish';

const IN_FLIGHT = 16;
const DISPATCHED = 20_000;

type Build = 'before' | 'after';

/** A route's figures, with the server process's CPU time per request (user + system). */
type Route = ApiResult & { cpuMs: number };

interface Ingest {
  deliveries: Route;
  events: Route;
}

/** A process's CPU time so far (user + system), in ms, from /proc. */
function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are the stat file's 14th and 15th fields, in clock ticks (100 Hz).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function post(url: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** Both routes on one build (the CLI startPostmand runs), `seconds` each, after a warm-up. */
async function ingest(pgUrl: string, seconds: number): Promise<Ingest> {
  const db = await createBenchDatabase(pgUrl, false);
  try {
    await migrateWith(db.url);
    const server = await startServer(db.url);
    try {
      const hook = await post(`${server.url}/v1/webhooks`, {
        name: 'ingest',
        url: 'http://127.0.0.1:9/hook',
        content_type: 'application/json',
        valid_status_codes: [200],
        event_types: ['ingest.created'],
        active: false,
      });
      const payload = '{"event":"order.created","order_id":1,"amount":4200,"currency":"EUR"}';
      const pid = server.process.child.pid!;
      const run = async (route: string, body: unknown, duration: number): Promise<Route> => {
        const cpuBefore = cpuMsOf(pid);
        let requests = 0;
        const result = await cannon(route, {
          url: `${server.url}${route}`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          connections: IN_FLIGHT,
          duration,
          setupClient: (client) => client.on('response', () => requests++),
        });
        return { ...result, cpuMs: (cpuMsOf(pid) - cpuBefore) / Math.max(1, requests) };
      };
      const delivery = { webhook_id: hook.id, payload };
      const event = { event_type: 'ingest.created', payload };
      await run('/v1/deliveries', delivery, 1);
      await run('/v1/events', event, 1);
      const deliveries = await run('/v1/deliveries', delivery, seconds);
      const events = await run('/v1/events', event, seconds);
      for (const r of [deliveries, events]) {
        if (r.errors > 0) throw new Error(`${r.name}: ${r.errors} errors or non-2xx answers`);
      }
      return { deliveries, events };
    } finally {
      await server.process.stop();
    }
  } finally {
    await db.drop();
  }
}

const f = (n: number) => Math.round(n).toLocaleString('en-US');
const x = (a: number, b: number) => `${(a / b).toFixed(2)} ×`;

async function main(): Promise<void> {
  const [secondsArg, roundsArg, before] = process.argv.slice(2);
  const seconds = Number(secondsArg ?? 10);
  const rounds = Number(roundsArg ?? 1);
  const builds: Build[] = before ? ['before', 'after'] : ['after'];
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const rows: { round: number; build: Build; ingest: Ingest }[] = [];
  const dispatch: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? builds : [...builds].reverse();
      for (const build of order) {
        if (build === 'before') process.env.POSTMAND_BENCH_CLI = before;
        else delete process.env.POSTMAND_BENCH_CLI;
        const result = await ingest(pg.url, seconds);
        rows.push({ round, build, ingest: result });
        console.error(
          `round ${round} ${build}: deliveries ${f(result.deliveries.requestsPerSecond)}/s, ` +
            `events ${f(result.events.requestsPerSecond)}/s`,
        );
      }
      delete process.env.POSTMAND_BENCH_CLI;
      const worker = await dispatchPostmand(pg.url, DISPATCHED);
      dispatch.push(worker.perSecond);
      console.error(`round ${round} worker: ${f(worker.perSecond)} deliveries/s`);
    }
  } finally {
    delete process.env.POSTMAND_BENCH_CLI;
    if (pg.embedded) await pg.embedded.server.stop();
  }
  console.log(
    `Ingest at ${IN_FLIGHT} in flight, ${seconds} s a route, ${rounds} round(s); the worker ` +
      `(this build) dispatching ${f(DISPATCHED)} due deliveries in the same round, first to last` +
      (before ? `; before = ${before}, after = this build` : ''),
  );
  console.log(
    '\n| round | build | route | req/s | p50 ms | p99 ms | server CPU ms / request | worker /s | ingest / dispatch |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const { round, build, ingest: r } of rows) {
    const worker = dispatch[round - 1];
    for (const a of [r.deliveries, r.events]) {
      console.log(
        `| ${round} | ${build} | POST ${a.name} | ${f(a.requestsPerSecond)} | ${a.p50} | ` +
          `${a.p99} | ${a.cpuMs.toFixed(2)} | ${f(worker)} | ${x(a.requestsPerSecond, worker)} |`,
      );
    }
  }
  console.log(`\nmedians (worker ${f(median(dispatch))}/s):`);
  for (const build of builds) {
    const mine = rows.filter((r) => r.build === build);
    for (const route of ['deliveries', 'events'] as const) {
      const rate = median(mine.map((r) => r.ingest[route].requestsPerSecond));
      const cpu = median(mine.map((r) => r.ingest[route].cpuMs));
      const ratios = mine.map((r) => r.ingest[route].requestsPerSecond / dispatch[r.round - 1]);
      console.log(
        `  ${build} POST /v1/${route}: ${f(rate)} req/s, ${cpu.toFixed(2)} ms of server CPU a ` +
          `request, ingest / dispatch ${median(ratios).toFixed(2)} ×`,
      );
    }
  }
  if (before) {
    for (const route of ['deliveries', 'events'] as const) {
      const ratios = (pick: (r: Route) => number) =>
        Array.from({ length: rounds }, (_, i) => {
          const [b, a] = (['before', 'after'] as const).map((build) =>
            pick(rows.find((r) => r.round === i + 1 && r.build === build)!.ingest[route]),
          );
          return a / b;
        });
      const line = (xs: number[]) =>
        `${xs.map((r) => r.toFixed(2)).join(', ')} (median ${median(xs).toFixed(2)} ×)`;
      console.log(
        `  after / before POST /v1/${route} by round: req/s ${line(ratios((r) => r.requestsPerSecond))}; ` +
          `CPU a request ${line(ratios((r) => r.cpuMs))}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
