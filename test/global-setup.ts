import { pickServer } from './support/pg-server';

/**
 * Picks the PostgreSQL server that every test database is created on, in this order:
 * POSTMAND_TEST_DATABASE_URL, a server on 127.0.0.1:5432, an embedded server started
 * here. Tests only ever create and drop their own `postmand_test_*` databases on it.
 */
export default async function globalSetup(): Promise<void> {
  // System tests run the built CLI, as users and the container image do.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../apps/cli/scripts/build-if-stale.js') as { buildIfStale(): string }).buildIfStale();
  const server = await pickServer(process.env.POSTMAND_TEST_DATABASE_URL);
  if (server.embedded) {
    process.stderr.write(`\n[tests] no PostgreSQL on 127.0.0.1:5432: started an embedded one\n`);
  }
  process.env.POSTMAND_TEST_SERVER_URL = server.url;
  (globalThis as { __pgServer?: typeof server }).__pgServer = server;
}
