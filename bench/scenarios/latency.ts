import * as http from 'node:http';
import { createBenchDatabase, createWebhook } from '../lib/database';
import { ReceiverProcess, startPostmand } from '../lib/processes';
import { freePort, percentile, waitForHttp } from '../lib/util';

export interface LatencyResult {
  offeredPerSecond: number;
  deliveries: number;
  p50: number;
  p99: number;
  max: number;
  /** Measured POSTs that failed (not in the percentiles). */
  failed: number;
}

/**
 * Offers `rate` POST /v1/deliveries per second for `seconds` to a `server` process, with
 * a `worker` process sending; latency is from the POST returning to the receiver seeing
 * the request (one machine, one clock).
 */
export async function latency(
  serverUrl: string,
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const receiver = await ReceiverProcess.start({ record: true });
  const db = await createBenchDatabase(serverUrl);
  const port = await freePort();
  const env = { POSTMAND_DATABASE_URL: db.url, POSTMAND_HEALTH_CHECK_HTTP_PORT: '0' };
  const server = startPostmand('server', { ...env, POSTMAND_HTTP_PORT: String(port) });
  const worker = startPostmand('worker', env);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/v1/webhooks`);
    const webhookId = await createWebhook(db, `${receiver.url}/hook`);
    // Warm-up (not measured): JIT, connection pools and caches settle first.
    for (let i = 0; i < rate * 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
      postJson(agent, port, '/v1/deliveries', { webhook_id: webhookId, payload: '{}' }).catch(
        () => undefined, // a failed warm-up request only warms less
      );
    }
    const warmUp = rate * 2;
    const returned = new Map<string, number>();
    const total = rate * seconds;
    const started = Date.now();
    const posts: Promise<void>[] = [];
    // A request that fails (a keep-alive race, say) is counted, not fatal to the suite.
    let failed = 0;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (process.env.BENCH_DIRECT) {
        posts.push(
          db.dataSource
            .query<{ id: string }[]>(
              `INSERT INTO deliveries (webhook_id, payload) VALUES ($1, 'x') RETURNING id`,
              [webhookId],
            )
            .then((rows) => void returned.set(rows[0].id, Date.now())),
        );
        continue;
      }
      posts.push(
        postJson(agent, port, '/v1/deliveries', {
          webhook_id: webhookId,
          payload: `{"n":${i}}`,
        })
          .then((body) => void returned.set((JSON.parse(body) as { id: string }).id, Date.now()))
          .catch(() => void failed++),
      );
    }
    await Promise.all(posts);
    const deadline = Date.now() + 60_000;
    let stats = await receiver.stats();
    while (stats.count < total + warmUp - failed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stats = await receiver.stats();
    }
    const inOrder = stats.arrivals
      .filter(([id]) => returned.has(id))
      .map(([id, at]) => at - returned.get(id)!);
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify(inOrder));
    const latencies = [...inOrder].sort((a, b) => a - b);
    return {
      offeredPerSecond: rate,
      deliveries: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      failed,
    };
  } finally {
    agent.destroy();
    await worker.stop();
    await server.stop();
    await db.drop();
    await receiver.stop();
  }
}

export function postJson(
  agent: http.Agent,
  port: number,
  path: string,
  body: unknown,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          res.statusCode === 201 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
