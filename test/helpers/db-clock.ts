import type { TestDatabase } from '../support/database';

/** The database's clock, as a test sets it. */
export interface DbClock {
  /** Stops the clock at `at` (an SQL timestamptz expression, e.g. `now()`); returns it. */
  freeze(at?: string): Promise<Date>;
  /** Moves a stopped clock on by `ms`. */
  advance(ms: number): Promise<void>;
  /** Back to the real clock. */
  release(): Promise<void>;
}

/**
 * A clock the test controls for every `now()` its statements call: a `test_clock.now()`
 * ahead of `pg_catalog.now()` in the database's search_path, which reads a stopped time
 * when one is set and the real one otherwise. The statements under test run unchanged,
 * but a claim's rate tokens or a retry's due time no longer depend on how long the
 * machine took between two statements. Column defaults keep the real clock (they were
 * bound when the tables were made). Only this test database is changed; its pool is
 * reopened so every connection takes the new search_path.
 */
export async function controlClock(db: TestDatabase): Promise<DbClock> {
  const ds = db.dataSource;
  await ds.query(`CREATE SCHEMA test_clock`);
  await ds.query(`CREATE TABLE test_clock.stopped (at timestamptz)`);
  await ds.query(`INSERT INTO test_clock.stopped VALUES (NULL)`);
  await ds.query(`CREATE FUNCTION test_clock.now() RETURNS timestamptz LANGUAGE sql STABLE
    AS $$ SELECT coalesce((SELECT at FROM test_clock.stopped), pg_catalog.now()) $$`);
  await ds.query(`ALTER DATABASE ${db.name} SET search_path = public, test_clock, pg_catalog`);
  await ds.destroy();
  await ds.initialize();
  const [{ path }] = await ds.query<{ path: string }[]>(
    `SELECT current_setting('search_path') AS path`,
  );
  if (!path.includes('test_clock')) throw new Error(`search_path not taken: ${path}`);
  return {
    freeze: async (at = 'pg_catalog.now()') => {
      const [{ at: stopped }] = await ds.query<{ at: Date }[]>(
        `UPDATE test_clock.stopped SET at = ${at} RETURNING at`,
      );
      return stopped;
    },
    advance: async (ms) => {
      const [row] = await ds.query<unknown[]>(
        `UPDATE test_clock.stopped SET at = at + make_interval(secs => $1::float8 / 1000)
         WHERE at IS NOT NULL RETURNING at`,
        [ms],
      );
      if (!row) throw new Error('advance: the clock is not stopped');
    },
    release: async () => {
      await ds.query(`UPDATE test_clock.stopped SET at = NULL`);
    },
  };
}
