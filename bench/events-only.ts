// npm run bench:events: section 7 of the suite (events) alone, printed as markdown.
import { pickServer } from '../test/helpers/pg-server';
import { eventsReport } from './scenarios/events';

async function main(): Promise<void> {
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const report = await eventsReport(server.url, process.env.BENCH_QUICK === '1');
  console.log(`Written by \`npm run bench:events\` on ${new Date().toISOString()}.\n`);
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
