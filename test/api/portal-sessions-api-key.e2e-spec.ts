import { createHash } from 'node:crypto';
import { ApiKeyRepository, ApiKeysService } from '@app/domain';
import { ApiFixture } from '../helpers/api-fixture';

/**
 * Portal sessions with POSTMAND_AUTH=api_key (§12): a session needs no API key, a token
 * that opens no live session is a 401 code 14 (never a fall back to the key check or to
 * open access), and creating or revoking sessions takes a write key.
 */
describe('portal sessions with POSTMAND_AUTH=api_key', () => {
  let readKey: string;
  let writeKey: string;
  /** A valid API key whose random part holds "pmp_": a key, not a portal token. */
  const lookalike = `pmk_pmp_${'a'.repeat(39)}`;
  const f = ApiFixture.use(
    { POSTMAND_AUTH: 'api_key' },
    {
      seed: async (db) => {
        const keys = new ApiKeysService(new ApiKeyRepository(db.dataSource));
        readKey = (await keys.create('reader', 'read')).key;
        writeKey = (await keys.create('writer', 'write')).key;
        await keys.create('lookalike', 'read', lookalike);
      },
    },
  );
  const http = () => f.http();
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeEach(async () => {
    await f.db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('acme', 'Acme')`);
  });

  it('an API key that holds "pmp_" is an API key', async () => {
    await http().get('/v1/webhooks').set(as(lookalike)).expect(200);
    await http().get('/v1/tenants/acme').set(as(lookalike)).expect(200);
  });

  it('creating and revoking sessions takes a write key; listing them a read key', async () => {
    await http().post('/v1/tenants/acme/portal-sessions').send({}).expect(401);
    const read = await http()
      .post('/v1/tenants/acme/portal-sessions')
      .set(as(readKey))
      .send({})
      .expect(403);
    expect(read.body.code).toBe(15);
    await http().delete('/v1/tenants/acme/portal-sessions').set(as(readKey)).expect(403);
    await http().post('/v1/tenants/acme/portal-sessions').set(as(writeKey)).send({}).expect(201);
    // Listing them is a read: a read key suffices, no key does not.
    await http().get('/v1/tenants/acme/portal-sessions').expect(401);
    const listed = await http()
      .get('/v1/tenants/acme/portal-sessions')
      .set(as(readKey))
      .expect(200);
    const [{ id }] = listed.body.portal_sessions as { id: string }[];
    const one = `/v1/tenants/acme/portal-sessions/${id}`;
    expect((await http().delete(one).set(as(readKey)).expect(403)).body.code).toBe(15);
    await http().delete(one).set(as(writeKey)).expect(204);
    await http().delete('/v1/tenants/acme/portal-sessions').set(as(writeKey)).expect(204);
  });

  it('a live session needs no API key; an unknown, expired or revoked one is a 401 code 14', async () => {
    const open = async (): Promise<string> =>
      (await http().post('/v1/tenants/acme/portal-sessions').set(as(writeKey)).send({}).expect(201))
        .body.token as string;
    const [live, expired] = [await open(), await open()];
    await f.db.dataSource.query(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [createHash('sha256').update(expired).digest()],
    );
    await http().get('/v1/webhooks').set(as(live)).expect(200);
    await http().get('/v1/tenants/acme').set(as(live)).expect(200);
    for (const token of [expired, `pmp_${'x'.repeat(43)}`, 'pmp_']) {
      const res = await http().get('/v1/webhooks').set(as(token)).expect(401);
      expect([token, res.body.code]).toEqual([token, 14]);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="postmand", error="invalid_token"',
      );
      expect(res.text).not.toContain(token);
    }
    await http().delete('/v1/tenants/acme/portal-sessions').set(as(writeKey)).expect(204);
    await http().get('/v1/webhooks').set(as(live)).expect(401);
  });
});
