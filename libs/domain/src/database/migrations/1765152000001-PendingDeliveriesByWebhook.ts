import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The indexes of §7's claims. The limited claim takes a webhook's parked deliveries
 * oldest `scheduled_at` first; the plain claim's due index leaves parked deliveries out.
 * Both hold pending rows only, but building them reads the whole table, so they are built
 * CONCURRENTLY (writes go on meanwhile), which cannot run inside a transaction; an invalid
 * index left by an interrupted build is dropped first. The new due index takes the old
 * one's name once it is valid, so the old one serves claims until then.
 */
export class PendingDeliveriesByWebhook1765152000001 implements MigrationInterface {
  name = 'PendingDeliveriesByWebhook1765152000001';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP INDEX CONCURRENTLY IF EXISTS deliveries_parked_webhook_id_scheduled_at_idx`,
    );
    await q.query(`
      CREATE INDEX CONCURRENTLY deliveries_parked_webhook_id_scheduled_at_idx
        ON deliveries (webhook_id, scheduled_at) WHERE status = 'pending' AND parked`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS deliveries_due_unparked_idx`);
    await q.query(`
      CREATE INDEX CONCURRENTLY deliveries_due_unparked_idx
        ON deliveries (scheduled_at) WHERE status = 'pending' AND NOT parked`);
    await q.query(`DROP INDEX CONCURRENTLY deliveries_due_idx`);
    await q.query(`ALTER INDEX deliveries_due_unparked_idx RENAME TO deliveries_due_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts in a transaction, whatever the migration says.
    await q.query(`DROP INDEX deliveries_parked_webhook_id_scheduled_at_idx`);
    await q.query(`DROP INDEX deliveries_due_idx`);
    await q.query(
      `CREATE INDEX deliveries_due_idx ON deliveries (scheduled_at) WHERE status = 'pending'`,
    );
  }
}
