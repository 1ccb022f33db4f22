import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * v3 §11: `tenants`, the platform's customers, and `tenant_id` on webhooks and events.
 *
 * A tenant's id is chosen by the platform (its own customer id), so it is text, not a
 * UUID; it is compared byte by byte (`COLLATE "C"`), so that the list's order by id is the
 * same on every database whatever its locale, and the primary key's index serves it.
 *
 * Its limits are written out here, not read from tenant.rules.ts: a migration that has
 * landed must not change when a rule does (a later limit is a later migration).
 *
 * Cheap on a big database, and quick under its locks: the new columns are nullable
 * without a default (no table rewrite), every existing row keeps `tenant_id` NULL (the
 * platform's own, as before), and their foreign keys are added NOT VALID, so adding them
 * reads no row (they hold for every row written from now on, and cascade at once).
 * TenantIndexes, next, validates them and builds the indexes by tenant while writes go on.
 */
export class Tenants1765497600000 implements MigrationInterface {
  name = 'Tenants1765497600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id           varchar(64) COLLATE "C" PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
        name         varchar(255) NOT NULL CHECK (char_length(name) >= 1),
        metadata     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        max_webhooks int CHECK (max_webhooks BETWEEN 1 AND 10000),
        created_at   timestamptz(3) NOT NULL DEFAULT now(),
        updated_at   timestamptz(3) NOT NULL DEFAULT now()
      )`);
    for (const table of ['webhooks', 'events']) {
      await q.query(`
        ALTER TABLE ${table} ADD COLUMN tenant_id varchar(64) COLLATE "C",
          ADD CONSTRAINT ${table}_tenant_id_fkey FOREIGN KEY (tenant_id)
            REFERENCES tenants (id) ON DELETE CASCADE NOT VALID`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping a column drops its foreign key with it.
    await q.query(`ALTER TABLE events DROP COLUMN tenant_id`);
    await q.query(`ALTER TABLE webhooks DROP COLUMN tenant_id`);
    await q.query(`DROP TABLE tenants`);
  }
}
