import { migrate, MIGRATIONS } from '@app/domain';
import { createTestDatabase } from '../support/database';
import { migratedBefore, WEBHOOK_COLUMNS } from '../helpers/migrations';

/** Every migration's name, oldest first (test/domain/migrations checks the list itself). */
const ALL = MIGRATIONS.map((m) => m.name);

/** The Tenants and TenantIndexes migrations (SPEC §11) on a database with rows in it. */
describe('migrations: tenants', () => {
  it('adds tenants with tenant_id on webhooks and events: existing rows keep NULL and work as before', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const { old, webhookId, before } = await migratedBefore(fresh, 'Tenants1765497600000');
      const [{ id: eventId }] = await old.query<{ id: string }[]>(
        `INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count)
         VALUES (gen_random_uuid(), 'a.b', '{}', now(), 1) RETURNING id`,
      );
      await old.query(`INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '{}')`, [
        webhookId,
      ]);
      await old.destroy();

      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(before));
      const q = fresh.dataSource;
      expect(await q.query(`SELECT id, tenant_id FROM webhooks`)).toEqual([
        { id: webhookId, tenant_id: null },
      ]);
      expect(await q.query(`SELECT id, tenant_id FROM events`)).toEqual([
        { id: eventId, tenant_id: null },
      ]);
      // The old webhook takes deliveries and goes with them as before.
      await q.query(`INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '{}')`, [webhookId]);
      expect(await q.query(`SELECT count(*)::int AS n FROM deliveries`)).toEqual([{ n: 2 }]);

      // The table's CHECKs hold the rules of §11; ids compare byte by byte.
      await q.query(`INSERT INTO tenants (id, name) VALUES ('t-1', 'T')`);
      for (const bad of [
        `INSERT INTO tenants (id, name) VALUES ('bad id', 'x')`,
        `INSERT INTO tenants (id, name) VALUES ('', 'x')`,
        `INSERT INTO tenants (id, name) VALUES ('t2', '')`,
        `INSERT INTO tenants (id, name, metadata) VALUES ('t2', 'x', '[]')`,
        `INSERT INTO tenants (id, name, max_webhooks) VALUES ('t2', 'x', 0)`,
        `INSERT INTO tenants (id, name, max_webhooks) VALUES ('t2', 'x', 10001)`,
        `UPDATE webhooks SET tenant_id = 'nobody'`,
      ]) {
        await expect(q.query(bad)).rejects.toThrow(/violates (check|foreign key) constraint/);
      }
      expect(
        await q.query(
          `SELECT c.relname AS table, co.collname AS collation FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid JOIN pg_collation co ON co.oid = a.attcollation
           WHERE c.relname IN ('tenants', 'webhooks', 'events')
             AND a.attname IN ('id', 'tenant_id') AND a.atttypid = 'varchar'::regtype
           ORDER BY 1`,
        ),
      ).toEqual([
        { table: 'events', collation: 'C' },
        { table: 'tenants', collation: 'C' },
        { table: 'webhooks', collation: 'C' },
      ]);

      // The foreign keys validated (TenantIndexes), and indexes that lead with tenant_id:
      // lists and fan-out by tenant, and the cascade.
      expect(
        await q.query(
          `SELECT conname, convalidated FROM pg_constraint
           WHERE conname LIKE '%tenant_id_fkey'
             AND conrelid IN ('webhooks'::regclass, 'events'::regclass) ORDER BY 1`,
        ),
      ).toEqual([
        { conname: 'events_tenant_id_fkey', convalidated: true },
        { conname: 'webhooks_tenant_id_fkey', convalidated: true },
      ]);
      expect(
        await q.query(
          `SELECT indexname, regexp_replace(indexdef, '.* USING btree ', '') AS columns
           FROM pg_indexes WHERE indexname LIKE '%tenant_id%'
             AND tablename IN ('webhooks', 'events') ORDER BY 1`,
        ),
      ).toEqual([
        { indexname: 'events_tenant_id_idx', columns: '(tenant_id, created_at, id)' },
        { indexname: 'webhooks_tenant_id_idx', columns: '(tenant_id, id)' },
      ]);

      // Deleting a tenant takes its webhooks (with their deliveries) and events, no others.
      const [{ id: tenantHook }] = await q.query<{ id: string }[]>(
        `INSERT INTO webhooks (${WEBHOOK_COLUMNS}, tenant_id)
         VALUES ('tenant hook', 'http://t.example/hook', 'application/json', '{200}', 5, 10, 10, 3600, 't-1')
         RETURNING id`,
      );
      await q.query(`INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '{}')`, [tenantHook]);
      await q.query(
        `INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count, tenant_id)
         VALUES (gen_random_uuid(), 'a.b', '{}', now(), 1, 't-1')`,
      );
      await q.query(`DELETE FROM tenants WHERE id = 't-1'`);
      expect(await q.query(`SELECT id FROM webhooks`)).toEqual([{ id: webhookId }]);
      expect(await q.query(`SELECT id FROM events`)).toEqual([{ id: eventId }]);
      expect(await q.query(`SELECT count(*)::int AS n FROM deliveries`)).toEqual([{ n: 2 }]);

      // The migrations after Tenants, then Tenants.
      const after = ALL.length - before;
      for (let i = 0; i < after; i++) await q.undoLastMigration({ transaction: 'each' });
      expect(
        await q.query(
          `SELECT table_name, column_name FROM information_schema.columns
           WHERE column_name = 'tenant_id' OR table_name = 'tenants'`,
        ),
      ).toEqual([]);
      expect(await q.query(`SELECT id FROM webhooks`)).toEqual([{ id: webhookId }]);
    } finally {
      await fresh.drop();
    }
  });
});
