// npm run bench:fairness -- [backlog=1000000] [probes=200]: issue 30's fairness figure, "p99
// of B's create → receive with A's backlog of 1,000,000 within 2 × that on an idle service",
// with the peers at their best settings beside postmand, in one run on one machine.
//
// For each system, two runs on a fresh database with one worker process:
// - idle: only webhook B. `probes` deliveries for B are created one at a time, 20 a second
//   (after 20 unmeasured ones); each is timed from its creation returning (postmand: the
//   POST /v1/deliveries to a `server` process; a peer: its client's addJob / send) to B's
//   receiver seeing the request: one machine, one clock (as bench/scenarios/latency.ts).
// - backlog: first `backlog` due deliveries (jobs) for webhook A, seeded by SQL (postmand)
//   or the peer's batch insert, answered by a fast receiver of A's own so that A keeps every
//   worker slot busy for minutes; once A has been dispatched for 5 s, the same probes for B
//   while A drains. A's rate (its receiver's count) just before and during the probes shows
//   what fairness costs A.
// postmand shares each claim pass between the webhooks with due work (CLAIM_SQL), so B's
// probes should not wait behind A; graphile-worker and pg-boss take the oldest job first
// from one queue, so B waits until A's backlog drains: a probe not received within 60 s is
// counted as not received (">60000" ms), which bounds the run.
// The target: postmand's backlog p99 ≤ 2 × its idle p99. BENCH_PEERS=0 runs postmand only.
// Runs the built CLI (npm run build first; the npm script does).
import { pickServer } from '../test/support/pg-server';
import { fairnessPeer, type Peer } from './scenarios/fairness-peers';
import { fairnessPostmand, PROBE_CAP_MS, type FairnessResult } from './scenarios/fairness';
import { quietMachine } from './lib/util';

/** In ms; a probe not received within the cap is shown as more than the cap. */
const ms = (x: number): string =>
  Number.isFinite(x) ? String(Math.round(x)) : x === Infinity ? `>${PROBE_CAP_MS}` : '—';
const perSecond = (x: number | undefined): string => (x === undefined ? '—' : String(x));

function row(scenario: string, r: FairnessResult, ratio: string): string {
  const received = r.received === r.probes ? `${r.received}` : `**${r.received}**/${r.probes}`;
  const ranOut = r.aRanOut ? ' (A ran out: make the backlog bigger)' : '';
  return (
    `| ${r.system} | ${scenario} | ${received} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ` +
    `${ratio} | ${perSecond(r.aBefore)} / ${perSecond(r.aDuring)}${ranOut} |`
  );
}

async function main(): Promise<void> {
  const backlog = Number(process.argv[2] ?? 1_000_000);
  const probes = Number(process.argv[3] ?? 200);
  if (!(backlog > 0) || !(probes > 0)) throw new Error('usage: [backlog>0] [probes>0]');
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const systems: ('postmand' | Peer)[] =
    process.env.BENCH_PEERS === '0' ? ['postmand'] : ['postmand', 'graphile-worker', 'pg-boss'];
  const lines: string[] = [];
  for (const system of systems) {
    const runs: [string, FairnessResult][] = [];
    for (const n of [0, backlog]) {
      const busy = await quietMachine();
      const scenario = n === 0 ? 'idle' : `backlog of ${n.toLocaleString('en')} for A`;
      console.log(`${system}, ${scenario} (machine ${busy}% busy before)`);
      const r =
        system === 'postmand'
          ? await fairnessPostmand(server.url, n, probes)
          : await fairnessPeer(server.url, system, n, probes);
      console.log(`  p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)} ms`);
      runs.push([scenario, r]);
    }
    const [[, idle], [, loaded]] = runs;
    const ratio = loaded.p99 / idle.p99;
    // A p99 beyond the cap: the ratio is at least the cap's.
    const ratioText = Number.isFinite(ratio)
      ? `**${ratio.toFixed(2)} ×**`
      : loaded.p99 === Infinity && idle.p99 > 0
        ? `**> ${Math.floor(PROBE_CAP_MS / idle.p99)} ×**`
        : '—';
    lines.push(row(runs[0][0], idle, ''), row(runs[1][0], loaded, ratioText));
  }
  console.log(
    `\nB's create → receive, ${probes} probes at 20/s, one at a time; a probe not received ` +
      `within ${PROBE_CAP_MS / 1000} s counts as not received. Target: postmand's backlog p99 ≤ 2 × its idle p99.\n`,
  );
  console.log(
    '| system | scenario | B received | p50 ms | p99 ms | max ms | p99 ÷ idle p99 | A/s before / during the probes |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
  if (server.embedded) await server.embedded.server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
