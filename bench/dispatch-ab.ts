// npm run bench:ab -- <before main.js> [deliveries] [rounds]: dispatch by two builds side by
// side, in alternating rounds on the same machine, through the same scenario as section 1
// (N due deliveries for one webhook, one `postmand worker` process, a fast receiver). The
// "before" build is another checkout's built CLI (`dist/apps/cli/src/main.js`), run on this
// build's schema; "after" is this build. With POSTMAND_BENCH_TENANT=1 the webhook and its
// deliveries belong to a tenant (SPEC §11): both builds then run with
// POSTMAND_ALLOWED_NETWORKS=127.0.0.0/8, since a tenant's webhook is always subject to the
// private-network guard and the receiver is local.
import { pickServer } from '../test/support/pg-server';
import { createWebhook, insertDeliveries, type BenchDatabase } from './lib/database';
import { dispatchPostmand, type DispatchResult } from './scenarios/dispatch';

/** One tenant's webhook with `count` due deliveries (POSTMAND_BENCH_TENANT=1). */
const tenantFill =
  (count: number) =>
  async (db: BenchDatabase, receiverUrl: string): Promise<void> => {
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('acme', 'Acme')`);
    const webhook = await createWebhook(db, `${receiverUrl}/hook`);
    await db.dataSource.query(`UPDATE webhooks SET tenant_id = 'acme' WHERE id = $1`, [webhook]);
    await insertDeliveries(db, webhook, count);
    await db.dataSource.query(`UPDATE deliveries SET tenant_id = 'acme'`);
  };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};
const mean = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
const fmt = (n: number): string => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const [before, countArg, roundsArg] = process.argv.slice(2);
  if (!before) throw new Error('usage: bench:ab -- <before build main.js> [deliveries] [rounds]');
  const count = Number(countArg ?? 50_000);
  const rounds = Number(roundsArg ?? 3);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const runs: { before: DispatchResult; after: DispatchResult }[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate which build goes first, so neither always runs on a warmer machine.
    const order = round % 2 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    const result: Partial<Record<'before' | 'after', DispatchResult>> = {};
    for (const build of order) {
      if (build === 'before') process.env.POSTMAND_BENCH_CLI = before;
      else delete process.env.POSTMAND_BENCH_CLI;
      result[build] = await dispatchPostmand(
        server.url,
        count,
        process.env.POSTMAND_BENCH_TENANT === '1'
          ? { fill: tenantFill(count), env: { POSTMAND_ALLOWED_NETWORKS: '127.0.0.0/8' } }
          : {},
      );
      console.error(`round ${round} ${build}: ${fmt(result[build].perSecond)}/s`);
    }
    runs.push(result as { before: DispatchResult; after: DispatchResult });
  }
  console.log(`| run | before deliveries/s | after deliveries/s | peak RSS MB before / after |`);
  console.log(`|---|---|---|---|`);
  runs.forEach((r, i) =>
    console.log(
      `| ${i + 1} | ${fmt(r.before.perSecond)} | ${fmt(r.after.perSecond)} | ${r.before.peakRssMb ?? '?'} / ${r.after.peakRssMb ?? '?'} |`,
    ),
  );
  const b = runs.map((r) => r.before.perSecond);
  const a = runs.map((r) => r.after.perSecond);
  console.log(
    `| median / mean | ${fmt(median(b))} / ${fmt(mean(b))} | ${fmt(median(a))} / ${fmt(mean(a))} | |`,
  );
  console.log(
    `\nafter / before: ${(median(a) / median(b)).toFixed(2)} × by the medians, ${(mean(a) / mean(b)).toFixed(2)} × by the means`,
  );
  if (server.embedded) await server.embedded.server.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
