import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@app/domain';
import type { TestDatabase } from '../support/database';

/** The columns a webhook row needs in every schema since the first migration. */
export const WEBHOOK_COLUMNS = `name, url, content_type, valid_status_codes, max_delivery_attempts,
  delivery_attempt_timeout, retry_min_backoff, retry_max_backoff`;

/**
 * `fresh` migrated up to (not including) the migration `name` (at `before` in MIGRATIONS),
 * through a DataSource of its own (to close), with one webhook in it as that schema
 * stores one.
 */
export async function migratedBefore(
  fresh: TestDatabase,
  name: string,
): Promise<{ old: DataSource; webhookId: string; before: number }> {
  const before = MIGRATIONS.findIndex((m) => m.name === name);
  if (before < 0) throw new Error(`no migration ${name}`);
  const old = new DataSource({
    ...fresh.dataSource.options,
    migrations: MIGRATIONS.slice(0, before),
  });
  await old.initialize();
  await old.runMigrations({ transaction: 'each' });
  const [{ id: webhookId }] = await old.query<{ id: string }[]>(
    `INSERT INTO webhooks (${WEBHOOK_COLUMNS})
     VALUES ('old', 'http://old.example/hook', 'application/json', '{200}', 5, 10, 10, 3600)
     RETURNING id`,
  );
  return { old, webhookId, before };
}
