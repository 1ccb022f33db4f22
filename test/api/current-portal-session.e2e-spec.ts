import { ApiFixture } from '../helpers/api-fixture';

/** `GET /v1/portal/session` (§13): what a portal session knows of itself, from its token. */
describe('GET /v1/portal/session', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const open = async (tenant: string, body: object) =>
    (await http().post(`/v1/tenants/${tenant}/portal-sessions`).send(body).expect(201)).body as {
      token: string;
      expires_at: string;
    };

  it('answers a session with its tenant, its name, read_only and when it ends', async () => {
    await http().put('/v1/tenants/acme').send({ name: 'Acme Corp' }).expect(201);
    await http().put('/v1/tenants/globex').send({ name: 'Globex' }).expect(201);
    for (const readOnly of [true, false]) {
      const session = await open('acme', { read_only: readOnly, expires_in: 600 });
      const res = await http()
        .get('/v1/portal/session')
        .set('Authorization', `Bearer ${session.token}`)
        .expect(200);
      expect(res.body).toEqual({
        tenant_id: 'acme',
        tenant_name: 'Acme Corp',
        read_only: readOnly,
        expires_at: session.expires_at,
      });
      expect(res.text).not.toContain(session.token);
    }
  });

  it('is a 403 code 15 for the platform, and a 401 for a revoked session', async () => {
    const res = await http().get('/v1/portal/session').expect(403);
    expect(res.body.code).toBe(15);
    await http().put('/v1/tenants/acme').send({}).expect(201);
    const session = await open('acme', {});
    await http().delete('/v1/tenants/acme/portal-sessions').expect(204);
    await http()
      .get('/v1/portal/session')
      .set('Authorization', `Bearer ${session.token}`)
      .expect(401);
  });
});
