import * as http from 'node:http';
import fc from 'fast-check';
import {
  brokenJson,
  contentTypes,
  garbageId,
  mutated,
  queryString,
} from '../helpers/fuzz-arbitraries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { call, createWebhook, ledger, startService, type Service } from '../helpers/system';

interface RawResponse {
  status: number;
  text: string;
  contentType: string;
}

/** One request with exactly these bytes: no client-side normalisation of path or body. */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | Buffer,
  contentType?: string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          contentType: String(res.headers['content-type'] ?? ''),
        }),
      );
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The API's error body: {"code":N,"message":"…"} with an optional string `details`. */
function isSpecError(res: RawResponse): boolean {
  if (!res.contentType.startsWith('application/json')) return false;
  const body = JSON.parse(res.text) as Record<string, unknown>;
  const keys = Object.keys(body).sort().join(',');
  return (
    Number.isInteger(body.code) &&
    typeof body.message === 'string' &&
    (keys === 'code,message' ||
      (keys === 'code,details,message' && typeof body.details === 'string'))
  );
}

describe('system: fuzzing every endpoint', () => {
  let db: TestDatabase;
  let server: Service;
  let webhookId: string;
  /** The webhook the PUTs aim at: an accepted PUT may change it, so it is not the seeded one. */
  let putTargetId: string;
  /** The seeded webhook and delivery as the API answered right after seeding them. */
  let seeded: unknown[];
  let deliveryId: string;
  let validWebhook: Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startService('server', db.url);
    validWebhook = {
      name: 'fuzzed webhook',
      url: 'http://127.0.0.1:9/hook',
      content_type: 'application/json',
      valid_status_codes: [200, 204],
      secret_token: 'secret',
      active: false, // nothing runs; the data only has to stay as it is
      max_delivery_attempts: 3,
      delivery_attempt_timeout: 5,
      retry_min_backoff: 1,
      retry_max_backoff: 60,
    };
    webhookId = await createWebhook(server.apiUrl, 'http://127.0.0.1:9/hook', validWebhook);
    const res = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: webhookId,
      payload: '{"stored":true}',
    });
    deliveryId = res.body.id as string;
    putTargetId = await createWebhook(server.apiUrl, 'http://127.0.0.1:9/put', validWebhook);
    seeded = [
      (await call(server.apiUrl, 'GET', `/v1/webhooks/${webhookId}`)).body,
      (await call(server.apiUrl, 'GET', `/v1/deliveries/${deliveryId}`)).body,
    ];
  });
  afterAll(async () => {
    await server.stop();
    await db.drop();
  });

  /** Every stored row, hashed: a rejected request must leave it as it was. */
  async function fingerprint(): Promise<string> {
    const [row] = await db.dataSource.query<{ f: string }[]>(
      `SELECT md5(coalesce((SELECT string_agg(w::text, '|' ORDER BY id) FROM webhooks w), '') ||
                  coalesce((SELECT string_agg(d::text, '|' ORDER BY id) FROM deliveries d), '') ||
                  coalesce((SELECT string_agg(a::text, '|' ORDER BY id) FROM delivery_attempts a), '')) AS f`,
    );
    return row.f;
  }

  /** Never a 5xx; a rejection is in the SPEC's shape and changes nothing stored. */
  async function check(
    method: string,
    path: string,
    body?: string | Buffer,
    contentType?: string,
  ): Promise<void> {
    const before = await fingerprint();
    const res = await raw(server.apiUrl, method, path, body, contentType);
    const where = `${method} ${path} (${contentType}) ${String(body).slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
    if (res.status >= 500) throw new Error(`5xx: ${where}`);
    if (res.status >= 400) {
      if (!isSpecError(res)) throw new Error(`not the SPEC's error shape: ${where}`);
      if ((await fingerprint()) !== before)
        throw new Error(`a rejected request changed data: ${where}`);
    }
  }

  const runs = { numRuns: 400 };

  it('POST and PUT /v1/webhooks', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(validWebhook), fc.boolean(), async (body, put) => {
        const path = put ? `/v1/webhooks/${putTargetId}` : '/v1/webhooks';
        await check(put ? 'PUT' : 'POST', path, body, 'application/json');
      }),
      runs,
    );
  });

  it('POST /v1/deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() =>
          mutated({
            webhook_id: webhookId,
            payload: '{"a":1}',
            scheduled_at: '2030-01-01T00:00:00Z',
          }),
        ),
        async (body) => check('POST', '/v1/deliveries', body, 'application/json'),
      ),
      runs,
    );
  });

  it('bodies that are not JSON, with every content type', async () => {
    const paths = fc.constantFrom(
      ['POST', '/v1/webhooks'],
      ['PUT', `/v1/webhooks/${putTargetId}`],
      ['POST', '/v1/deliveries'],
      ['POST', `/v1/deliveries/${deliveryId}/redeliver`],
    );
    await fc.assert(
      fc.asyncProperty(paths, brokenJson, contentTypes, async ([method, path], body, type) =>
        check(method, path, body, type),
      ),
      runs,
    );
  });

  it('list query strings', async () => {
    const lists = fc.constantFrom('/v1/webhooks', '/v1/deliveries', '/v1/delivery-attempts');
    await fc.assert(
      fc.asyncProperty(lists, queryString, async (path, query) => check('GET', `${path}?${query}`)),
      runs,
    );
  });

  it('ids in paths, with every method', async () => {
    const routes = fc.constantFrom(
      ['GET', '/v1/webhooks/'],
      ['DELETE', '/v1/webhooks/'],
      ['PUT', '/v1/webhooks/'],
      ['GET', '/v1/deliveries/'],
      ['DELETE', '/v1/deliveries/'],
      ['POST', '/v1/deliveries/', '/redeliver'],
      ['GET', '/v1/delivery-attempts/'],
      ['PATCH', '/v1/webhooks/'],
      ['GET', '/v2/'],
    );
    await fc.assert(
      fc.asyncProperty(routes, garbageId, async ([method, prefix, suffix], id) => {
        const body = method === 'PUT' ? JSON.stringify(validWebhook) : undefined;
        // A random UUID is never the stored webhook or delivery: nothing may be deleted.
        await check(method, `${prefix}${id}${suffix ?? ''}`, body, body && 'application/json');
      }),
      runs,
    );
  });

  it('left the seeded rows as they were, field by field', async () => {
    expect(seeded).toHaveLength(2);
    const now = [
      (await call(server.apiUrl, 'GET', `/v1/webhooks/${webhookId}`)).body,
      (await call(server.apiUrl, 'GET', `/v1/deliveries/${deliveryId}`)).body,
    ];
    expect(now).toEqual(seeded);
    expect(now[1]).toMatchObject({ payload: '{"stored":true}', status: 'pending' });
    // Nothing ran: no delivery has an attempt (the webhooks are inactive).
    expect(await ledger(db.dataSource, [])).toMatchObject({ attempts: 0, problems: [] });
  });
});
