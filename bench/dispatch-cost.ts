// bench/dispatch-cost.ts <before main.js> [deliveries] [rounds]: the per-delivery cost of
// two builds beside the SQL alone (issue 30 part 3), in alternating rounds on the same
// machine: steady (first → last) and from-process-start deliveries/s of one `postmand
// worker` on N due deliveries of one webhook, the claim-and-complete SQL alone
// (dispatchSqlOnly) in the same round, the steady rate's ratio to it, and peak RSS.
import { pickServer } from '../test/support/pg-server';
import { dispatchPostmand, dispatchSqlOnly, type DispatchResult } from './scenarios/dispatch';

const fmt = (n: number): string => n.toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const [before, countArg, roundsArg] = process.argv.slice(2);
  if (!before)
    throw new Error('usage: dispatch-cost.ts <before build main.js> [deliveries] [rounds]');
  const count = Number(countArg ?? 20_000);
  const rounds = Number(roundsArg ?? 2);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const rows: string[] = [];
  const ratios: Record<'before' | 'after', number[]> = { before: [], after: [] };
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    const sql = await dispatchSqlOnly(server.url, count);
    for (const build of order) {
      if (build === 'before') process.env.POSTMAND_BENCH_CLI = before;
      else delete process.env.POSTMAND_BENCH_CLI;
      const r: DispatchResult = await dispatchPostmand(server.url, count);
      const ratio = r.perSecond / sql.perSecond;
      ratios[build].push(ratio);
      const row = `| ${round} | ${build} | ${fmt(r.perSecond)} | ${fmt(r.fromStartPerSecond ?? 0)} | ${fmt(sql.perSecond)} | ${ratio.toFixed(2)} | ${r.peakRssMb ?? '?'} |`;
      console.error(row);
      rows.push(row);
    }
  }
  console.log(
    '| round | build | steady/s | from start/s | SQL alone rows/s | steady ÷ SQL | peak RSS MB |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(
    `\nmedian steady ÷ SQL: before ${median(ratios.before).toFixed(2)}, after ${median(ratios.after).toFixed(2)}`,
  );
  if (server.embedded) await server.embedded.server.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
