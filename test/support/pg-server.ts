import { Client } from 'pg';
// Jest's global setup loads this without the module mapper, so not through '@app/platform'.
// eslint-disable-next-line no-restricted-imports
import {
  EmbeddedPostgres,
  scratchDir,
} from '../../libs/platform/src/embedded-postgres/embedded-postgres';

export const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function answers(url: string): Promise<boolean> {
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

export interface PgServer {
  url: string;
  /** Set when this process started the server; stop it when done. */
  embedded?: { server: EmbeddedPostgres; dir: string };
  description: string;
}

/**
 * The PostgreSQL server that tests and benchmarks create their own databases on: the
 * given URL, else one on 127.0.0.1:5432, else an embedded one started here.
 */
export async function pickServer(configured: string | undefined): Promise<PgServer> {
  if (configured) {
    if (!(await answers(configured))) throw new Error(`${configured} does not answer`);
    return { url: configured, description: 'configured server' };
  }
  if (await answers(LOCAL_SERVER)) return { url: LOCAL_SERVER, description: '127.0.0.1:5432' };
  const dir = scratchDir('postmand-pg-');
  const server = await EmbeddedPostgres.start({ dataDir: dir, ephemeral: true });
  return { url: server.url, embedded: { server, dir }, description: 'embedded PostgreSQL' };
}
