import { ApiFixture, ISO_MS, RECEIVER_HOOK } from '../helpers/api-fixture';
import { seedTenant, type SeededTenant } from '../helpers/tenant-seed';

const TOKEN = /^pmp_[A-Za-z0-9_-]{43}$/;

/** Portal sessions (§12) on the in-process API with POSTMAND_AUTH=none. */
describe('/v1/tenants/{tenant_id}/portal-sessions', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const post = async (path: string, body: object) =>
    (await http().post(path).send(body).expect(201)).body as Record<string, any>;
  const open = async (tenant: string, body: object = {}): Promise<string> =>
    (await post(`/v1/tenants/${tenant}/portal-sessions`, body)).token as string;

  let a: SeededTenant;
  let b: SeededTenant;
  beforeEach(async () => {
    a = await seedTenant(f.db.dataSource, post, 'tenant-a');
    b = await seedTenant(f.db.dataSource, post, 'tenant-b');
  });

  it('creates a session: a pmp_ token of which only the SHA-256 is stored, and its URL', async () => {
    const res = await http()
      .post('/v1/tenants/tenant-a/portal-sessions')
      .set('host', 'hooks.example.com:8000')
      .send({ read_only: true, expires_in: 600 })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(TOKEN),
      url: `http://hooks.example.com:8000/portal#token=${res.body.token}`,
      tenant_id: 'tenant-a',
      read_only: true,
      expires_at: expect.stringMatching(ISO_MS),
    });
    const lifetime = Date.parse(res.body.expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(500_000);
    expect(lifetime).toBeLessThanOrEqual(601_000);
    const rows = await f.db.dataSource.query<{ id: string; hash: string; read_only: boolean }[]>(
      `SELECT id, encode(token_hash, 'hex') AS hash, read_only FROM portal_sessions`,
    );
    const { createHash } = await import('node:crypto');
    expect(rows).toEqual([
      {
        id: res.body.id,
        hash: createHash('sha256').update(res.body.token).digest('hex'),
        read_only: true,
      },
    ]);
    const defaults = (await http().post('/v1/tenants/tenant-a/portal-sessions').expect(201)).body;
    expect(defaults.read_only).toBe(false);
    const hour = Date.parse(defaults.expires_at) - Date.now();
    expect(hour).toBeGreaterThan(3_500_000);
    expect(hour).toBeLessThanOrEqual(3_601_000);
  });

  it('refuses an unknown tenant (404 code 16) and bad fields (400 code 4 naming them)', async () => {
    await http()
      .post('/v1/tenants/nobody/portal-sessions')
      .send({})
      .expect(404)
      .expect((res) => expect(res.body.code).toBe(16));
    await http().delete('/v1/tenants/nobody/portal-sessions').expect(404);
    const bad = await http()
      .post('/v1/tenants/tenant-a/portal-sessions')
      .send({ read_only: 'yes', expires_in: 59, token: 'x' })
      .expect(400);
    expect(bad.body.code).toBe(4);
    expect(bad.body.details).toMatch(/expires_in: .*read_only: .*token: /);
    await http()
      .post('/v1/tenants/tenant-a/portal-sessions')
      .send({ expires_in: 86_401 })
      .expect(400);
    await http().post('/v1/tenants/bad!id/portal-sessions').send({}).expect(400);
  });

  it('a session lists only its tenant’s items, and finds another tenant’s as unknown', async () => {
    const token = await open('tenant-a');
    for (const [path, key] of [
      ['/v1/webhooks', 'webhooks'],
      ['/v1/deliveries', 'deliveries'],
      ['/v1/events', 'events'],
      ['/v1/delivery-attempts', 'delivery_attempts'],
    ] as const) {
      const res = await http().get(path).set(as(token)).expect(200);
      const ids = (res.body[key] as { id: string }[]).map((i) => i.id).sort();
      const mine = {
        webhooks: [a.webhookId],
        deliveries: [a.deliveryId, a.eventDeliveryId],
        events: [a.eventId],
        delivery_attempts: [a.attemptId],
      }[key];
      expect([path, ids]).toEqual([path, [...mine].sort()]);
      await http().get(`${path}?tenant_id=tenant-a`).set(as(token)).expect(200);
      const other = await http().get(`${path}?tenant_id=tenant-b`).set(as(token)).expect(403);
      expect(other.body.code).toBe(15);
    }
    for (const [path, code] of [
      [`/v1/webhooks/${b.webhookId}`, 5],
      [`/v1/deliveries/${b.deliveryId}`, 6],
      [`/v1/delivery-attempts/${b.attemptId}`, 7],
      [`/v1/events/${b.eventId}`, 13],
      ['/v1/tenants/tenant-b', 16],
    ] as const) {
      const res = await http().get(path).set(as(token)).expect(404);
      expect([path, res.body.code]).toEqual([path, code]);
    }
    await http().get(`/v1/webhooks/${a.webhookId}`).set(as(token)).expect(200);
    const rates = await http()
      .get(`/v1/stats/webhooks?webhook_ids=${a.webhookId}`)
      .set(as(token))
      .expect(200);
    expect(rates.body.webhooks).toEqual([expect.objectContaining({ webhook_id: a.webhookId })]);
    const mixed = await http()
      .get(`/v1/stats/webhooks?webhook_ids=${a.webhookId},${b.webhookId}`)
      .set(as(token))
      .expect(404);
    expect(mixed.body.code).toBe(5);
    await http().get('/v1/tenants/tenant-a').set(as(token)).expect(200);
  });

  it('the platform filters lists by tenant_id, and refuses a malformed one (400 code 4)', async () => {
    const platform = await http().get('/v1/webhooks?tenant_id=tenant-b').expect(200);
    expect(platform.body.webhooks.map((w: { id: string }) => w.id)).toEqual([b.webhookId]);
    const attempts = await http().get('/v1/delivery-attempts?tenant_id=tenant-a').expect(200);
    expect(attempts.body.delivery_attempts.map((x: { id: string }) => x.id)).toEqual([a.attemptId]);
    for (const path of ['/v1/webhooks', '/v1/deliveries', '/v1/events', '/v1/delivery-attempts']) {
      const res = await http().get(`${path}?tenant_id=no%20way`).expect(400);
      expect([path, res.body.code, res.body.details]).toEqual([
        path,
        4,
        expect.stringMatching(/^tenant_id: /),
      ]);
    }
  });

  it('bulk redeliver counts and redelivers only the session tenant’s deliveries', async () => {
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'failed'`);
    const token = await open('tenant-a');
    const dry = await http()
      .post('/v1/deliveries/redeliver')
      .set(as(token))
      .send({ dry_run: true })
      .expect(200);
    expect(dry.body).toEqual({ count: 2 });
    await http().post('/v1/deliveries/redeliver').set(as(token)).send({}).expect(202);
    const counts = await f.db.dataSource.query<{ tenant_id: string; n: number }[]>(
      // By the webhook's tenant: the copies' own tenant_id is the write path's to set.
      `SELECT w.tenant_id, count(*)::int AS n
       FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id GROUP BY 1 ORDER BY 1`,
    );
    expect(counts).toEqual([
      { tenant_id: 'tenant-a', n: 4 },
      { tenant_id: 'tenant-b', n: 2 },
    ]);
    // Another tenant's delivery by id is not found, and nothing is copied.
    await http().post(`/v1/deliveries/${b.deliveryId}/redeliver`).set(as(token)).expect(404);
  });

  it('keeps Idempotency-Keys per tenant: one tenant’s key never replays another’s or the platform’s', async () => {
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'failed'`);
    const [ta, tb] = [await open('tenant-a'), await open('tenant-b')];
    const dryRun = (headers: Record<string, string>) =>
      http()
        .post('/v1/deliveries/redeliver')
        .set({ 'idempotency-key': 'same-key', ...headers })
        .send({ dry_run: true })
        .expect(200);
    const first = await dryRun(as(ta));
    expect([first.body, first.headers['idempotent-replayed']]).toEqual([{ count: 2 }, undefined]);
    const again = await dryRun(as(await open('tenant-a')));
    expect([again.body, again.headers['idempotent-replayed']]).toEqual([{ count: 2 }, 'true']);
    await f.db.dataSource.query(
      `UPDATE deliveries SET status = 'pending' WHERE tenant_id = 'tenant-a'`,
    );
    const other = await dryRun(as(tb));
    expect([other.body, other.headers['idempotent-replayed']]).toEqual([{ count: 2 }, undefined]);
    const platform = await dryRun({});
    expect([platform.body, platform.headers['idempotent-replayed']]).toEqual([
      { count: 2 },
      undefined,
    ]);
  });

  it('a read-only session only reads (403 code 15), and a session may not use the platform’s routes', async () => {
    const reader = await open('tenant-a', { read_only: true });
    await http().get('/v1/webhooks').set(as(reader)).expect(200);
    const put = await http()
      .put(`/v1/webhooks/${a.webhookId}`)
      .set(as(reader))
      .send(RECEIVER_HOOK)
      .expect(403);
    expect(put.body.code).toBe(15);
    const writer = await open('tenant-a');
    for (const [method, path] of [
      ['post', '/v1/deliveries'],
      ['post', '/v1/events'],
      ['get', '/v1/stats'],
      ['get', '/v1/tenants'],
      ['put', '/v1/tenants/tenant-a'],
      ['delete', '/v1/tenants/tenant-a'],
      ['post', '/v1/tenants/tenant-a/portal-sessions'],
      ['delete', '/v1/tenants/tenant-a/portal-sessions'],
      ['delete', `/v1/deliveries/${a.deliveryId}`],
    ] as const) {
      const res = await http()[method](path).set(as(writer)).send({});
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, 15]);
    }
    const other = await http()
      .post('/v1/webhooks')
      .set(as(writer))
      .send({ ...RECEIVER_HOOK, tenant_id: 'tenant-b' })
      .expect(403);
    expect(other.body.code).toBe(15);
  });

  it('unknown, expired and revoked tokens are a 401 code 14, never open access', async () => {
    const token = await open('tenant-a');
    const expired = await open('tenant-a');
    const { createHash } = await import('node:crypto');
    await f.db.dataSource.query(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [createHash('sha256').update(expired).digest()],
    );
    const refused = async (t: string) => {
      const res = await http().get('/v1/webhooks').set(as(t)).expect(401);
      expect(res.body).toEqual({ code: 14, message: 'unauthorized', details: expect.any(String) });
      expect(JSON.stringify(res.body)).not.toContain(t);
    };
    await refused(expired);
    for (const header of [`Basic ${token}`, token, `Bearer ${token} extra`]) {
      const res = await http().get('/v1/webhooks').set('authorization', header).expect(401);
      expect([header, res.body.code]).toEqual([header, 14]);
    }
    await refused(`pmp_${'A'.repeat(43)}`);
    await refused('pmp_short');
    // The expired session is gone once presented.
    expect(await f.db.dataSource.query(`SELECT count(*)::int AS n FROM portal_sessions`)).toEqual([
      { n: 1 },
    ]);
    await http().get('/v1/webhooks').set(as(token)).expect(200);
    await http().delete('/v1/tenants/tenant-a/portal-sessions').expect(204);
    await refused(token);
    // Paths outside /v1 do not read the token.
    await http().get('/swagger/doc.json').set(as(token)).expect(200);
  });

  it('removes a tenant’s expired sessions when it is given a new one, and only its own', async () => {
    await open('tenant-a');
    await open('tenant-b');
    await f.db.dataSource.query(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second'`,
    );
    await open('tenant-a');
    const left = await f.db.dataSource.query<{ tenant_id: string; live: boolean }[]>(
      `SELECT tenant_id, expires_at > now() AS live FROM portal_sessions ORDER BY tenant_id`,
    );
    expect(left).toEqual([
      { tenant_id: 'tenant-a', live: true },
      { tenant_id: 'tenant-b', live: false },
    ]);
  });

  it('counts sessions in the metrics, never naming a token', async () => {
    const token = await open('tenant-a');
    await http().get('/v1/webhooks').set(as(token)).expect(200);
    await http()
      .get('/v1/webhooks')
      .set(as(`pmp_${'B'.repeat(43)}`))
      .expect(401);
    await http().delete('/v1/tenants/tenant-a/portal-sessions').expect(204);
    const text = await f.api.registry.metrics();
    expect(text).toMatch(/^postmand_portal_sessions_created_total [1-9]/m);
    expect(text).toMatch(/^postmand_portal_sessions_revoked_total [1-9]/m);
    expect(text).toMatch(/^postmand_portal_session_requests_total\{outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^postmand_portal_session_requests_total\{outcome="unknown"\} [1-9]/m);
    expect(text).not.toContain('pmp_');
  });
});
