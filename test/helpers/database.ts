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

async function onServer<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A brand-new database for one test file, migrated unless asked not to. Only databases
 * named `postmand_test_<random>` are ever created or dropped.
 */
export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const name = `postmand_test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const dataSource = new DataSource(
    dataSourceOptions({ url: url.toString(), poolSize: 10, applicationName: 'postmand-test' }),
  );
  await dataSource.initialize();
  if (options.migrate !== false) await migrate(dataSource);
  return {
    name,
    url: url.toString(),
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
