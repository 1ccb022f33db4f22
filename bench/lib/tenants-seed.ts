import type { BenchDatabase } from './database';

/** Tenants are seeded this many at a time, so no one statement holds millions of trigger rows. */
export const TENANT_BATCH = 10_000;

/** Inserts tenants t1…tN (id and name `t<i>`). */
export async function insertTenants(db: BenchDatabase, tenants: number): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO tenants (id, name) SELECT 't' || i, 't' || i FROM generate_series(1, $1) i`,
    [tenants],
  );
}

/**
 * The statement that gives tenants t$1…t$2 `hooksPerTenant` webhooks each, named
 * `endpoint <h>` (h from 1), subscribed to `eventTypes` (an SQL text[] expression of `h`),
 * returning `id, tenant_id, name`: run alone, or as a CTE whose rows a caller uses further.
 */
export function tenantWebhooksSql(hooksPerTenant: number, eventTypes: string): string {
  return `INSERT INTO webhooks (id, name, url, content_type, valid_status_codes,
            max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff,
            retry_max_backoff, tenant_id, event_types)
          SELECT gen_random_uuid(), 'endpoint ' || h, 'http://127.0.0.1:9/t' || t || '/' || h,
                 'application/json', '{200}', 5, 10, 10, 3600, 't' || t, ${eventTypes}
          FROM generate_series($1::int, $2::int) t, generate_series(1, ${hooksPerTenant}) h
          RETURNING id, tenant_id, name`;
}

/**
 * As autovacuum would have by then: statistics, and pages marked all-visible (index-only
 * scans need them). One table at a time: each well within the data source's 60 s query
 * timeout.
 */
export async function vacuumAnalyze(db: BenchDatabase, tables: string[]): Promise<void> {
  for (const table of tables) await db.dataSource.query(`VACUUM ANALYZE ${table}`);
}
