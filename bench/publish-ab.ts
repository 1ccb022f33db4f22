// npm run bench:publish-ab -- <before main.js> [requests] [rounds]: publishing
// (POST /v1/events) by two builds side by side (issue 29: publishing to webhooks without
// filters unchanged beside the build before the event type catalogue and filters). The
// "before" build is another checkout's built CLI (`dist/apps/cli/src/main.js`); "after" is
// this build. In each round, each build (alternating which goes first) gets a fresh
// database migrated by its own `postmand migrate`, its own `server` process (no worker),
// and the same webhooks through its API (v1 fields both take: no filter, no event types in
// a catalogue). Then the kinds below, each POSTed `requests` times (default 300, after a
// warm-up), taking turns; then `requests` × 4 publishes, 16 in flight (1 match, small
// payload): requests/s and each request's p50 / p95.
// Prints, per kind, each build's p50 / p95 in each round and their medians across rounds,
// with the after / before ratio.
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase } from './lib/database';
import { migrateWith, startServer } from './lib/processes';
import {
  concurrently,
  createHook,
  median,
  pct,
  publish,
  sized,
  small,
  type PublishKind,
} from './lib/publish';
import { quietMachine } from './lib/util';

const HOOKS = 1000;
const WARM_UP = 20;
const IN_FLIGHT = 16;

const KINDS: PublishKind[] = [
  { label: '1 webhook, small payload', eventType: 'solo.created', payload: small, deliveries: 1 },
  {
    label: `${HOOKS.toLocaleString('en-US')} webhooks, small payload`,
    eventType: 'fanout.created',
    payload: small,
    deliveries: HOOKS,
  },
  {
    label: '1 webhook, 1 MiB payload',
    eventType: 'solo.created',
    payload: sized(1_000_000, 'gold'),
    deliveries: 1,
  },
];
const IN_FLIGHT_KIND = KINDS[0];

type Build = 'before' | 'after';

/** One build's figures in one round: p50 / p95 ms per kind, and the in-flight run's. */
interface Run {
  kinds: { p50: number; p95: number }[];
  perSecond: number;
  inFlight: { p50: number; p95: number };
  /** How busy the machine was just before (quietMachine's last reading), in %. */
  busy: number;
}

const stats = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95) });

/** One build (the CLI startPostmand runs) on a fresh database of `pgUrl`'s server. */
async function runBuild(pgUrl: string, requests: number): Promise<Run> {
  const busy = await quietMachine();
  const db = await createBenchDatabase(pgUrl, false);
  try {
    await migrateWith(db.url);
    const server = await startServer(db.url);
    try {
      for (let i = 0; i < HOOKS; i++) await createHook(server.url, 'fanout.created');
      await createHook(server.url, 'solo.created');
      await db.dataSource.query(`VACUUM ANALYZE webhooks`);
      await db.dataSource.query(`VACUUM ANALYZE webhook_event_types`);
      const ms = KINDS.map(() => [] as number[]);
      for (let i = 0; i < WARM_UP + requests; i++) {
        for (let k = 0; k < KINDS.length; k++) {
          const took = await publish(server.url, KINDS[k], i);
          if (i >= WARM_UP) ms[k].push(took);
        }
      }
      await concurrently(server.url, IN_FLIGHT_KIND, WARM_UP * IN_FLIGHT, IN_FLIGHT);
      const many = await concurrently(server.url, IN_FLIGHT_KIND, requests * 4, IN_FLIGHT);
      return {
        kinds: ms.map(stats),
        perSecond: many.perSecond,
        inFlight: stats(many.times),
        busy,
      };
    } finally {
      await server.process.stop();
    }
  } finally {
    await db.drop();
  }
}

const f1 = (n: number) => n.toFixed(1);
const ratio = (after: number, before: number) => `${(after / before).toFixed(2)} ×`;

/** A table of one measure (p50 / p95 ms) across rounds: each round, then the medians. */
function table(
  title: string,
  runs: Record<Build, Run>[],
  pick: (r: Run) => { p50: number; p95: number },
): void {
  console.log(`\n${title}`);
  console.log('| round | before p50 / p95 ms | after p50 / p95 ms |');
  console.log('|---|---|---|');
  runs.forEach((r, i) => {
    const [b, a] = [pick(r.before), pick(r.after)];
    console.log(`| ${i + 1} | ${f1(b.p50)} / ${f1(b.p95)} | ${f1(a.p50)} / ${f1(a.p95)} |`);
  });
  const m = (build: Build, q: 'p50' | 'p95') => median(runs.map((r) => pick(r[build])[q]));
  console.log(
    `| median | ${f1(m('before', 'p50'))} / ${f1(m('before', 'p95'))} | ${f1(m('after', 'p50'))} / ${f1(m('after', 'p95'))} |`,
  );
  console.log(
    `after / before (medians): p50 ${ratio(m('after', 'p50'), m('before', 'p50'))}, p95 ${ratio(m('after', 'p95'), m('before', 'p95'))}`,
  );
}

async function main(): Promise<void> {
  const [before, requestsArg, roundsArg] = process.argv.slice(2);
  if (!before) {
    throw new Error('usage: bench:publish-ab -- <before build main.js> [requests] [rounds]');
  }
  const requests = Number(requestsArg ?? 300);
  const rounds = Number(roundsArg ?? 3);
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const runs: Record<Build, Run>[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternate which build goes first, so neither always runs on a warmer machine.
      const order: Build[] = round % 2 ? ['before', 'after'] : ['after', 'before'];
      const result: Partial<Record<Build, Run>> = {};
      for (const build of order) {
        if (build === 'before') process.env.POSTMAND_BENCH_CLI = before;
        else delete process.env.POSTMAND_BENCH_CLI;
        result[build] = await runBuild(pg.url, requests);
        console.error(
          `round ${round} ${build}: ${Math.round(result[build].perSecond)} req/s in flight ` +
            `(machine ${result[build].busy}% busy before)`,
        );
      }
      runs.push(result as Record<Build, Run>);
    }
  } finally {
    delete process.env.POSTMAND_BENCH_CLI;
    if (pg.embedded) await pg.embedded.server.stop();
  }
  console.log(
    `POST /v1/events, before (${before}) and after (this build), ${rounds} round(s), each build ` +
      `on a fresh database; ${requests} of each kind per round, taking turns (after ${WARM_UP} ` +
      `each); before each build's run, up to 30 s for the machine to be ≤ 15% busy: it ` +
      `was ${runs.map((r) => `${r.before.busy}/${r.after.busy}`).join(', ')} % (before/after by round)`,
  );
  KINDS.forEach((kind, k) =>
    table(`${kind.label} (delivery_count ${kind.deliveries})`, runs, (r) => r.kinds[k]),
  );
  table(
    `${IN_FLIGHT_KIND.label}, ${IN_FLIGHT} in flight: each request's time (${requests * 4} POSTs)`,
    runs,
    (r) => r.inFlight,
  );
  const rate = (build: Build) => median(runs.map((r) => r[build].perSecond));
  console.log(
    `\n${IN_FLIGHT} in flight, requests/s: before ${Math.round(rate('before'))}, after ` +
      `${Math.round(rate('after'))} (medians; rounds: ${runs.map((r) => `${Math.round(r.before.perSecond)}/${Math.round(r.after.perSecond)}`).join(', ')}); ` +
      `after / before ${ratio(rate('after'), rate('before'))}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
