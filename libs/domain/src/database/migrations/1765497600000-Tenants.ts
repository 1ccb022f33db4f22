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
 * Every step is cheap on a big database: the new columns are nullable without a default
 * (no table rewrite), every existing row keeps `tenant_id` NULL (the platform's own, as
 * before), and the foreign keys find nothing to check in them. The indexes lead with
 * `tenant_id`, so that later slices list and fan out by tenant with an index range scan,
 * and so that deleting a tenant finds its webhooks and events (ON DELETE CASCADE) without
 * reading every row.
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
        ALTER TABLE ${table} ADD COLUMN tenant_id varchar(64) COLLATE "C"
          REFERENCES tenants (id) ON DELETE CASCADE`);
    }
    await q.query(`CREATE INDEX webhooks_tenant_id_idx ON webhooks (tenant_id, id)`);
    await q.query(`CREATE INDEX events_tenant_id_idx ON events (tenant_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping the columns drops their indexes and foreign keys with them.
    await q.query(`ALTER TABLE events DROP COLUMN tenant_id`);
    await q.query(`ALTER TABLE webhooks DROP COLUMN tenant_id`);
    await q.query(`DROP TABLE tenants`);
  }
}
