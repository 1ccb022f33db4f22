import { ApiKeyRepository, ApiKeysService, generateApiKey } from '@app/domain';
import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';
import { until } from '../helpers/wait';

type Method = 'get' | 'post' | 'put' | 'delete';
interface Operation {
  method: Method;
  path: string;
  operationId: string;
  /** Its documented 2xx statuses. */
  success: number[];
}

/** The ids a path needs, made fresh for each operation (a DELETE must find its target). */
interface World {
  webhookId: string;
  deliveryId: string;
  attemptId: string;
  eventId: string;
  tenantId: string;
  sessionId: string;
}

/** Operations only a portal session may use: a key's request is a 403 code 15. */
const PORTAL_ONLY = new Set(['getCurrentPortalSession']);

/** A body each write operation accepts. */
const BODIES: Record<string, (w: World) => object | undefined> = {
  createWebhook: () => RECEIVER_HOOK,
  updateWebhook: () => RECEIVER_HOOK,
  rotateWebhookSecret: () => ({ grace_period: 60 }),
  deleteWebhook: () => undefined,
  createDelivery: (w) => ({ webhook_id: w.webhookId, payload: '{}' }),
  deleteDelivery: () => undefined,
  redeliverDelivery: () => undefined,
  redeliverDeliveries: () => ({ status: 'pending' }),
  createEvent: () => ({ event_type: 'order.created', payload: '{}' }),
  testWebhook: () => ({ event_type: 'a.b' }),
  putEventType: () => ({ description: 'World' }),
  deleteEventType: () => undefined,
  putTenant: () => ({ name: 'World' }),
  deleteTenant: () => undefined,
  createPortalSession: () => ({ read_only: true }),
  revokePortalSessions: () => undefined,
  revokePortalSession: () => undefined,
};

describe('access control (POSTMAND_AUTH=api_key)', () => {
  let keys: ApiKeysService;
  let readKey: string;
  let writeKey: string;
  const f = ApiFixture.use(
    { POSTMAND_AUTH: 'api_key' },
    {
      seed: async (db) => {
        keys = new ApiKeysService(new ApiKeyRepository(db.dataSource));
        readKey = (await keys.create('reader', 'read')).key;
        writeKey = (await keys.create('writer', 'write')).key;
      },
    },
  );
  const http = () => f.http();

  /** One of each resource, straight in the database. */
  const world = async (): Promise<World> => {
    const [hook] = await f.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ('world', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60)
       RETURNING id`,
    );
    const [event] = await f.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO events (id, event_type, payload, delivery_count, scheduled_at)
       VALUES (gen_random_uuid(), 'a.b', '{}', 1, now()) RETURNING id`,
    );
    const [delivery] = await f.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO deliveries (webhook_id, payload, event_id, event_type, scheduled_at)
       VALUES ($1, '{}', $2, 'a.b', now() + interval '1 day') RETURNING id`,
      [hook.id, event.id],
    );
    const [attempt] = await f.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, error)
       VALUES ($1, $2, 'POST / HTTP/1.1', '', 0, 1, false, 'refused') RETURNING id`,
      [hook.id, delivery.id],
    );
    await f.db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('world', 'World')`);
    await f.db.dataSource.query(`INSERT INTO event_types (name, example) VALUES ('a.b', '{}')`);
    const [session] = await f.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, expires_at)
       VALUES (gen_random_uuid(), 'world', sha256('world'), false, now() + interval '1 hour')
       RETURNING id`,
    );
    return {
      webhookId: hook.id,
      deliveryId: delivery.id,
      attemptId: attempt.id,
      eventId: event.id,
      tenantId: 'world',
      sessionId: session.id,
    };
  };

  /** A query string each operation that needs one takes. */
  const QUERIES: Record<string, (w: World) => string> = {
    getWebhookSuccessRates: (w) => `?webhook_ids=${w.webhookId}`,
  };

  const urlOf = (op: Operation, w: World): string =>
    pathOf(op, w) + (QUERIES[op.operationId]?.(w) ?? '');

  const pathOf = (op: Operation, w: World): string =>
    op.path
      .replace('{tenant_id}', w.tenantId)
      .replace('{session_id}', w.sessionId)
      .replace('{name}', 'a.b')
      .replace(
        '{id}',
        op.path.startsWith('/v1/webhooks')
          ? w.webhookId
          : op.path.startsWith('/v1/deliveries')
            ? w.deliveryId
            : op.path.startsWith('/v1/delivery-attempts')
              ? w.attemptId
              : w.eventId,
      );

  const send = (op: Operation, w: World, authorization?: string) => {
    let req = http()[op.method](urlOf(op, w));
    if (authorization !== undefined) req = req.set('Authorization', authorization);
    const body = BODIES[op.operationId]?.(w);
    return body === undefined ? req : req.send(body);
  };

  /** Every operation in the served document (read without a key: it holds no data). */
  const operations = async (): Promise<Operation[]> => {
    const doc = (await http().get('/swagger/doc.json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string; responses: object }>>;
    };
    return Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        method: method as Method,
        path,
        operationId: op.operationId,
        success: Object.keys(op.responses)
          .filter((s) => /^2\d\d$/.test(s))
          .map(Number),
      })),
    );
  };

  it('walks every operation of the OpenAPI document with no key, an unknown one, a read key and a write key', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThanOrEqual(19);
    const unknown = generateApiKey();
    for (const op of ops) {
      const w = await world();
      const label = `${op.method.toUpperCase()} ${op.path}`;
      const none = await send(op, w);
      expect([label, none.status, none.body]).toEqual([
        label,
        401,
        { code: 14, message: 'unauthorized', details: expect.any(String) },
      ]);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="postmand"');

      const bad = await send(op, w, `Bearer ${unknown}`);
      expect([label, bad.status, bad.body.code]).toEqual([label, 401, 14]);
      expect(bad.headers['www-authenticate']).toBe(
        'Bearer realm="postmand", error="invalid_token"',
      );
      expect(bad.text).not.toContain(unknown);

      const read = await send(op, w, `Bearer ${readKey}`);
      if (PORTAL_ONLY.has(op.operationId)) {
        // A key is the platform's, which has no portal session to describe.
        for (const key of [readKey, writeKey]) {
          const res = await send(op, w, `Bearer ${key}`);
          expect([label, res.status, res.body.code]).toEqual([label, 403, 15]);
        }
      } else if (op.method === 'get') {
        expect([label, op.success.includes(read.status)]).toEqual([label, true]);
      } else {
        expect([label, read.status, read.body]).toEqual([
          label,
          403,
          {
            code: 15,
            message: 'forbidden',
            details: `the API key "reader" has scope read; ${op.method.toUpperCase()} needs a key of scope write`,
          },
        ]);
      }
      const write = await send(op, w, `Bearer ${writeKey}`);
      if (!PORTAL_ONLY.has(op.operationId)) {
        expect([label, write.status, op.success.includes(write.status)]).toEqual([
          label,
          write.status,
          true,
        ]);
      }
      await f.truncate();
    }
    // Every write operation has its body here: a new route cannot go unwalked.
    expect(Object.keys(BODIES).sort()).toEqual(
      ops
        .filter((o) => o.method !== 'get')
        .map((o) => o.operationId)
        .sort(),
    );
  });

  it('answers 401 before reading the body or the route, and takes "bearer" in any case', async () => {
    const malformed = await http()
      .post('/v1/webhooks')
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(401);
    expect(malformed.body.code).toBe(14);
    await http().get('/v1/no-such-route').expect(401);
    await http().get('/V1/webhooks').expect(401);
    await http().get('/v1/no-such-route').set('Authorization', `Bearer ${readKey}`).expect(404);
    await http().get('/v1/webhooks').set('Authorization', `bearer ${readKey}`).expect(200);
    await http().head('/v1/webhooks').set('Authorization', `Bearer ${readKey}`).expect(200);
    for (const header of [`Basic ${readKey}`, readKey, `Bearer ${readKey} extra`, 'Bearer ']) {
      const res = await http().get('/v1/webhooks').set('Authorization', header).expect(401);
      expect(res.body.details).toBeDefined();
      expect(res.text).not.toContain(readKey);
    }
    // A dry run creates nothing, but it is a write operation all the same.
    await http()
      .post('/v1/deliveries/redeliver')
      .set('Authorization', `Bearer ${readKey}`)
      .send({ dry_run: true })
      .expect(403);
    // The health server is another port; Swagger's page holds no data.
    await http().get('/swagger').expect(200);
  });

  it('scopes Idempotency-Keys per API key', async () => {
    const other = (await keys.create('writer-2', 'write')).key;
    const post = (key: string) =>
      http()
        .post('/v1/events')
        .set('Authorization', `Bearer ${key}`)
        .set('Idempotency-Key', 'same-key')
        .send({ event_type: 'a.b', payload: '1' })
        .expect(201);
    const first = await post(writeKey);
    const replay = await post(writeKey);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    const elsewhere = await post(other);
    expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
    expect(elsewhere.body.id).not.toBe(first.body.id);
    await keys.revoke('writer-2');
  });

  it('sees a new key at once and a revoked one within 5 s, writing last_used_at at most once a minute', async () => {
    const { key } = await keys.create('short-lived', 'read');
    await http().get('/v1/events').set('Authorization', `Bearer ${key}`).expect(200);
    const lastUsed = async (): Promise<Date | null> =>
      (await keys.list()).find((k) => k.name === 'short-lived')!.lastUsedAt;
    await until(async () => (await lastUsed()) !== null, 5000);
    const first = await lastUsed();
    for (let i = 0; i < 20; i++) {
      await http().get('/v1/events').set('Authorization', `Bearer ${key}`).expect(200);
    }
    expect(await lastUsed()).toEqual(first);

    await keys.revoke('short-lived');
    const revokedAt = Date.now();
    await until(async () => {
      const res = await http().get('/v1/events').set('Authorization', `Bearer ${key}`);
      return res.status === 401;
    }, 5000);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
  });

  it('declares the bearer scheme and each operation’s 401 and 403 in the OpenAPI document', async () => {
    const doc = (await http().get('/swagger/doc.json').expect(200)).body;
    expect(doc.components.securitySchemes.api_key).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.security).toEqual([{ api_key: [] }]);
    for (const op of await operations()) {
      const responses = doc.paths[op.path][op.method].responses;
      expect(responses['401']).toBeDefined();
      // A GET's 403 is a portal session's (§12): an operation it may not use.
      expect(responses['403']).toBeDefined();
    }
    expect(doc.components.securitySchemes.portal_session).toMatchObject({ scheme: 'bearer' });
  });
});

describe('access control off (POSTMAND_AUTH=none, the default)', () => {
  const f = ApiFixture.use();

  it('asks for no key and ignores one, as v1 did', async () => {
    const http = () => f.http();
    await http().get('/v1/webhooks').expect(200);
    await http().get('/v1/webhooks').set('Authorization', 'Bearer nonsense').expect(200);
    await http().post('/v1/webhooks').send(RECEIVER_HOOK).expect(201);
    const doc = (await http().get('/swagger/doc.json').expect(200)).body;
    expect(doc.security).toBeUndefined();
    // Only a portal session's token (§12) can be refused with access control off.
    expect(doc.paths['/v1/webhooks'].get.responses['401'].description).toBe(
      'Unauthorized (code 14).',
    );
    expect(doc.components.securitySchemes).toEqual({
      portal_session: expect.objectContaining({ bearerFormat: 'pmp_…' }),
    });
  });
});
