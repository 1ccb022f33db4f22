import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndex } from './concurrent-index';

/** The statuses a tenant's list is filtered by that are a small share of its deliveries. */
const STATUSES = ['pending', 'failed'] as const;
const indexOf = (status: string): string => `deliveries_${status}_tenant_id_created_at_id_idx`;

/**
 * A tenant's deliveries of one status, newest first (the customer portal's logs filtered
 * by status, and its recover's count, which is a bulk redeliver of `failed` ones): without
 * these, PostgreSQL intersects the tenant's index with the status's index over every
 * tenant's rows, a cost that grows with the whole database (7–19 ms at 1,000,000
 * deliveries for a median tenant's failed ones, bench/RESULTS.md "The customer portal"),
 * where one of these reads the tenant's rows of that status alone (0.1 ms). Partial: a
 * platform delivery (no tenant) is in none, and `succeeded`, most of a tenant's rows, is
 * read well enough through the tenant's own index. They mirror the per-status webhook
 * indexes of the initial schema. Built CONCURRENTLY (no lock that stops writes), so
 * outside a transaction; a run interrupted and run again goes on (see buildIndex).
 */
export class TenantStatusIndexes1765756800020 implements MigrationInterface {
  name = 'TenantStatusIndexes1765756800020';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const status of STATUSES) {
      await buildIndex(
        q,
        indexOf(status),
        `CREATE INDEX CONCURRENTLY ${indexOf(status)} ON deliveries (tenant_id, created_at, id)
           WHERE status = '${status}' AND tenant_id IS NOT NULL`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts in a transaction, whatever the migration says.
    for (const status of STATUSES) await q.query(`DROP INDEX IF EXISTS ${indexOf(status)}`);
  }
}
