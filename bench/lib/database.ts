import { createTestDatabase, type TestDatabase } from '../../test/support/database';

export type BenchDatabase = TestDatabase;

/** A fresh `postmand_bench_<random>` database on `serverUrl`: the tests' own helper. */
export function createBenchDatabase(serverUrl: string, migrated = true): Promise<BenchDatabase> {
  return createTestDatabase({
    serverUrl,
    migrate: migrated,
    prefix: 'postmand_bench',
    poolSize: 4,
  });
}

export async function createWebhook(
  db: BenchDatabase,
  url: string,
  active = true,
): Promise<string> {
  const [row] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO webhooks (name, url, content_type, valid_status_codes, active,
       max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
     VALUES ('bench', $1, 'application/json', '{200}', $2, 5, 30, 10, 3600) RETURNING id`,
    [url, active],
  );
  return row.id;
}

/**
 * Inserts `count` due deliveries for the webhook: a ~80-byte JSON payload, or
 * `payloadBytes` of JSON when given.
 */
export async function insertDeliveries(
  db: BenchDatabase,
  webhookId: string,
  count: number,
  payloadBytes?: number,
): Promise<void> {
  const payload = payloadBytes
    ? `'{"blob":"' || repeat('x', ${payloadBytes - 12}) || '"}'`
    : `'{"event":"order.created","order_id":' || g || ',"amount":4200,"currency":"EUR"}'`;
  for (let done = 0; done < count; done += 100_000) {
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
       SELECT $1, ${payload}, now() - interval '1 second'
       FROM generate_series($2::int, $3::int) g`,
      [webhookId, done + 1, Math.min(count, done + 100_000)],
    );
  }
}

/** Polls until `count` successful attempts exist; returns first/last success times (ms). */
export async function waitForSuccesses(
  db: BenchDatabase,
  count: number,
  timeoutMs: number,
): Promise<{ first: number; last: number; count: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.dataSource.query<{ n: number; first: Date | null; last: Date | null }[]>(
      `SELECT count(*)::int AS n, min(created_at) AS first, max(created_at) AS last
       FROM delivery_attempts WHERE success`,
    );
    if (row.n >= count || Date.now() > deadline) {
      return { count: row.n, first: row.first?.getTime() ?? 0, last: row.last?.getTime() ?? 0 };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
