import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * v2 §7: per-webhook limits (concurrency, rate, FIFO), the circuit breaker and
 * auto-disable. New columns are nullable or take a constant default (no rewrite of
 * deliveries); `limited` is a stored generated column, so adding it rewrites the webhooks
 * table once (a small table: its rows are endpoints, not deliveries).
 */
export class EndpointProtection1765152000000 implements MigrationInterface {
  name = 'EndpointProtection1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhooks
        ADD COLUMN max_concurrency int CHECK (max_concurrency BETWEEN 1 AND 1000),
        ADD COLUMN rate_limit int CHECK (rate_limit BETWEEN 1 AND 100000),
        ADD COLUMN ordering text NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'fifo')),
        -- Health: failed attempts since the last success, and since when; the circuit is
        -- closed while circuit_open_until is null, open until then, half-open after.
        ADD COLUMN consecutive_failures int NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
        ADD COLUMN failing_since timestamptz(3),
        ADD COLUMN circuit_open_until timestamptz(3),
        ADD COLUMN circuit_cooldown int CHECK (circuit_cooldown > 0),
        ADD COLUMN disabled_reason text,
        -- The rate limit's theoretical arrival time (GCRA), written by the claim.
        ADD COLUMN rate_tat timestamptz NOT NULL DEFAULT '-infinity'`);
    // Limited: its deliveries go one webhook at a time through the limited claim, which
    // counts what it may take (DeliveryDispatchRepository); the plain claim, walking the
    // due index, never leases them.
    await q.query(`
      ALTER TABLE webhooks ADD COLUMN limited boolean NOT NULL GENERATED ALWAYS AS (
        max_concurrency IS NOT NULL OR rate_limit IS NOT NULL OR ordering = 'fifo'
        OR circuit_open_until IS NOT NULL) STORED`);
    // Parked deliveries: those of limited or inactive webhooks, set aside from the due
    // index (deliveries.parked) so they never clog the plain claim's walk; their webhook
    // is marked (webhooks.parked) and served by the limited claim from the index of
    // parked deliveries. A delivery is parked when it is created for such a webhook, or
    // when the plain claim meets it after its webhook became one; it stays parked through
    // its retries (claim.sql.ts, parking.sql.ts).
    await q.query(`ALTER TABLE webhooks ADD COLUMN parked boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX webhooks_parked_id_idx ON webhooks (id) WHERE parked AND active`);
    await q.query(`ALTER TABLE deliveries ADD COLUMN parked boolean NOT NULL DEFAULT false`);
    // Each limited claim updates the rows of the webhooks it serves: room in their pages.
    await q.query(`
      ALTER TABLE webhooks SET (
        fillfactor = 80,
        autovacuum_vacuum_scale_factor = 0.02,
        autovacuum_vacuum_cost_delay = 0
      )`);

    // A re-activated webhook's backlog is parked: the wake-up says so ('webhook'), and the
    // workers look for parked work at once rather than at their next look (a second).
    await q.query(`
      CREATE OR REPLACE FUNCTION postmand_notify_webhook_activated() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('postmand_wakeup', 'webhook');
        RETURN NULL;
      END $$`);

    // The attempts of limited webhooks in flight, one row per lease (the claim inserts it,
    // the completion deletes it; an expired one no longer counts): what max_concurrency,
    // FIFO and the half-open trial count. Deliveries carry their lease too, but counting
    // a webhook's live leases there would need an index on the lease columns, and every
    // lease update would then write new index entries instead of staying HOT.
    await q.query(`
      CREATE TABLE webhook_leases (
        delivery_id uuid PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
        webhook_id  uuid NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX webhook_leases_webhook_id_expires_at_idx ON webhook_leases (webhook_id, expires_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_leases`);
    await q.query(`
      CREATE OR REPLACE FUNCTION postmand_notify_webhook_activated() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('postmand_wakeup', '0');
        RETURN NULL;
      END $$`);
    await q.query(`ALTER TABLE webhooks RESET (fillfactor, autovacuum_vacuum_scale_factor,
                     autovacuum_vacuum_cost_delay)`);
    await q.query(`ALTER TABLE deliveries DROP COLUMN parked`);
    await q.query(`
      ALTER TABLE webhooks
        DROP COLUMN limited, DROP COLUMN parked, DROP COLUMN max_concurrency, DROP COLUMN rate_limit,
        DROP COLUMN ordering, DROP COLUMN consecutive_failures, DROP COLUMN failing_since,
        DROP COLUMN circuit_open_until, DROP COLUMN circuit_cooldown,
        DROP COLUMN disabled_reason, DROP COLUMN rate_tat`);
  }
}
