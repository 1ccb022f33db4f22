import { Client } from 'pg';
import { EmbeddedPostgres, scratchDir } from '../libs/domain/src/database/embedded-postgres';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Picks the PostgreSQL server that every test database is created on, in this order:
 * POSTMAND_TEST_DATABASE_URL, a server on 127.0.0.1:5432, an embedded server started
 * here. Tests only ever create and drop their own `postmand_test_*` databases on it.
 */
export default async function globalSetup(): Promise<void> {
  // System tests run the built CLI, as users and the container image do.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../apps/cli/scripts/build-if-stale.js') as { buildIfStale(): string }).buildIfStale();
  const configured = process.env.POSTMAND_TEST_DATABASE_URL;
  if (configured) {
    if (!(await answers(configured))) {
      throw new Error(`POSTMAND_TEST_DATABASE_URL (${configured}) does not answer`);
    }
    process.env.POSTMAND_TEST_SERVER_URL = configured;
    return;
  }
  if (await answers(LOCAL_SERVER)) {
    process.env.POSTMAND_TEST_SERVER_URL = LOCAL_SERVER;
    return;
  }
  const dataDir = scratchDir('postmand-test-pg-');
  const server = await EmbeddedPostgres.start({ dataDir, ephemeral: true });
  process.stderr.write(`\n[tests] no PostgreSQL on 127.0.0.1:5432: started an embedded one\n`);
  process.env.POSTMAND_TEST_SERVER_URL = server.url;
  (
    globalThis as { __embeddedPostgres?: { server: EmbeddedPostgres; dir: string } }
  ).__embeddedPostgres = { server, dir: dataDir };
}
