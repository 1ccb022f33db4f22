import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrate, MIGRATIONS } from '@app/domain';
import { createTestDatabase } from '../support/database';
import { migratedBefore } from '../helpers/migrations';

const ALL = MIGRATIONS.map((m) => m.name);

/** EventTypes and EventTypesValidate (SPEC §14) on a database with deliveries in it. */
describe('migrations: event types', () => {
  it('waits at most 5 s for the lock on deliveries, then adds the constraint NOT VALID and validates it apart; reverts without validating', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    const reader = new Client({ connectionString: fresh.url });
    await reader.connect();
    const constraints = () =>
      fresh.dataSource.query<{ name: string; valid: boolean }[]>(
        `SELECT conname AS name, convalidated AS valid FROM pg_constraint
         WHERE conrelid = 'deliveries'::regclass AND conname LIKE 'deliveries_event_%'`,
      );
    try {
      const { old, webhookId, before } = await migratedBefore(fresh, 'EventTypes1765756800000');
      await old.query(`INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '{}')`, [
        webhookId,
      ]);
      await old.destroy();

      // A long transaction that has read deliveries (ACCESS SHARE, until it ends).
      await reader.query('BEGIN');
      await reader.query('SELECT 1 FROM deliveries LIMIT 1');
      await expect(migrate(fresh.dataSource)).rejects.toThrow(
        /^EventTypes: the lock on deliveries was not granted within 5s.*run `postmand migrate` again/is,
      );
      await reader.query('COMMIT');
      expect(await fresh.dataSource.query(`SELECT to_regclass('event_types') AS t`)).toEqual([
        { t: null },
      ]);

      // EventTypes alone: the new constraint is there, enforced, not yet validated.
      const first = new DataSource({
        ...fresh.dataSource.options,
        migrations: MIGRATIONS.slice(0, before + 1),
      });
      await first.initialize();
      await first.runMigrations({ transaction: 'each' });
      await first.destroy();
      expect(await constraints()).toEqual([{ name: 'deliveries_event_has_type', valid: false }]);

      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(before + 1));
      expect(await constraints()).toEqual([{ name: 'deliveries_event_has_type', valid: true }]);

      // A test delivery (a type, no event), then back to before EventTypes.
      await fresh.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload, event_type) VALUES ($1, '{}', 'a.b')`,
        [webhookId],
      );
      for (let i = before; i < ALL.length; i++) {
        await fresh.dataSource.undoLastMigration({ transaction: 'each' });
      }
      expect(await constraints()).toEqual([
        { name: 'deliveries_event_both_or_neither', valid: false },
      ]);
      expect(
        await fresh.dataSource.query(`SELECT count(*)::int AS n FROM deliveries
                                      WHERE event_type IS NULL AND event_id IS NULL`),
      ).toEqual([{ n: 2 }]);
      await expect(
        fresh.dataSource.query(
          `INSERT INTO deliveries (webhook_id, payload, event_type) VALUES ($1, '{}', 'a.b')`,
          [webhookId],
        ),
      ).rejects.toThrow(/deliveries_event_both_or_neither/);
      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(before));
    } finally {
      await reader.end();
      await fresh.drop();
    }
  });
});
