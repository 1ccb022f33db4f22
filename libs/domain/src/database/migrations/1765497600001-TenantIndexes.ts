import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The indexes by tenant, and the validation of Tenants' foreign keys. Each reads a whole
 * table (webhooks, events), so none of it holds a lock that stops writes: the indexes are
 * built CONCURRENTLY, which cannot run inside a transaction (an invalid index left by an
 * interrupted build is dropped first), and VALIDATE CONSTRAINT takes a lock that lets
 * writes go on. Every existing row has `tenant_id` NULL, so the validation finds nothing.
 *
 * The indexes lead with `tenant_id`: later slices list and fan out by tenant with an index
 * range scan, and deleting a tenant finds its webhooks and events (ON DELETE CASCADE)
 * without reading every row.
 */
export class TenantIndexes1765497600001 implements MigrationInterface {
  name = 'TenantIndexes1765497600001';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS webhooks_tenant_id_idx`);
    await q.query(`CREATE INDEX CONCURRENTLY webhooks_tenant_id_idx ON webhooks (tenant_id, id)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS events_tenant_id_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY events_tenant_id_idx ON events (tenant_id, created_at, id)`,
    );
    await q.query(`ALTER TABLE webhooks VALIDATE CONSTRAINT webhooks_tenant_id_fkey`);
    await q.query(`ALTER TABLE events VALIDATE CONSTRAINT events_tenant_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts in a transaction, whatever the migration says. A validated foreign
    // key stays valid: Tenants' revert drops it with its column.
    await q.query(`DROP INDEX events_tenant_id_idx`);
    await q.query(`DROP INDEX webhooks_tenant_id_idx`);
  }
}
