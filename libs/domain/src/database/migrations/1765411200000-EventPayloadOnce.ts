import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A delivery's payload: its own, or (a delivery of an event that has none) its event's. */
const DELIVERY_PAYLOAD = (d: string): string =>
  `coalesce(${d}.payload, (SELECT e.payload FROM events e WHERE e.id = ${d}.event_id))`;

/** The view's columns: the Delivery entity's. */
const deliveriesFull = `
  CREATE VIEW deliveries_full AS
  SELECT d.id, d.webhook_id, ${DELIVERY_PAYLOAD('d')} AS payload, d.scheduled_at, d.event_id,
         d.event_type, d.delivery_attempts, d.status, d.lease_owner, d.lease_expires_at,
         d.created_at, d.updated_at
  FROM deliveries d`;

/** delivery_attempts_full (PartitionedAttempts), its request body read from `payload`. */
const attemptsFull = (payload: string): string => `
  CREATE OR REPLACE VIEW delivery_attempts_full AS
  SELECT a.id, a.webhook_id, a.delivery_id,
         CASE WHEN a.request_body_omitted THEN a.raw_request || ${payload}
              ELSE a.raw_request END AS raw_request,
         a.raw_response, a.response_status_code, a.execution_duration, a.success,
         a.error, a.created_at,
         octet_length(a.raw_request) +
           CASE WHEN a.request_body_omitted THEN octet_length(${payload}) ELSE 0 END
           AS raw_request_bytes
  FROM delivery_attempts a LEFT JOIN deliveries d ON d.id = a.delivery_id`;

/**
 * An event's payload is stored once, on the event: its fan-out deliveries (and their
 * redeliveries) leave `payload` NULL and read the event's. One 1 MB event matching 1,000
 * webhooks wrote 1 GB in one statement; it now writes 1 MB and 1,000 small rows.
 *
 * The event outlives its deliveries: retention removes an event only once none of its
 * deliveries remain, and a redelivery holds a key-share lock on the event row while it
 * inserts (see RetentionService.events). Direct deliveries keep their own payload.
 *
 * Existing deliveries are left as they are (their payload copied, as before): converting
 * them would rewrite every event delivery (the whole table's worth of WAL and bloat, under
 * an exclusive lock) to reclaim space that retention reclaims anyway as they age out.
 * Dropping NOT NULL and adding the CHECK as NOT VALID read no row (every existing row has
 * a payload, which the column's NOT NULL guaranteed); new rows are checked.
 *
 * The API reads deliveries through the view `deliveries_full`, as attempts through
 * `delivery_attempts_full`; the payload is a scalar sub-select, never a join, so a query
 * that does not read it (a count, a filter) plans exactly as on the table.
 */
export class EventPayloadOnce1765411200000 implements MigrationInterface {
  name = 'EventPayloadOnce1765411200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ALTER COLUMN payload DROP NOT NULL`);
    await q.query(`
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_payload_or_event
        CHECK (payload IS NOT NULL OR event_id IS NOT NULL) NOT VALID`);
    await q.query(deliveriesFull);
    await q.query(attemptsFull(DELIVERY_PAYLOAD('d')));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(attemptsFull('d.payload'));
    await q.query(`DROP VIEW deliveries_full`);
    await q.query(`
      UPDATE deliveries d SET payload = e.payload
      FROM events e WHERE d.payload IS NULL AND e.id = d.event_id`);
    await q.query(`ALTER TABLE deliveries DROP CONSTRAINT deliveries_payload_or_event`);
    await q.query(`ALTER TABLE deliveries ALTER COLUMN payload SET NOT NULL`);
  }
}
