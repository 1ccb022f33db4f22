import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '@app/domain';

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.POSTMAND_TEST_SERVER_URL;
  if (!url) throw new Error('POSTMAND_TEST_SERVER_URL is unset: run the tests through jest');
  return url;
}

async function onServer<T>(server: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: server });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabaseOptions {
  /** Apply the migrations (default true). */
  migrate?: boolean;
  /** The server to create it on: the test server unless given (the bench gives its own). */
  serverUrl?: string;
  /** Its name is `<prefix>_<random>` (default `postmand_test`). */
  prefix?: string;
  poolSize?: number;
}

/**
 * A brand-new database for one test file (or one bench scenario), migrated unless asked
 * not to. Only databases named `<prefix>_<random>` are ever created or dropped.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const server = options.serverUrl ?? serverUrl();
  const prefix = options.prefix ?? 'postmand_test';
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const dataSource = new DataSource(
    dataSourceOptions({
      url: url.toString(),
      poolSize: options.poolSize ?? 10,
      applicationName: prefix.replace(/_/g, '-'),
    }),
  );
  await dataSource.initialize();
  if (options.migrate !== false) await migrate(dataSource);
  return {
    name,
    url: url.toString(),
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await onServer(server, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}
