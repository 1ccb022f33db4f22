import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndex as build } from './concurrent-index';

/** The partitioned index of a tenant's attempts, and its name on each partition. */
const ATTEMPTS_INDEX = 'delivery_attempts_tenant_id_created_at_id_idx';
const onPartition = (partition: string): string => `${partition}_tenant_idx`;
const ATTEMPTS_COLUMNS = `(tenant_id, created_at, id) WHERE tenant_id IS NOT NULL`;

/** How long a step that stops writes waits for its lock before the migration gives up. */
const LOCK_TIMEOUT = '5s';

/**
 * Runs `ddl`, which takes a lock that stops writes for a moment, in a transaction of its
 * own with a lock_timeout: queued behind a long transaction, it would hold every writer up
 * behind it. Past the timeout the migration fails, saying to run it again (what was built
 * before stays, and is not built again).
 */
async function briefly(q: QueryRunner, what: string, ddl: string): Promise<void> {
  await q.startTransaction();
  try {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await q.query(ddl);
    await q.commitTransaction();
  } catch (err) {
    await q.rollbackTransaction();
    if ((err as { code?: string }).code !== '55P03') throw err;
    throw new Error(
      `TenantFanOutIndexes: ${what} was not granted its lock within ${LOCK_TIMEOUT} (a long ` +
        `transaction holds it); run \`postmand migrate\` again once it is over.`,
      { cause: err },
    );
  }
}

/**
 * The indexes by tenant that the fan-out and the tenant's lists read (v3 §11), each built
 * without holding a lock that stops writes (CONCURRENTLY, which cannot run in a
 * transaction; see `build` for a run interrupted and run again), and the steps that do
 * stop writes for a moment bounded by a lock timeout (see `briefly`):
 *
 * - webhook_event_types' key becomes (tenant_key, pattern, webhook_id): the publish
 *   statement matches an event's type with an index-only scan per (tenant, pattern), so
 *   an event for a tenant reads that tenant's subscriptions only, whatever the number of
 *   other tenants' webhooks. The new unique index is built first, then swapped in for the
 *   old key in one ALTER (a moment's exclusive lock, no scan: the index is the proof). The
 *   old key, led by the pattern, served nothing else.
 * - deliveries (tenant_id, created_at, id), partial: a tenant's deliveries newest first.
 *   Platform deliveries (tenant_id NULL, every row before v3) are left out, so the build
 *   reads the table but writes an index of tenants' rows only.
 * - delivery_attempts, the same. It is partitioned, and CONCURRENTLY is refused on a
 *   partitioned table: the index is made ON ONLY the parent (invalid, empty), built
 *   CONCURRENTLY on each partition and attached; once every partition has its own, the
 *   parent's is valid. Partitions made later (AttemptPartitions, retention) get theirs
 *   when attached, as they get the other indexes. One made while this runs is attached
 *   with the index already: the loop looks again until no partition lacks it.
 */
export class TenantFanOutIndexes1765670400001 implements MigrationInterface {
  name = 'TenantFanOutIndexes1765670400001';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // Swapped already (a run that failed later): the key is the tenant's, its index renamed.
    const swapped = (await q.query(
      `SELECT 1 FROM pg_index x
       WHERE x.indexrelid = 'webhook_event_types_pkey'::regclass AND x.indnatts = 3`,
    )) as unknown[];
    if (swapped.length === 0) {
      await build(
        q,
        'webhook_event_types_tenant_key',
        `CREATE UNIQUE INDEX CONCURRENTLY webhook_event_types_tenant_key
           ON webhook_event_types (tenant_key, pattern, webhook_id)`,
      );
      await briefly(
        q,
        'the swap of webhook_event_types_pkey',
        `ALTER TABLE webhook_event_types
           DROP CONSTRAINT webhook_event_types_pkey,
           ADD CONSTRAINT webhook_event_types_pkey PRIMARY KEY USING INDEX webhook_event_types_tenant_key`,
      );
    }

    await build(
      q,
      'deliveries_tenant_id_created_at_id_idx',
      `CREATE INDEX CONCURRENTLY deliveries_tenant_id_created_at_id_idx
         ON deliveries (tenant_id, created_at, id) WHERE tenant_id IS NOT NULL`,
    );

    await briefly(
      q,
      `${ATTEMPTS_INDEX} on delivery_attempts`,
      `CREATE INDEX IF NOT EXISTS ${ATTEMPTS_INDEX} ON ONLY delivery_attempts ${ATTEMPTS_COLUMNS}`,
    );
    for (;;) {
      const missing = (await q.query(
        `SELECT c.relname AS partition
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'delivery_attempts'::regclass
           AND NOT EXISTS (
             SELECT 1 FROM pg_inherits ii JOIN pg_index x ON x.indexrelid = ii.inhrelid
             WHERE ii.inhparent = '${ATTEMPTS_INDEX}'::regclass AND x.indrelid = c.oid)
         ORDER BY c.relname`,
      )) as { partition: string }[];
      if (missing.length === 0) break;
      for (const { partition } of missing) {
        const index = onPartition(partition);
        await build(
          q,
          index,
          `CREATE INDEX CONCURRENTLY ${index} ON ${partition} ${ATTEMPTS_COLUMNS}`,
        );
        await briefly(
          q,
          `the attachment of ${index}`,
          `ALTER INDEX ${ATTEMPTS_INDEX} ATTACH PARTITION ${index}`,
        );
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts in a transaction, whatever the migration says. Dropping the parent's
    // index drops its partitions' with it.
    await q.query(`DROP INDEX ${ATTEMPTS_INDEX}`);
    await q.query(`DROP INDEX deliveries_tenant_id_created_at_id_idx`);
    await q.query(`
      ALTER TABLE webhook_event_types DROP CONSTRAINT webhook_event_types_pkey,
        ADD PRIMARY KEY (pattern, webhook_id)`);
  }
}
