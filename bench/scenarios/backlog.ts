import {
  createBenchDatabase,
  createWebhook,
  insertDeliveries,
  type BenchDatabase,
} from '../lib/database';
import { ReceiverProcess, startPostmand, startServer } from '../lib/processes';
import { percentile } from '../lib/util';

export interface BacklogResult {
  backlog: number;
  attemptRows: number;
  measured: number;
  perSecond: number;
}

export interface ListLatency {
  query: string;
  p50: number;
  p95: number;
}

/** Fills the history: `rows` finished deliveries, each with one attempt row. */
async function insertHistory(db: BenchDatabase, webhookId: string, rows: number): Promise<void> {
  for (let done = 0; done < rows; done += 250_000) {
    const n = Math.min(250_000, rows - done);
    await db.dataSource.query(
      `WITH d AS (
         INSERT INTO deliveries (webhook_id, payload, status, delivery_attempts, created_at, scheduled_at)
         SELECT $1, '{"old":' || g || '}', 'succeeded', 1, now() - interval '2 days' + g * interval '1 ms',
                now() - interval '2 days'
         FROM generate_series(1, $2::int) g
         RETURNING id, webhook_id, created_at)
       INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, created_at)
       SELECT webhook_id, id, 'POST /hook HTTP/1.1', 'HTTP/1.1 200 OK', 200, 3, true, created_at FROM d`,
      [webhookId, n],
    );
  }
}

/** Rate of the first `measure` deliveries out of a backlog of `backlog` due ones. */
export async function backlogThroughput(
  serverUrl: string,
  backlog: number,
  historyRows: number,
  measure: number,
  withListLatency = false,
): Promise<{ result: BacklogResult; lists?: ListLatency[] }> {
  const receiver = await ReceiverProcess.start();
  const db = await createBenchDatabase(serverUrl);
  try {
    const webhookId = await createWebhook(db, `${receiver.url}/hook`);
    if (historyRows > 0) await insertHistory(db, webhookId, historyRows);
    await insertDeliveries(db, webhookId, backlog);
    await db.dataSource.query('VACUUM ANALYZE');
    const lists = withListLatency ? await listLatencies(db, webhookId) : undefined;
    const worker = startPostmand('worker', {
      POSTMAND_DATABASE_URL: db.url,
      POSTMAND_HEALTH_CHECK_HTTP_PORT: '0',
    });
    // Rate over `measure` successes, counted from the attempts written after the start.
    const t0 = Date.now();
    let first = 0;
    let count = 0;
    for (;;) {
      const [row] = await db.dataSource.query<
        { n: number; first: Date | null; last: Date | null }[]
      >(
        `SELECT count(*)::int AS n, min(created_at) AS first, max(created_at) AS last
         FROM delivery_attempts WHERE created_at > now() - interval '1 day'`,
      );
      count = row.n;
      first = row.first?.getTime() ?? 0;
      if (count >= measure || Date.now() - t0 > 600_000) {
        await worker.stop();
        return {
          result: {
            backlog,
            attemptRows: historyRows,
            measured: count,
            perSecond: Math.round(
              ((count - 1) * 1000) / Math.max(1, (row.last?.getTime() ?? 0) - first),
            ),
          },
          lists,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await db.drop();
    await receiver.stop();
  }
}

/** p50/p95 of list requests on the big tables, through a `server` process. */
async function listLatencies(db: BenchDatabase, webhookId: string): Promise<ListLatency[]> {
  const server = await startServer(db.url);
  try {
    const [{ id: deliveryId }] = await db.dataSource.query<{ id: string }[]>(
      `SELECT delivery_id AS id FROM delivery_attempts ORDER BY created_at LIMIT 1 OFFSET 12345`,
    );
    const [{ at }] = await db.dataSource.query<{ at: Date }[]>(
      `SELECT created_at AS at FROM deliveries ORDER BY created_at LIMIT 1 OFFSET 500000`,
    );
    const queries = [
      '/v1/deliveries',
      `/v1/deliveries?webhook_id=${webhookId}`,
      `/v1/deliveries?webhook_id=${webhookId}&status=succeeded`,
      '/v1/deliveries?status=pending&limit=100',
      `/v1/deliveries?created_at.lt=${encodeURIComponent(at.toISOString())}`,
      `/v1/delivery-attempts?delivery_id=${deliveryId}`,
      `/v1/delivery-attempts?webhook_id=${webhookId}&success=false`,
      '/v1/delivery-attempts?limit=100',
    ];
    const results: ListLatency[] = [];
    for (const query of queries) {
      const times: number[] = [];
      for (let i = 0; i < 60; i++) {
        const started = performance.now();
        const res = await fetch(`${server.url}${query}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${query}: ${res.status}`);
        if (i >= 10) times.push(performance.now() - started); // the first 10 warm up
      }
      times.sort((a, b) => a - b);
      results.push({
        query: query.replace(webhookId, '<id>').replace(deliveryId, '<id>'),
        p50: round(percentile(times, 50)),
        p95: round(percentile(times, 95)),
      });
    }
    return results;
  } finally {
    await server.process.stop();
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
