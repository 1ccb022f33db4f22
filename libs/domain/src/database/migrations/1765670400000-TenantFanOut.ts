import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trigger function as Events made it, for the revert.
 */
const SYNC_BEFORE = `
  CREATE OR REPLACE FUNCTION postmand_sync_event_types() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      IF NEW.event_types IS NOT DISTINCT FROM OLD.event_types THEN RETURN NULL; END IF;
      DELETE FROM webhook_event_types WHERE webhook_id = NEW.id;
    END IF;
    INSERT INTO webhook_event_types (pattern, webhook_id)
      SELECT DISTINCT p, NEW.id FROM unnest(NEW.event_types) AS p;
    RETURN NULL;
  END $$`;

const LOCK_TIMEOUT = '5s';

/**
 * A lock not granted within LOCK_TIMEOUT (55P03), or a deadlock this migration lost
 * (40P01), as an error that says what to do.
 */
function clearly(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code !== '55P03' && code !== '40P01') return err;
  return new Error(
    `TenantFanOut: a lock on webhooks or webhook_event_types was not granted within ` +
      `${LOCK_TIMEOUT} (a long transaction holds it); nothing was changed. Run ` +
      `\`postmand migrate\` again, once that transaction is over.`,
    { cause: err },
  );
}

/**
 * v3 §11, fan-out by tenant: webhook_event_types, the patterns that the publish statement
 * matches an event's type against, learns whose webhook each row is, so that an event for
 * a tenant reads only that tenant's subscriptions (TenantFanOutIndexes, next, makes the
 * table's key lead with it).
 *
 * `tenant_key` is the webhook's tenant, or '' for the platform's own webhooks (a tenant id
 * is never empty): NOT NULL, because a btree's `=` never matches a NULL, and an
 * `OR tenant IS NULL` would leave the index for a scan.
 *
 * Cheap on a big database: a NOT NULL column with a constant default is written into the
 * catalogue only (no table rewrite), and every existing row is a platform webhook's ('').
 * The backfill below reads only the webhooks that have a tenant (by webhooks_tenant_id_idx;
 * none, unless one was given a tenant by hand). The trigger now also follows a change of
 * `tenant_id` (the API never changes it; a hand-written UPDATE would otherwise leave the
 * copy stale).
 *
 * Its locks: the new column takes webhook_event_types' ACCESS EXCLUSIVE lock, the trigger
 * webhooks' SHARE ROW EXCLUSIVE (writes wait), each only for a moment, but queued behind
 * a long transaction they would hold every writer up behind them. `lock_timeout` (5 s,
 * this transaction's only) bounds that: past it the migration fails, nothing changed, with
 * a message saying to run `postmand migrate` again.
 *
 * API processes of the previous version must be stopped before this runs
 * (docs/operations.md, upgrading): they match an event's type by pattern alone, so they
 * would fan a platform event out to tenants' webhooks too, and once the key leads with
 * the tenant (TenantFanOutIndexes) each of their publishes reads the whole table.
 *
 * EventFanOutWithoutForeignKey (which has landed, so is not edited) says what the dropped
 * deliveries → events key guarded still holds by construction; with tenants it still does:
 * event_id is also copied by a redelivery, under a lock on the event, and an event is
 * also deleted by its tenant's delete, in the statement that deletes every delivery of it
 * (they are all of the tenant's webhooks, which go with it: the publish statement fans an
 * event out only to webhooks of its own tenant).
 */
export class TenantFanOut1765670400000 implements MigrationInterface {
  name = 'TenantFanOut1765670400000';

  async up(q: QueryRunner): Promise<void> {
    try {
      await this.apply(q);
    } catch (err) {
      throw clearly(err);
    }
  }

  private async apply(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    // webhooks first, in the mode its trigger's replacement takes anyway: writers lock
    // webhooks before webhook_event_types (the trigger writes the latter), so taking
    // them in the other order could deadlock with a create in flight.
    await q.query(`LOCK TABLE webhooks IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(
      `ALTER TABLE webhook_event_types ADD COLUMN tenant_key varchar(64) COLLATE "C" NOT NULL DEFAULT ''`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION postmand_sync_event_types() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF NEW.event_types IS NOT DISTINCT FROM OLD.event_types
             AND NEW.tenant_id IS NOT DISTINCT FROM OLD.tenant_id THEN
            RETURN NULL;
          END IF;
          DELETE FROM webhook_event_types WHERE webhook_id = NEW.id;
        END IF;
        INSERT INTO webhook_event_types (tenant_key, pattern, webhook_id)
          SELECT DISTINCT coalesce(NEW.tenant_id, ''), p, NEW.id FROM unnest(NEW.event_types) AS p;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE TRIGGER webhooks_sync_event_types
        AFTER INSERT OR UPDATE OF event_types, tenant_id ON webhooks
        FOR EACH ROW EXECUTE FUNCTION postmand_sync_event_types()`);
    await q.query(`
      UPDATE webhook_event_types s SET tenant_key = w.tenant_id
      FROM webhooks w
      WHERE w.tenant_id IS NOT NULL AND s.webhook_id = w.id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await q.query(`
      CREATE OR REPLACE TRIGGER webhooks_sync_event_types
        AFTER INSERT OR UPDATE OF event_types ON webhooks
        FOR EACH ROW EXECUTE FUNCTION postmand_sync_event_types()`);
    await q.query(SYNC_BEFORE);
    await q.query(`ALTER TABLE webhook_event_types DROP COLUMN tenant_key`);
  }
}
