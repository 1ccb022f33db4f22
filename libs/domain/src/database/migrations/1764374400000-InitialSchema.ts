import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole v1 schema. Times are timestamptz(3): the API shows milliseconds, so storing
 * exactly milliseconds makes a time read from the API work as an exact filter bound.
 */
export class InitialSchema1764374400000 implements MigrationInterface {
  name = 'InitialSchema1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name                     varchar(255) NOT NULL CHECK (char_length(name) BETWEEN 3 AND 255),
        url                      text NOT NULL CHECK (url ~* '^https?://[^/?#]+'),
        content_type             varchar(255) NOT NULL CHECK (content_type <> ''),
        valid_status_codes       int[] NOT NULL CHECK (
                                   cardinality(valid_status_codes) BETWEEN 1 AND 500
                                   AND 100 <= ALL (valid_status_codes)
                                   AND 599 >= ALL (valid_status_codes)),
        secret_token             varchar(255) NOT NULL DEFAULT '',
        active                   boolean NOT NULL DEFAULT true,
        max_delivery_attempts    int NOT NULL CHECK (max_delivery_attempts BETWEEN 1 AND 100),
        delivery_attempt_timeout int NOT NULL CHECK (delivery_attempt_timeout BETWEEN 1 AND 300),
        retry_min_backoff        int NOT NULL CHECK (retry_min_backoff BETWEEN 1 AND 604800),
        retry_max_backoff        int NOT NULL CHECK (retry_max_backoff BETWEEN 1 AND 604800),
        created_at               timestamptz(3) NOT NULL DEFAULT now(),
        updated_at               timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT webhooks_backoff_order_check CHECK (retry_max_backoff >= retry_min_backoff)
      )`);
    // GET /v1/webhooks orders by name, then id.
    await q.query(`CREATE INDEX webhooks_name_id_idx ON webhooks (name, id)`);

    await q.query(`
      CREATE TABLE deliveries (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id        uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        payload           text NOT NULL,
        scheduled_at      timestamptz(3) NOT NULL DEFAULT now(),
        delivery_attempts int NOT NULL DEFAULT 0 CHECK (delivery_attempts >= 0),
        status            text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'succeeded', 'failed')),
        lease_owner       text,
        lease_expires_at  timestamptz(3),
        created_at        timestamptz(3) NOT NULL DEFAULT now(),
        updated_at        timestamptz(3) NOT NULL DEFAULT now(),
        -- A lease is an owner and an expiry together, or nothing.
        CONSTRAINT deliveries_lease_check CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
      )`);
    // Every delivery is updated twice (lease, outcome): its dead versions must be vacuumed
    // away early, before the claim's index scan has to step over many of them. Room left
    // in each page lets the lease update stay a HOT update (no new index entries).
    await q.query(`
      ALTER TABLE deliveries SET (
        fillfactor = 85,
        autovacuum_vacuum_scale_factor = 0.01,
        autovacuum_vacuum_insert_scale_factor = 0.05,
        autovacuum_analyze_scale_factor = 0.02,
        autovacuum_vacuum_cost_delay = 0
      )`);
    // The claim scans pending rows by scheduled_at; finished rows (almost all of a big
    // table) stay out of this index, so its size tracks the backlog, not the history.
    await q.query(
      `CREATE INDEX deliveries_due_idx ON deliveries (scheduled_at) WHERE status = 'pending'`,
    );
    // Lists: newest first, optionally per webhook or per status. The webhook_id index
    // also serves the ON DELETE CASCADE from webhooks.
    await q.query(`CREATE INDEX deliveries_created_at_id_idx ON deliveries (created_at, id)`);
    await q.query(
      `CREATE INDEX deliveries_webhook_id_created_at_id_idx ON deliveries (webhook_id, created_at, id)`,
    );
    // Lists filtered by status (and webhook): partial indexes, one per status. Composite
    // (status, created_at) indexes are not enough: the planner, blind to how status
    // correlates with age, walks the created_at index backwards instead and filters,
    // which took 0.7-0.9 s when the newest 500,000 of 2,000,000 rows were pending.
    // Each row sits in one index of each kind, so writes cost what composites would.
    for (const status of ['pending', 'succeeded', 'failed']) {
      await q.query(
        `CREATE INDEX deliveries_${status}_created_at_id_idx
           ON deliveries (created_at, id) WHERE status = '${status}'`,
      );
      await q.query(
        `CREATE INDEX deliveries_${status}_webhook_id_created_at_id_idx
           ON deliveries (webhook_id, created_at, id) WHERE status = '${status}'`,
      );
    }

    await q.query(`
      CREATE TABLE delivery_attempts (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id           uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        delivery_id          uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        raw_request          text NOT NULL,
        raw_response         text NOT NULL,
        response_status_code int NOT NULL CHECK (response_status_code BETWEEN 0 AND 999),
        execution_duration   int NOT NULL CHECK (execution_duration >= 0),
        success              boolean NOT NULL,
        error                text NOT NULL DEFAULT '',
        created_at           timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX delivery_attempts_created_at_id_idx ON delivery_attempts (created_at, id)`,
    );
    await q.query(
      `CREATE INDEX delivery_attempts_delivery_id_created_at_id_idx
         ON delivery_attempts (delivery_id, created_at, id)`,
    );
    await q.query(
      `CREATE INDEX delivery_attempts_webhook_id_created_at_id_idx
         ON delivery_attempts (webhook_id, created_at, id)`,
    );
    // success=false is the rare, sought-after value: partial indexes find failures fast
    // while costing nothing on the (common) successful attempt's insert.
    await q.query(
      `CREATE INDEX delivery_attempts_failed_created_at_id_idx
         ON delivery_attempts (created_at, id) WHERE NOT success`,
    );
    await q.query(
      `CREATE INDEX delivery_attempts_failed_webhook_id_created_at_id_idx
         ON delivery_attempts (webhook_id, created_at, id) WHERE NOT success`,
    );

    // Wake-ups: workers LISTEN on postmand_wakeup; the payload is how many milliseconds
    // until work is due. New deliveries are announced by the application (coalesced, see
    // DeliveryWaker): a NOTIFY inside every inserting transaction would serialise their
    // commits on PostgreSQL's notification queue lock and halve insert throughput.
    // A re-activated webhook may have a backlog that is due right now.
    await q.query(`
      CREATE FUNCTION postmand_notify_webhook_activated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('postmand_wakeup', '0');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhooks_notify_activated AFTER UPDATE OF active ON webhooks
        FOR EACH ROW WHEN (NEW.active AND NOT OLD.active)
        EXECUTE FUNCTION postmand_notify_webhook_activated()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE delivery_attempts`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`DROP FUNCTION postmand_notify_webhook_activated()`);
  }
}
