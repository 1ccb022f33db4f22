import { pickServer } from '../../test/support/pg-server';

/** A section's output: markdown tables, and its targets as [target, measured, met]. */
export interface SectionReport {
  markdown: string;
  targets: [string, string, boolean][];
}

/**
 * Runs one section of the suite on its own (`npm run bench:<name>`) and prints it as
 * markdown, its targets last.
 */
export function runSection(
  script: string,
  report: (serverUrl: string, quick: boolean) => Promise<SectionReport>,
): void {
  const main = async (): Promise<void> => {
    const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
    const result = await report(server.url, process.env.BENCH_QUICK === '1');
    console.log(`Written by \`npm run ${script}\` on ${new Date().toISOString()}.\n`);
    console.log(result.markdown);
    for (const [target, measured, ok] of result.targets) {
      console.log(`| ${target} | ${measured} | ${ok ? 'met' : '**missed**'} |`);
    }
    if (server.embedded) await server.embedded.server.stop();
    process.exit(0);
  };
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
