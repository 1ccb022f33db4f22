import { createHash } from 'node:crypto';
import { ApiFixture, ISO_MS } from '../helpers/api-fixture';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const hash = (token: string) => createHash('sha256').update(token).digest();

/**
 * Listing a tenant's live portal sessions and revoking one of them (§12), on the
 * in-process API with POSTMAND_AUTH=none.
 */
describe('/v1/tenants/{tenant_id}/portal-sessions: list and revoke one', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const list = (tenant: string) => `/v1/tenants/${tenant}/portal-sessions`;
  const open = async (tenant: string, body: object = {}): Promise<string> =>
    (await http().post(list(tenant)).send(body).expect(201)).body.token as string;
  /** The id of the session a token opens, as the database holds it. */
  const idOf = async (token: string): Promise<string> =>
    (
      await f.db.dataSource.query<{ id: string }[]>(
        `SELECT id FROM portal_sessions WHERE token_hash = $1`,
        [hash(token)],
      )
    )[0].id;
  const listed = async (tenant: string) =>
    (await http().get(list(tenant)).expect(200)).body as {
      portal_sessions: Record<string, unknown>[];
    };

  beforeEach(async () => {
    for (const id of ['tenant-a', 'tenant-b']) await http().put(`/v1/tenants/${id}`).send({});
  });

  it('lists the live sessions newest first, without the expired ones, a token or its hash', async () => {
    const reader = await open('tenant-a', { read_only: true, expires_in: 600 });
    const writer = await open('tenant-a');
    const expired = await open('tenant-a');
    await open('tenant-b');
    // Created a second apart, whatever the clock did between the requests.
    await f.db.dataSource.query(
      `UPDATE portal_sessions SET created_at = now() - interval '1 minute' WHERE token_hash = $1`,
      [hash(reader)],
    );
    await f.db.dataSource.query(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [hash(expired)],
    );
    const res = await http().get(list('tenant-a')).expect(200);
    expect(res.body).toEqual({
      portal_sessions: [
        {
          id: await idOf(writer),
          read_only: false,
          expires_at: expect.stringMatching(ISO_MS),
          created_at: expect.stringMatching(ISO_MS),
        },
        {
          id: await idOf(reader),
          read_only: true,
          expires_at: expect.stringMatching(ISO_MS),
          created_at: expect.stringMatching(ISO_MS),
        },
      ],
    });
    expect(res.body.portal_sessions[0].id).toMatch(UUID);
    const [newest, oldest] = res.body.portal_sessions as { created_at: string }[];
    expect(Date.parse(newest.created_at)).toBeGreaterThan(Date.parse(oldest.created_at));
    for (const secret of [reader, writer, expired, hash(reader).toString('hex')]) {
      expect(res.text).not.toContain(secret);
    }
    expect(res.text).not.toContain(hash(reader).toString('base64'));
    expect((await listed('tenant-b')).portal_sessions).toHaveLength(1);
  });

  it('lists none for a tenant without live sessions; refuses an unknown or malformed tenant', async () => {
    expect(await listed('tenant-a')).toEqual({ portal_sessions: [] });
    const unknown = await http().get(list('nobody')).expect(404);
    expect(unknown.body).toEqual({ code: 16, message: 'tenant not found' });
    const bad = await http().get(list('bad!id')).expect(400);
    expect([bad.body.code, bad.body.details]).toEqual([4, expect.stringMatching(/^tenant_id: /)]);
  });

  it('revokes one session: its token is a 401 code 14 at once, the others still work', async () => {
    const [gone, kept] = [await open('tenant-a'), await open('tenant-a')];
    const id = await idOf(gone);
    await http().get('/v1/webhooks').set(as(gone)).expect(200);
    await http()
      .delete(`${list('tenant-a')}/${id}`)
      .expect(204);
    const refused = await http().get('/v1/webhooks').set(as(gone)).expect(401);
    expect(refused.body.code).toBe(14);
    await http().get('/v1/webhooks').set(as(kept)).expect(200);
    expect((await listed('tenant-a')).portal_sessions.map((s) => s.id)).toEqual([await idOf(kept)]);
    // Revoked once: a second revoke finds nothing.
    const again = await http()
      .delete(`${list('tenant-a')}/${id}`)
      .expect(404);
    expect(again.body).toEqual({ code: 20, message: 'portal session not found' });
  });

  it('refuses another tenant’s session (404 code 20) and leaves it working', async () => {
    const others = await open('tenant-b');
    const id = await idOf(others);
    const res = await http()
      .delete(`${list('tenant-a')}/${id}`)
      .expect(404);
    expect(res.body).toEqual({ code: 20, message: 'portal session not found' });
    await http().get('/v1/webhooks').set(as(others)).expect(200);
    expect((await listed('tenant-b')).portal_sessions).toHaveLength(1);
  });

  it('answers an expired, unknown or malformed session id, and an unknown tenant, as not found', async () => {
    const expired = await open('tenant-a');
    await f.db.dataSource.query(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second'`,
    );
    const expiredRes = await http().delete(`${list('tenant-a')}/${await idOf(expired)}`);
    expect([expiredRes.status, expiredRes.body.code]).toEqual([404, 20]);
    const unknownId = '5d0f3bd9-3a39-4f5e-9a4c-3f2f0a8b1c11';
    const unknown = await http().delete(`${list('tenant-a')}/${unknownId}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 20]);
    const malformed = await http().delete(`${list('tenant-a')}/not-a-uuid`);
    expect([malformed.status, malformed.body.code]).toEqual([404, 2]);
    const noTenant = await http().delete(`${list('nobody')}/${unknownId}`);
    expect([noTenant.status, noTenant.body.code]).toEqual([404, 16]);
    const badTenant = await http().delete(`${list('bad!id')}/${unknownId}`);
    expect([badTenant.status, badTenant.body.code]).toEqual([400, 4]);
  });

  it('refuses a portal session both routes (403 code 15), its own tenant’s too', async () => {
    const token = await open('tenant-a');
    const id = await idOf(token);
    const get = await http().get(list('tenant-a')).set(as(token));
    expect([get.status, get.body.code]).toEqual([403, 15]);
    const del = await http()
      .delete(`${list('tenant-a')}/${id}`)
      .set(as(token));
    expect([del.status, del.body.code]).toEqual([403, 15]);
    await http().get('/v1/webhooks').set(as(token)).expect(200);
  });
});
