import { ApiFixture } from '../helpers/api-fixture';
import { seedTenant, type SeededTenant } from '../helpers/tenant-seed';

/** A portal session's webhook writes (§11, §12): always its tenant's, within its limit. */
describe('portal sessions: webhook writes', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const post = async (path: string, body: object) =>
    (await http().post(path).send(body).expect(201)).body as Record<string, any>;
  const hook = (name: string, extra: object = {}) => ({
    name,
    url: 'https://example.com/hook',
    content_type: 'application/json',
    valid_status_codes: [200],
    ...extra,
  });

  let a: SeededTenant;
  let b: SeededTenant;
  let token: string;
  beforeEach(async () => {
    a = await seedTenant(f.db.dataSource, post, 'tenant-a');
    b = await seedTenant(f.db.dataSource, post, 'tenant-b');
    token = (await post('/v1/tenants/tenant-a/portal-sessions', {})).token as string;
  });

  it('creates the session tenant’s webhook, named or not, and never another’s', async () => {
    const left = await http().post('/v1/webhooks').set(as(token)).send(hook('left out'));
    expect(left.status).toBe(201);
    expect(left.body.tenant_id).toBe('tenant-a');
    const named = await http()
      .post('/v1/webhooks')
      .set(as(token))
      .send(hook('named', { tenant_id: 'tenant-a' }));
    expect(named.status).toBe(201);
    expect(named.body.tenant_id).toBe('tenant-a');
    for (const other of ['tenant-b', 'nobody', null]) {
      const res = await http()
        .post('/v1/webhooks')
        .set(as(token))
        .send(hook('other', { tenant_id: other }));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe(15);
    }
    const rows = await f.db.dataSource.query<{ tenant_id: string | null; n: number }[]>(
      `SELECT tenant_id, count(*)::int AS n FROM webhooks GROUP BY tenant_id ORDER BY tenant_id`,
    );
    expect(rows).toEqual([
      { tenant_id: 'tenant-a', n: 3 },
      { tenant_id: 'tenant-b', n: 1 },
    ]);
  });

  it('applies the tenant’s max_webhooks to a session’s creates (409 code 17)', async () => {
    await http().put('/v1/tenants/tenant-a').send({ max_webhooks: 2 }).expect(200);
    await http().post('/v1/webhooks').set(as(token)).send(hook('second')).expect(201);
    const over = await http().post('/v1/webhooks').set(as(token)).send(hook('third'));
    expect(over.status).toBe(409);
    expect(over.body.code).toBe(17);
  });

  it('updates its own webhook; another tenant’s is unknown whatever the body names', async () => {
    const own = await http()
      .put(`/v1/webhooks/${a.webhookId}`)
      .set(as(token))
      .send(hook('renamed', { tenant_id: 'tenant-a' }));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ name: 'renamed', tenant_id: 'tenant-a' });
    // B's webhook, with or without a tenant in the body: 404 code 5, as an unknown id,
    // never "tenant_id is fixed" (which would tell that it exists).
    for (const body of [hook('other'), hook('other', { tenant_id: 'tenant-a' })]) {
      const res = await http().put(`/v1/webhooks/${b.webhookId}`).set(as(token)).send(body);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe(5);
      expect(JSON.stringify(res.body)).not.toContain(b.webhookId);
    }
    const [{ name }] = await f.db.dataSource.query<{ name: string }[]>(
      `SELECT name FROM webhooks WHERE id = $1`,
      [b.webhookId],
    );
    expect(name).toContain(b.marker);
  });
});
