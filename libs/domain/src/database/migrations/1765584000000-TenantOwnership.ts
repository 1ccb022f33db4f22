import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A delivery's payload, as EventPayloadOnce reads it. */
const DELIVERY_PAYLOAD = (d: string): string =>
  `coalesce(${d}.payload, (SELECT e.payload FROM events e WHERE e.id = ${d}.event_id))`;

/**
 * The views as EventPayloadOnce left them, with `tenant_id` appended (CREATE OR REPLACE
 * VIEW may add columns at the end only).
 */
const deliveriesFull = (tenant: boolean): string => `
  CREATE OR REPLACE VIEW deliveries_full AS
  SELECT d.id, d.webhook_id, ${DELIVERY_PAYLOAD('d')} AS payload, d.scheduled_at, d.event_id,
         d.event_type, d.delivery_attempts, d.status, d.lease_owner, d.lease_expires_at,
         d.created_at, d.updated_at${tenant ? ', d.tenant_id' : ''}
  FROM deliveries d`;

const attemptsFull = (tenant: boolean): string => `
  CREATE OR REPLACE VIEW delivery_attempts_full AS
  SELECT a.id, a.webhook_id, a.delivery_id,
         CASE WHEN a.request_body_omitted THEN a.raw_request || ${DELIVERY_PAYLOAD('d')}
              ELSE a.raw_request END AS raw_request,
         a.raw_response, a.response_status_code, a.execution_duration, a.success,
         a.error, a.created_at,
         octet_length(a.raw_request) +
           CASE WHEN a.request_body_omitted THEN octet_length(${DELIVERY_PAYLOAD('d')}) ELSE 0 END
           AS raw_request_bytes${tenant ? ', a.tenant_id' : ''}
  FROM delivery_attempts a LEFT JOIN deliveries d ON d.id = a.delivery_id`;

/**
 * v3 §11, §12: what a tenant owns, written where it is read.
 *
 * - `deliveries.tenant_id` and `delivery_attempts.tenant_id`: the tenant of the delivery's
 *   webhook, copied when the row is written. A webhook's tenant is fixed at creation, so
 *   the copy never goes stale; it lets a tenant's deliveries and attempts be listed by an
 *   index that leads with the tenant, without a join through webhooks. No foreign key:
 *   the rows go with their webhook (ON DELETE CASCADE), which goes with its tenant.
 * - `portal_sessions`: a tenant's portal sessions, by the SHA-256 of their token (the
 *   token itself is never stored). Revoking deletes them; so does deleting the tenant.
 *
 * Cheap on a big database: nullable columns without a default rewrite nothing, and every
 * existing row keeps `tenant_id` NULL (the platform's own, as before). Their indexes are
 * built by a later migration, CONCURRENTLY.
 */
export class TenantOwnership1765584000000 implements MigrationInterface {
  name = 'TenantOwnership1765584000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN tenant_id varchar(64) COLLATE "C"`);
    await q.query(`ALTER TABLE delivery_attempts ADD COLUMN tenant_id varchar(64) COLLATE "C"`);
    await q.query(deliveriesFull(true));
    await q.query(attemptsFull(true));
    await q.query(`
      CREATE TABLE portal_sessions (
        id          uuid PRIMARY KEY,
        tenant_id   varchar(64) COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
        read_only   boolean NOT NULL,
        expires_at  timestamptz(3) NOT NULL,
        created_at  timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX portal_sessions_tenant_id_idx ON portal_sessions (tenant_id, expires_at)`,
    );
    await q.query(`CREATE INDEX portal_sessions_expires_at_idx ON portal_sessions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portal_sessions`);
    // A view's columns can only be dropped by recreating it.
    await q.query(`DROP VIEW delivery_attempts_full`);
    await q.query(`DROP VIEW deliveries_full`);
    await q.query(deliveriesFull(false).replace('OR REPLACE ', ''));
    await q.query(attemptsFull(false).replace('OR REPLACE ', ''));
    await q.query(`ALTER TABLE delivery_attempts DROP COLUMN tenant_id`);
    await q.query(`ALTER TABLE deliveries DROP COLUMN tenant_id`);
  }
}
