import autocannon from 'autocannon';
import { createBenchDatabase, createWebhook } from '../lib/database';
import { startScript, startServer } from '../lib/processes';
import { freePort, waitForHttp } from '../lib/util';

export interface ApiResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** autocannon at 32 connections for 10 s unless `options` say otherwise. */
export async function cannon(name: string, options: autocannon.Options): Promise<ApiResult> {
  const result = await autocannon({ connections: 32, duration: 10, ...options });
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** POST /v1/deliveries and a filtered list on a `server` process, and the bare route. */
export async function apiThroughput(serverUrl: string, seconds: number): Promise<ApiResult[]> {
  const db = await createBenchDatabase(serverUrl);
  const barePort = await freePort();
  const server = await startServer(db.url);
  const bare = startScript('bench/bare-app.ts', { BARE_PORT: String(barePort) });
  try {
    await waitForHttp(`http://127.0.0.1:${barePort}/nothing`);
    // No worker runs: the webhook points nowhere and deliveries just accumulate.
    const webhookId = await createWebhook(db, 'http://127.0.0.1:9/hook');
    const body = JSON.stringify({
      webhook_id: webhookId,
      payload: '{"event":"order.created","order_id":1}',
    });
    const post = {
      method: 'POST' as const,
      body,
      headers: { 'content-type': 'application/json' },
      duration: seconds,
    };
    const results = [
      await cannon('bare Nest route (same pipe and DTO)', {
        ...post,
        url: `http://127.0.0.1:${barePort}/bare`,
      }),
      await cannon('POST /v1/deliveries', {
        ...post,
        url: `${server.url}/v1/deliveries`,
      }),
      await cannon('GET /v1/deliveries?webhook_id=…', {
        url: `${server.url}/v1/deliveries?webhook_id=${webhookId}&limit=50`,
        duration: seconds,
      }),
    ];
    return results;
  } finally {
    await bare.stop();
    await server.process.stop();
    await db.drop();
  }
}
