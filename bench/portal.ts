// npm run bench:portal -- [deliveries] [tenants] [runs]: issue 28's bench line, the customer
// portal's first page of deliveries over 1,000,000 deliveries of 1,000 tenants (defaults;
// runs 20). A fresh database is seeded by SQL in bulk (see scenarios/portal-seed.ts), then:
// 1. API: per run a fresh portal session of a random tenant and the requests the portal
//    makes with it (endpoints, first page of deliveries, its filters), client-timed, against
//    a just-started `postmand server` (the first run is the process's first requests);
// 2. Chromium: per run a fresh session of a random tenant opened at its `url`, against
//    another just-started server: navigation → first endpoint row on screen, and the click
//    on "Deliveries" → first delivery row (when this build's portal has the control).
// Prints markdown for bench/RESULTS.md. Leaves nothing behind: the database is dropped and
// the servers and the browser stopped on failure and on Ctrl-C too.
import { openBrowser } from '../test/support/browser';
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase } from './lib/database';
import { startServer, type ApiServer } from './lib/processes';
import { percentile, quietMachine, seededRandom } from './lib/util';
import { API_KINDS, FIRST_PAGE, measureApi, PAGE } from './scenarios/portal-api';
import { measureBrowser, type BrowserFigures } from './scenarios/portal-browser';
import {
  DAYS,
  HOOKS_PER_TENANT,
  PLATFORM_HOOKS,
  seedPortal,
  type Seeded,
} from './scenarios/portal-seed';

/** What is still to undo, newest first: run on the way out, however it is taken. */
const undo: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
/**
 * Undoes everything, once: a signal's clean-up and the one after the failure it causes (the
 * database's pool closed under a query) share it, so neither exits before it is done.
 */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (let fn = undo.pop(); fn; fn = undo.pop()) {
      await fn().catch((err: unknown) => console.error('cleaning up:', err));
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

async function server(databaseUrl: string): Promise<ApiServer> {
  const started = await startServer(databaseUrl);
  undo.push(() => started.process.stop());
  return started;
}

const fmt = (ms: number | undefined): string => (ms === undefined ? '—' : ms.toFixed(1));
const n = (x: number): string => x.toLocaleString('en-US');

/** The steady runs' figures (runs 2…, where measured), ascending. */
const steadyOf = (times: (number | undefined)[]): number[] =>
  times
    .slice(1)
    .filter((t): t is number => t !== undefined)
    .sort((a, b) => a - b);
const p50 = (times: (number | undefined)[]): number => percentile(steadyOf(times), 50);

/** First (cold) and steady p50 / p95 / max of run-by-run times. */
function cells(times: (number | undefined)[]): string[] {
  const steady = steadyOf(times);
  return [fmt(times[0]), fmt(p50(times)), fmt(percentile(steady, 95)), fmt(steady.at(-1))];
}

const row = (values: (string | number)[]): string => `| ${values.join(' | ')} |`;

function report(
  args: { tenants: number; runs: number },
  seeded: Seeded,
  busy: { api: number; browser: number },
  api: number[][],
  browser: BrowserFigures,
): string {
  const firstPage = p50(api[FIRST_PAGE]);
  const endpoints = p50(browser.runs.map((r) => r.endpointsShown));
  const deliveriesShown = p50(browser.runs.map((r) => r.deliveriesShown));
  const { min, median, max } = seeded.perTenant;
  const lines = [
    `### The customer portal over ${n(seeded.tenantDeliveries)} deliveries of ${n(args.tenants)} tenants`,
    '',
    `Seeded in **${seeded.seconds.toFixed(0)} s** (${seeded.phases.map(([p, s]) => `${p} ${s.toFixed(0)} s`).join(', ')}), by SQL in bulk on the real schema: ${n(args.tenants)} tenants × ${HOOKS_PER_TENANT} endpoints; ${n(seeded.events)} events over ${DAYS} days, each fanned out to 2 of its tenant's endpoints: ${n(seeded.tenantDeliveries)} tenant deliveries (per tenant: fewest ${n(min)}, median ${n(median)}, most ${n(max)}); ${n(seeded.platformDeliveries)} direct deliveries of ${PLATFORM_HOOKS} platform webhooks (no tenant); 90 % succeeded, 7 % failed after 5 attempts, 3 % pending; ${n(seeded.attempts)} attempts in daily partitions.`,
    '',
    `#### API, client-timed: ${args.runs} runs, each a fresh portal session of a random tenant (machine ${busy.api} % busy before)`,
    '',
    `Each run makes every request once with the session's bearer token, in this order; "first" is run 1, the just-started server's first requests; steady is runs 2–${args.runs}. Page size ${PAGE}.`,
    '',
    '| request | first ms | steady p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    ...API_KINDS.map((k, i) => row([`${k.label}: \`GET ${k.path('<id>', 0)}\``, ...cells(api[i])])),
    '',
    `#### In Debian's Chromium (headless): ${args.runs} runs, each a fresh session of a random tenant opened at its \`url\` (machine ${busy.browser} % busy before)`,
    '',
    `"cold" is run 1: a just-started server and a fresh browser profile; steady is runs 2–${args.runs} (browser cache warm). Request times from the page's own Performance API (request start → first byte).`,
    '',
    '| figure | cold ms | steady p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    row([
      'endpoints on screen: navigation start → first `tr[data-endpoint-row]` visible',
      ...cells(browser.runs.map((r) => r.endpointsShown)),
    ]),
    row(["the page's `GET /v1/webhooks`", ...cells(browser.runs.map((r) => r.endpointsApi))]),
  ];
  if (browser.deliveriesView) {
    lines.push(
      row([
        'deliveries on screen: click on "Deliveries" → first `[data-delivery-row]` visible',
        ...cells(browser.runs.map((r) => r.deliveriesShown)),
      ]),
      row([
        `the page's \`GET /v1/deliveries${browser.deliveriesQuery ?? ''}\``,
        ...cells(browser.runs.map((r) => r.deliveriesApi)),
      ]),
    );
  }
  lines.push('');
  if (!browser.deliveriesView) lines.push('deliveries view: not in this build', '');
  if (browser.problems.length > 0) {
    lines.push(`Browser problems seen: ${browser.problems.join('; ')}`, '');
  }
  const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
  lines.push(
    '| target (issue 28) | measured (steady p50) | verdict |',
    '|---|---|---|',
    row(['API time p50 ≤ 50 ms', `${fmt(firstPage)} ms`, verdict(firstPage <= 50)]),
    browser.deliveriesView
      ? row([
          'rows on screen ≤ 300 ms after navigation',
          `${fmt(deliveriesShown)} ms (click → delivery rows)`,
          verdict(deliveriesShown <= 300),
        ])
      : row(['rows on screen ≤ 300 ms after navigation', 'deliveries view not in this build', '—']),
    row([
      '(today) endpoint rows on screen ≤ 300 ms after navigation',
      `${fmt(endpoints)} ms`,
      verdict(endpoints <= 300),
    ]),
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [deliveries = 1_000_000, tenants = 1000, runs = 20] = process.argv
    .slice(2)
    .map((a) => Number(a));
  if (![deliveries, tenants, runs].every((x) => Number.isInteger(x) && x > 0) || runs < 2) {
    throw new Error('usage: bench:portal -- [deliveries] [tenants] [runs ≥ 2]');
  }
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  if (pg.embedded) undo.push(() => pg.embedded!.server.stop());
  const db = await createBenchDatabase(pg.url);
  undo.push(() => db.drop());
  console.error(`seeding ${n(deliveries)} deliveries of ${n(tenants)} tenants into ${db.name}…`);
  const seeded = await seedPortal(db, tenants, deliveries);
  console.error(`seeded in ${seeded.seconds.toFixed(0)} s`);
  const random = seededRandom(28);
  const pickTenant = (): string => `t${1 + Math.floor(random() * tenants)}`;

  const busyApi = await quietMachine();
  const apiServer = await server(db.url);
  const api = await measureApi(apiServer.url, runs, pickTenant);
  await undo.pop()!(); // that server: the browser's runs start on a just-started one

  const busyBrowser = await quietMachine();
  const browser = await openBrowser(undefined, { handleSIGINT: false });
  undo.push(() => browser.close());
  const browserServer = await server(db.url);
  const figures = await measureBrowser(browser, browserServer.url, runs, pickTenant);
  if (!figures.deliveriesView) console.error('deliveries view: not in this build');

  console.log(
    `Written by \`npm run bench:portal -- ${deliveries} ${tenants} ${runs}\` on ${new Date().toISOString()}.\n`,
  );
  console.log(
    report({ tenants, runs }, seeded, { api: busyApi, browser: busyBrowser }, api, figures),
  );
}

async function run(): Promise<void> {
  try {
    await main();
  } finally {
    await cleanUp();
  }
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
