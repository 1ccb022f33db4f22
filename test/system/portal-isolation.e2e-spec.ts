import { RECEIVER_HOOK } from '../helpers/api-fixture';
import { call, startService, startStack, type Service, type Stack } from '../helpers/system';
import {
  secretsOf,
  seedPlatform,
  seedTenant,
  type SeededRows,
  type SeededTenant,
} from '../helpers/tenant-seed';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
interface Operation {
  method: Method;
  path: string;
  operationId: string;
}
/** What §12's table gives a session of A for an operation aimed at B's items. */
type Expected = { status: number; code?: number };

const FORBIDDEN: Expected = { status: 403, code: 15 };
const notFound = (code: number): Expected => ({ status: 404, code });

/**
 * §12's table for a writing session of tenant A, each operation aimed at tenant B's
 * webhook, delivery, attempt, event and tenant: B's items are unknown (404 with the code of
 * an unknown one), lists hold only A's, and everything else is forbidden. Every operation
 * of the served document must be here: a new route fails this test until someone decides
 * what a session may do with it.
 */
const TABLE: Record<
  string,
  { body?: (b: SeededTenant) => object; query?: (b: SeededTenant) => string; expect: Expected }
> = {
  listWebhooks: { expect: { status: 200 } },
  listDeliveries: { expect: { status: 200 } },
  listEvents: { expect: { status: 200 } },
  listDeliveryAttempts: { expect: { status: 200 } },
  getWebhook: { expect: notFound(5) },
  updateWebhook: { body: () => RECEIVER_HOOK, expect: notFound(5) },
  deleteWebhook: { expect: notFound(5) },
  rotateWebhookSecret: { body: () => ({ grace_period: 60 }), expect: notFound(5) },
  testWebhook: { body: () => ({ event_type: 'tenant-b.seeded' }), expect: notFound(5) },
  // The catalogue holds nothing of a tenant: sessions read it (the name is not in it),
  // never write it.
  listEventTypes: { expect: { status: 200 } },
  getEventType: { expect: notFound(18) },
  putEventType: { body: () => ({ description: 'taken over' }), expect: FORBIDDEN },
  deleteEventType: { expect: FORBIDDEN },
  getWebhookSuccessRates: { query: (b) => `?webhook_ids=${b.webhookId}`, expect: notFound(5) },
  createWebhook: { body: (b) => ({ ...RECEIVER_HOOK, tenant_id: b.tenantId }), expect: FORBIDDEN },
  getDelivery: { expect: notFound(6) },
  redeliverDelivery: { expect: notFound(6) },
  // Bulk: B's deliveries are not counted (nor redelivered): the count is A's alone, 0 here.
  redeliverDeliveries: {
    body: (b) => ({ status: 'pending', webhook_id: b.webhookId }),
    expect: { status: 202 },
  },
  getDeliveryAttempt: { expect: notFound(7) },
  getEvent: { expect: notFound(13) },
  getTenant: { expect: notFound(16) },
  createDelivery: { body: (b) => ({ webhook_id: b.webhookId, payload: '{}' }), expect: FORBIDDEN },
  deleteDelivery: { expect: FORBIDDEN },
  createEvent: {
    body: () => ({ event_type: 'tenant-b.seeded', payload: '{}' }),
    expect: FORBIDDEN,
  },
  getStats: { expect: FORBIDDEN },
  listTenants: { expect: FORBIDDEN },
  putTenant: { body: () => ({ name: 'taken over' }), expect: FORBIDDEN },
  deleteTenant: { expect: FORBIDDEN },
  createPortalSession: { body: () => ({}), expect: FORBIDDEN },
  revokePortalSessions: { expect: FORBIDDEN },
  listPortalSessions: { expect: FORBIDDEN },
  revokePortalSession: { expect: FORBIDDEN },
  // The session's own: A's tenant, read-only or not; nothing of B's (the leak check).
  getCurrentPortalSession: { expect: { status: 200 } },
};

/**
 * The issue's "done when" (§12): every operation of the served OpenAPI document, walked on
 * real API processes with a session of tenant A against tenant B's items, answers as §12's
 * table says, and no answer holds any of B's ids or payloads; the same with a read-only
 * session; and a revoked session is refused on a second API process.
 */
describe('system: a portal session sees nothing of another tenant', () => {
  let stack: Stack;
  let second: Service;
  let a: SeededTenant;
  let b: SeededTenant;
  let platform: SeededRows;
  let ops: Operation[];
  /** A live session of B's: what revokePortalSession is aimed at. */
  let bSession: string;

  const post = async (path: string, body: object) => {
    const res = await call(stack.server.apiUrl, 'POST', path, body);
    if (res.status !== 201) throw new Error(`${path}: ${JSON.stringify(res)}`);
    return res.body as Record<string, any>;
  };

  /** The request, answered as text: a leak is looked for in the bytes, not in a parse. */
  const send = async (api: Service, op: Operation, token: string) => {
    const row = TABLE[op.operationId];
    const path =
      op.path
        .replace('{tenant_id}', b.tenantId)
        .replace('{session_id}', bSession)
        .replace('{name}', 'tenant-b.seeded')
        .replace(
          '{id}',
          op.path.startsWith('/v1/webhooks')
            ? b.webhookId
            : op.path.startsWith('/v1/deliveries')
              ? b.deliveryId
              : op.path.startsWith('/v1/delivery-attempts')
                ? b.attemptId
                : b.eventId,
        ) + (row?.query?.(b) ?? '');
    const body = row?.body?.(b);
    const res = await fetch(`${api.apiUrl}${path}`, {
      method: op.method.toUpperCase(),
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { label: `${op.method.toUpperCase()} ${path}`, status: res.status, text };
  };

  const expectAnswer = (
    answer: { label: string; status: number; text: string },
    expected: Expected,
  ): void => {
    const body = answer.text ? (JSON.parse(answer.text) as { code?: number }) : {};
    expect([answer.label, answer.status, body.code]).toEqual([
      answer.label,
      expected.status,
      expected.code ?? body.code,
    ]);
    for (const secret of [...secretsOf(b), ...secretsOf(platform)]) {
      expect([answer.label, answer.text.includes(secret)]).toEqual([answer.label, false]);
    }
  };

  const openSession = async (body: object): Promise<string> =>
    (await post(`/v1/tenants/${a.tenantId}/portal-sessions`, body)).token as string;

  /** B's rows as the database holds them: the walk must leave them exactly so. */
  const rowsOf = (t: SeededTenant) =>
    stack.db.dataSource.query(
      `SELECT (SELECT to_jsonb(w) - 'updated_at' FROM webhooks w WHERE w.id = $1) AS webhook,
              (SELECT count(*)::int FROM deliveries WHERE webhook_id = $1) AS deliveries,
              (SELECT count(*)::int FROM delivery_attempts WHERE webhook_id = $1) AS attempts,
              (SELECT count(*)::int FROM events WHERE tenant_id = $2) AS events,
              (SELECT to_jsonb(t) FROM tenants t WHERE t.id = $2) AS tenant,
              (SELECT array_agg(id ORDER BY id) FROM portal_sessions WHERE tenant_id = $2) AS sessions`,
      [t.webhookId, t.tenantId],
    );

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    second = await startService('server', stack.db.url);
    a = await seedTenant(stack.db.dataSource, post, 'tenant-a');
    b = await seedTenant(stack.db.dataSource, post, 'tenant-b');
    // The platform's own rows: no answer to a session may hold them either.
    platform = await seedPlatform(stack.db.dataSource, post);
    await post(`/v1/tenants/${b.tenantId}/portal-sessions`, {});
    const [bRow] = await stack.db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM portal_sessions WHERE tenant_id = $1`,
      [b.tenantId],
    );
    bSession = bRow.id;
    const doc = await call(stack.server.apiUrl, 'GET', '/swagger/doc.json');
    ops = Object.entries(
      doc.body.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        method: method as Method,
        path,
        operationId: op.operationId,
      })),
    );
  });
  afterAll(async () => {
    await second?.stop('SIGKILL');
    await stack?.stop();
  });

  it('has an expectation for every operation of the served document, and no other', () => {
    expect(ops.map((o) => o.operationId).sort()).toEqual(Object.keys(TABLE).sort());
  });

  it('walks every operation with a session of A against B’s items: §12’s answers, none of B’s data', async () => {
    const before = await rowsOf(b);
    const token = await openSession({});
    for (const op of ops) {
      const answer = await send(stack.server, op, token);
      expectAnswer(answer, TABLE[op.operationId].expect);
      if (op.operationId === 'redeliverDeliveries')
        expect(JSON.parse(answer.text)).toEqual({ count: 0 });
    }
    expect(await rowsOf(b)).toEqual(before);
    // The session does work on its own tenant: the lists hold A's items.
    const lists = await Promise.all(
      ['/v1/webhooks', '/v1/deliveries', '/v1/events', '/v1/delivery-attempts'].map((path) =>
        call(second.apiUrl, 'GET', path, undefined, 30_000, { authorization: `Bearer ${token}` }),
      ),
    );
    expect(lists.map((l) => JSON.stringify(l.body).includes(a.webhookId))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(JSON.stringify(lists[2].body)).toContain(a.eventId);
  });

  it('walks every operation with a read-only session: every write is a 403 code 15', async () => {
    const before = await rowsOf(b);
    const token = await openSession({ read_only: true });
    for (const op of ops) {
      const expected = op.method === 'get' ? TABLE[op.operationId].expect : FORBIDDEN;
      expectAnswer(await send(second, op, token), expected);
    }
    expect(await rowsOf(b)).toEqual(before);
  });

  it('walks every operation with a revoked session on a second API process: 401 code 14', async () => {
    const token = await openSession({});
    const probe = ops.find((o) => o.operationId === 'listWebhooks')!;
    expectAnswer(await send(second, probe, token), { status: 200 });
    const revoked = await call(
      stack.server.apiUrl,
      'DELETE',
      `/v1/tenants/${a.tenantId}/portal-sessions`,
    );
    expect(revoked.status).toBe(204);
    // Sessions are read on each request: the other process refuses it at once, well
    // within §12's 5 s.
    for (const op of ops) {
      expectAnswer(await send(second, op, token), { status: 401, code: 14 });
    }
  });
});
