import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndex } from './concurrent-index';

const NAME = 'deliveries_unparked_webhook_id_scheduled_at_idx';

/**
 * The fair claim's index (§4, claim.sql.ts): each webhook's pending deliveries that are
 * not parked, oldest `scheduled_at` first. The claim walks it one webhook at a time (one
 * probe per webhook, however long its backlog) and takes each ready webhook's share from
 * its own range; the due index, in `scheduled_at` order across every webhook, cannot
 * find another webhook's delivery behind one webhook's backlog without reading the
 * backlog. It mirrors deliveries_parked_webhook_id_scheduled_at_idx, the limited claim's.
 * Pending rows only, but building it reads the whole table: CONCURRENTLY, so outside a
 * transaction; a run interrupted and run again goes on (see buildIndex).
 */
export class FairClaimIndex1765843200000 implements MigrationInterface {
  name = 'FairClaimIndex1765843200000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await buildIndex(
      q,
      NAME,
      `CREATE INDEX CONCURRENTLY ${NAME} ON deliveries (webhook_id, scheduled_at)
         WHERE status = 'pending' AND NOT parked`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts in a transaction, whatever the migration says.
    await q.query(`DROP INDEX IF EXISTS ${NAME}`);
  }
}
