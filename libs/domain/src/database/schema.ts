import type { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

export class SchemaNotCurrentError extends Error {
  override name = 'SchemaNotCurrentError';
  constructor(readonly pending: string[]) {
    super(
      `the database schema is not up to date: ${pending.length} migration(s) pending ` +
        `(${pending.join(', ')}). Run "postmand migrate" first.`,
    );
  }
}

/** Names of the migrations this build knows and the database has not applied yet. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const [{ present }] = await dataSource.query<{ present: boolean }[]>(
    `SELECT to_regclass('migrations') IS NOT NULL AS present`,
  );
  const known = MIGRATIONS.map((m) => m.name);
  if (!present) return known;
  const applied = new Set(
    (await dataSource.query<{ name: string }[]>(`SELECT name FROM migrations`)).map((r) => r.name),
  );
  return known.filter((name) => !applied.has(name));
}

/** `server` and `worker` never migrate on their own; they refuse an old schema. */
export async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  const pending = await pendingMigrations(dataSource);
  if (pending.length > 0) throw new SchemaNotCurrentError(pending);
}

/** Any fixed number: the key of the advisory lock that serialises concurrent migrates. */
const MIGRATION_LOCK_KEY = 74_061_312;

/**
 * Applies pending migrations, each in its own transaction; returns their names. Holding
 * an advisory lock meanwhile lets several processes start at once (a Job and an `all`,
 * two replicas): the second waits, then finds nothing left to apply. Migrations run in
 * their own transaction each, except those that say `transaction = false`.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    // Waiting by polling, not in pg_advisory_lock: a session waiting in a statement holds
    // a snapshot, and a CREATE INDEX CONCURRENTLY of the migrating process would wait for
    // that snapshot to go while the waiter waits for the migration: neither would finish.
    for (;;) {
      const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (locked) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}
