import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ensureAttemptPartitions, migrate, MIGRATIONS } from '@app/domain';
import { createTestDatabase } from '../support/database';
import { migratedBefore, WEBHOOK_COLUMNS } from '../helpers/migrations';

const ALL = MIGRATIONS.map((m) => m.name);

/** TenantFanOut and TenantFanOutIndexes (SPEC §11) on a database with rows in it. */
describe('migrations: fan-out by tenant', () => {
  it('gives every subscription its tenant, keys them by tenant first, indexes tenant lists, and reverts', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const { old, webhookId, before } = await migratedBefore(fresh, 'TenantFanOut1765670400000');
      // A tenant whose webhook was given it by hand (no API did before), with deliveries
      // and attempts of both webhooks in a daily partition and the default one.
      await old.query(`INSERT INTO tenants (id, name) VALUES ('t-1', 'T')`);
      const [{ id: tenantHook }] = await old.query<{ id: string }[]>(
        `INSERT INTO webhooks (${WEBHOOK_COLUMNS}, tenant_id, event_types)
         VALUES ('tenant hook', 'http://t.example/hook', 'application/json', '{200}', 5, 10, 10, 3600,
                 't-1', '{order.*,*}')
         RETURNING id`,
      );
      for (const hook of [webhookId, tenantHook]) {
        const [{ id }] = await old.query<{ id: string }[]>(
          `INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '{}') RETURNING id`,
          [hook],
        );
        for (const at of ['now()', `'2001-01-01'`]) {
          await old.query(
            `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
               response_status_code, execution_duration, success, error, created_at)
             VALUES ($1, $2, 'POST / HTTP/1.1', '', 0, 1, false, 'x', ${at})`,
            [hook, id],
          );
        }
      }
      const rowsBefore = await old.query<Record<string, unknown>[]>(
        `SELECT d.*, (SELECT count(*)::int FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts
         FROM deliveries d ORDER BY id`,
      );
      await old.destroy();

      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(before));
      const q = fresh.dataSource;
      const subscriptions = () =>
        q.query(`SELECT tenant_key, pattern, webhook_id FROM webhook_event_types ORDER BY 1, 2, 3`);
      // Backfilled: the platform's '' (every row before), the hand-made tenant webhook's t-1.
      expect(await subscriptions()).toEqual([
        { tenant_key: '', pattern: '*', webhook_id: webhookId },
        { tenant_key: 't-1', pattern: '*', webhook_id: tenantHook },
        { tenant_key: 't-1', pattern: 'order.*', webhook_id: tenantHook },
      ]);
      // Deliveries and attempts untouched (their tenant_id stays as it was written: NULL).
      expect(
        await q.query(
          `SELECT d.*, (SELECT count(*)::int FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts
           FROM deliveries d ORDER BY id`,
        ),
      ).toEqual(rowsBefore);

      // The key leads with the tenant; the old key is gone.
      const keyOf = async (): Promise<string> =>
        (
          await q.query<{ def: string }[]>(
            `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conname = 'webhook_event_types_pkey'`,
          )
        )[0].def;
      expect(await keyOf()).toBe('PRIMARY KEY (tenant_key, pattern, webhook_id)');
      // The trigger keeps the tenant: on insert, on a change of types or of tenant.
      await q.query(`INSERT INTO tenants (id, name) VALUES ('t-2', 'T2')`);
      await q.query(`UPDATE webhooks SET event_types = '{invoice.paid}' WHERE id = $1`, [
        tenantHook,
      ]);
      await q.query(`UPDATE webhooks SET tenant_id = 't-2' WHERE id = $1`, [webhookId]);
      expect(await subscriptions()).toEqual([
        { tenant_key: 't-1', pattern: 'invoice.paid', webhook_id: tenantHook },
        { tenant_key: 't-2', pattern: '*', webhook_id: webhookId },
      ]);

      // Tenant list indexes, valid: deliveries', and attempts' on the parent and on every
      // partition, including one made after the migration.
      const made = await ensureAttemptPartitions(q, new Date(Date.now() - 10 * 86_400_000));
      expect(made.length).toBeGreaterThan(0);
      const indexes = await q.query<{ table: string; def: string; valid: boolean }[]>(
        `SELECT c.relname AS table, x.indisvalid AS valid,
                regexp_replace(pg_get_indexdef(x.indexrelid), '.* USING btree ', '') AS def
         FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         WHERE i.relname LIKE '%tenant%' AND c.relname LIKE 'deliver%'
           AND pg_get_indexdef(x.indexrelid) NOT LIKE '%status%' -- TenantStatusIndexes'
         ORDER BY 1`,
      );
      const def = '(tenant_id, created_at, id) WHERE (tenant_id IS NOT NULL)';
      const partitions = await q.query<{ name: string }[]>(
        `SELECT inhrelid::regclass::text AS name FROM pg_inherits
         WHERE inhparent = 'delivery_attempts'::regclass ORDER BY 1`,
      );
      expect(partitions.map((p) => p.name)).toEqual(expect.arrayContaining(made));
      expect(indexes).toEqual(
        [
          { table: 'deliveries', def, valid: true },
          { table: 'delivery_attempts', def, valid: true },
          ...partitions.map((p) => ({ table: p.name, def, valid: true })),
        ].sort((a, b) => (a.table < b.table ? -1 : 1)),
      );

      // Reverted (with the migrations after them): the old key and trigger, no tenant_key;
      // then applied again.
      for (let i = before; i < ALL.length; i++) await q.undoLastMigration({ transaction: 'each' });
      expect(await keyOf()).toBe('PRIMARY KEY (pattern, webhook_id)');
      expect(
        await q.query(
          `SELECT column_name FROM information_schema.columns
           WHERE table_name = 'webhook_event_types' ORDER BY 1`,
        ),
      ).toEqual([{ column_name: 'pattern' }, { column_name: 'webhook_id' }]);
      await q.query(`UPDATE webhooks SET event_types = '{a.b}' WHERE id = $1`, [webhookId]);
      expect(
        await q.query(`SELECT pattern FROM webhook_event_types WHERE webhook_id = $1`, [webhookId]),
      ).toEqual([{ pattern: 'a.b' }]);
      expect(await migrate(q)).toEqual(ALL.slice(before));
      expect(await subscriptions()).toEqual([
        { tenant_key: 't-1', pattern: 'invoice.paid', webhook_id: tenantHook },
        { tenant_key: 't-2', pattern: 'a.b', webhook_id: webhookId },
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it('gives up a step that stops writes after 5 s of waiting, saying to run it again; a run again keeps the valid indexes built before', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    // A long transaction that has read webhook_event_types (ACCESS SHARE, until it ends).
    const reader = new Client({ connectionString: fresh.url });
    await reader.connect();
    const holdReader = async () => {
      await reader.query('BEGIN');
      await reader.query('SELECT 1 FROM webhook_event_types LIMIT 1');
    };
    const indexOf = async (name: string) =>
      (
        await fresh.dataSource.query<{ oid: number; valid: boolean }[]>(
          `SELECT indexrelid::int AS oid, indisvalid AS valid FROM pg_index
           WHERE indexrelid = to_regclass($1)`,
          [name],
        )
      )[0];
    try {
      const { old, before } = await migratedBefore(fresh, 'TenantFanOut1765670400000');
      await old.destroy();
      await holdReader();
      await expect(migrate(fresh.dataSource)).rejects.toThrow(
        /^TenantFanOut: .* not granted within 5s .*run `postmand migrate` again/is,
      );
      await reader.query('COMMIT');
      // Nothing of it stayed: no column, and it is still pending.
      expect(
        await fresh.dataSource.query(
          `SELECT 1 FROM information_schema.columns
           WHERE table_name = 'webhook_event_types' AND column_name = 'tenant_key'`,
        ),
      ).toEqual([]);

      // TenantFanOut applied; TenantFanOutIndexes as an interrupted run left it: the new
      // key's index built (valid), the deliveries' index invalid (its build cut short).
      const applied = new DataSource({
        ...fresh.dataSource.options,
        migrations: MIGRATIONS.slice(0, before + 1),
      });
      await applied.initialize();
      await applied.runMigrations({ transaction: 'each' });
      await applied.destroy();
      const q = fresh.dataSource;
      await q.query(`CREATE UNIQUE INDEX webhook_event_types_tenant_key
                     ON webhook_event_types (tenant_key, pattern, webhook_id)`);
      await q.query(`CREATE INDEX deliveries_tenant_id_created_at_id_idx
                     ON deliveries (tenant_id, created_at, id) WHERE tenant_id IS NOT NULL`);
      await q.query(`UPDATE pg_index SET indisvalid = false
                     WHERE indexrelid = 'deliveries_tenant_id_created_at_id_idx'::regclass`);
      const built = await indexOf('webhook_event_types_tenant_key');
      const invalid = await indexOf('deliveries_tenant_id_created_at_id_idx');
      expect(invalid.valid).toBe(false);

      await holdReader();
      await expect(migrate(q)).rejects.toThrow(
        /^TenantFanOutIndexes: the swap of webhook_event_types_pkey was not granted its lock within 5s .*run `postmand migrate` again/is,
      );
      await reader.query('COMMIT');
      expect(await indexOf('webhook_event_types_tenant_key')).toEqual(built);

      // TenantFanOutIndexes, then the migrations after it.
      expect(await migrate(q)).toEqual(ALL.slice(before + 1));
      // The valid index was kept (it is the key now, renamed); the invalid one was rebuilt.
      expect(await indexOf('webhook_event_types_pkey')).toEqual(built);
      const rebuilt = await indexOf('deliveries_tenant_id_created_at_id_idx');
      expect(rebuilt.valid).toBe(true);
      expect(rebuilt.oid).not.toBe(invalid.oid);
    } finally {
      await reader.end();
      await fresh.drop();
    }
  });
});
