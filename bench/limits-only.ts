// npm run bench:limits: section 8 of the suite (endpoint limits) alone, printed as markdown.
import { pickServer } from '../test/helpers/pg-server';
import { limitsReport } from './scenarios/limits';

async function main(): Promise<void> {
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const report = await limitsReport(server.url, process.env.BENCH_QUICK === '1');
  console.log(`Written by \`npm run bench:limits\` on ${new Date().toISOString()}.\n`);
  console.log(report.markdown);
  for (const [target, measured, ok] of report.targets) {
    console.log(`| ${target} | ${measured} | ${ok ? 'met' : '**missed**'} |`);
  }
  if (server.embedded) await server.embedded.server.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
