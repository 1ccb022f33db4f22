import { ApiKeyRepository, ApiKeysService } from '@app/domain';
import { ApiFixture, ISO_MS } from '../helpers/api-fixture';

const ID_RULE = 'tenant_id: must be 1 to 64 characters of letters, digits, "_", "." and "-".';

describe('/v1/tenants', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  const put = async (id: string, body: object = {}, status = 201) =>
    (await http().put(`/v1/tenants/${id}`).send(body).expect(status)).body as Record<string, any>;

  const rows = () => f.db.dataSource.query<{ id: string }[]>('SELECT id FROM tenants ORDER BY id');

  it('creates a tenant with PUT (201), with the defaults for what the body leaves out', async () => {
    const res = await http().put('/v1/tenants/acme').send({}).expect(201);
    expect(res.body).toEqual({
      id: 'acme',
      name: 'acme',
      metadata: {},
      max_webhooks: null,
      created_at: expect.stringMatching(ISO_MS),
      updated_at: expect.stringMatching(ISO_MS),
    });
    expect(await http().get('/v1/tenants/acme').expect(200)).toHaveProperty('body', res.body);
  });

  it('takes a PUT with no body at all, as one with an empty object', async () => {
    const res = await http().put('/v1/tenants/acme').expect(201);
    expect(res.body).toMatchObject({ id: 'acme', name: 'acme', metadata: {}, max_webhooks: null });
  });

  it('takes every field, and treats null as left out', async () => {
    const body = { name: 'Acme Corp', metadata: { plan: 'enterprise' }, max_webhooks: 10 };
    expect(await put('acme', body)).toMatchObject({ id: 'acme', ...body });
    const nulls = await put('other', { name: null, metadata: null, max_webhooks: null });
    expect(nulls).toMatchObject({ name: 'other', metadata: {}, max_webhooks: null });
  });

  it('replaces an existing tenant (200): a full replacement that keeps created_at', async () => {
    await put('acme', { name: 'Acme', metadata: { plan: 'pro' }, max_webhooks: 5 });
    // An old creation time, so that keeping it cannot pass by chance.
    await f.db.dataSource.query(
      `UPDATE tenants SET created_at = '2020-01-02T03:04:05.678Z', updated_at = created_at`,
    );
    const replaced = await put('acme', { name: 'Acme Corp' }, 200);
    expect(replaced).toMatchObject({
      id: 'acme',
      name: 'Acme Corp',
      metadata: {},
      max_webhooks: null,
      created_at: '2020-01-02T03:04:05.678Z',
    });
    expect(Date.parse(replaced.updated_at as string)).toBeGreaterThan(Date.parse('2021-01-01'));
    // Empty: every field back to its default, still the same tenant.
    expect(await put('acme', {}, 200)).toMatchObject({
      name: 'acme',
      created_at: '2020-01-02T03:04:05.678Z',
    });
    expect(await rows()).toEqual([{ id: 'acme' }]);
  });

  it('creates once when PUTs of a new id race: one 201, the others 200, one row', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        http()
          .put('/v1/tenants/acme')
          .send({ name: `n${i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await rows()).toEqual([{ id: 'acme' }]);
  });

  it('keeps metadata keys that name object members, and refuses those Nest would drop', async () => {
    const sent = (metadata: string) =>
      http()
        .put('/v1/tenants/acme')
        .set('Content-Type', 'application/json')
        .send(`{"metadata": ${metadata}}`);
    const kept = await sent('{"toString": "t", "valueOf": "v", "hasOwnProperty": "h"}');
    expect(kept.status).toBe(201);
    expect(kept.body.metadata).toEqual({ toString: 't', valueOf: 'v', hasOwnProperty: 'h' });
    const refused = await sent(
      '{"__proto__": "p", "constructor": "c", "prototype": "x", "a": "b"}',
    );
    expect(refused.status).toBe(400);
    expect(refused.body.details).toBe(
      'metadata.__proto__: is a key this API does not take; ' +
        'metadata.constructor: is a key this API does not take; ' +
        'metadata.prototype: is a key this API does not take.',
    );
    expect((await http().get('/v1/tenants/acme').expect(200)).body.metadata).toEqual(
      kept.body.metadata,
    );
  });

  it('ignores read-only fields, so that what was GOT can be PUT back', async () => {
    const got = await put('acme', { name: 'Acme', metadata: { a: 'b' } });
    const back = await put(
      'acme',
      { ...got, id: 'someone-else', created_at: '2000-01-01T00:00:00Z' },
      200,
    );
    expect(back).toMatchObject({ id: 'acme', name: 'Acme', metadata: { a: 'b' } });
    expect(back.created_at).toBe(got.created_at);
    expect(await rows()).toEqual([{ id: 'acme' }]);
  });

  it('takes ids of 1 to 64 letters, digits, "_", "." and "-", case and all', async () => {
    const ids = ['a', 'A', 'Z.9_x-y', 'x'.repeat(64), 'cus_01HX..-'];
    for (const id of ids) expect(await put(id)).toMatchObject({ id, name: id });
    expect((await rows()).map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  const metadataOf = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  const BODY_CASES: [object, string][] = [
    [{ name: '' }, 'name: must be 1 to 255 characters long.'],
    [{ name: 'x'.repeat(256) }, 'name: must be 1 to 255 characters long.'],
    // Code points, as PostgreSQL counts them: 255 of these are 510 UTF-16 units.
    [{ name: 'a\uFE0F'.repeat(128) }, 'name: must be 1 to 255 characters long.'],
    [{ name: 42 }, 'name: must be a string.'],
    [{ name: 'bad\u0000name' }, 'name: must not contain NUL characters or unpaired surrogates.'],
    [{ metadata: metadataOf(33) }, 'metadata: must hold at most 32 keys.'],
    [{ metadata: [] }, 'metadata: must be an object of string values.'],
    [{ metadata: 'plan=pro' }, 'metadata: must be an object of string values.'],
    [
      { metadata: { '': 'v' } },
      'metadata: keys must be 1 to 64 characters long (without NUL or unpaired surrogates).',
    ],
    [
      { metadata: { ['k'.repeat(65)]: 'v' } },
      'metadata: keys must be 1 to 64 characters long (without NUL or unpaired surrogates).',
    ],
    [
      { metadata: { plan: 'x'.repeat(513) } },
      'metadata: the value of "plan" must be at most 512 characters long (without NUL or unpaired surrogates).',
    ],
    [
      { metadata: { plan: 'a\u0000b' } },
      'metadata: the value of "plan" must be at most 512 characters long (without NUL or unpaired surrogates).',
    ],
    [{ metadata: { seats: 5 } }, 'metadata: the value of "seats" must be a string.'],
    [{ metadata: { plan: null } }, 'metadata: the value of "plan" must be a string.'],
    [{ metadata: { nested: { a: 'b' } } }, 'metadata: the value of "nested" must be a string.'],
    [{ max_webhooks: 0 }, 'max_webhooks: must be an integer from 1 to 10000, or null.'],
    [{ max_webhooks: 10001 }, 'max_webhooks: must be an integer from 1 to 10000, or null.'],
    [{ max_webhooks: 2.5 }, 'max_webhooks: must be an integer from 1 to 10000, or null.'],
    [{ max_webhooks: '5' }, 'max_webhooks: must be an integer from 1 to 10000, or null.'],
    [{ nmae: 'typo' }, 'nmae: is not a field of this request.'],
    [{ tenant_id: 'acme' }, 'tenant_id: is not a field of this request.'],
  ];
  it.each(BODY_CASES.map(([body, details]) => [details, body] as const))(
    'refuses a body with code 4, creating nothing: %s',
    async (details, body) => {
      const res = await http().put('/v1/tenants/acme').send(body).expect(400);
      expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
      expect(await rows()).toEqual([]);
    },
  );

  it('takes the limits themselves: 32 keys, 64-character keys, 512-character values, 255-character names, 1 and 10000', async () => {
    const metadata = { ...metadataOf(31), ['k'.repeat(64)]: 'v'.repeat(512) };
    expect(await put('a', { name: 'n'.repeat(255), metadata, max_webhooks: 1 })).toMatchObject({
      metadata,
      max_webhooks: 1,
    });
    expect(await put('b', { max_webhooks: 10000 })).toMatchObject({ max_webhooks: 10000 });
  });

  it.each([['x'.repeat(65)], ['has%20space'], ['a%2Fb'], ['caf%C3%A9'], ['semi%3Bcolon']])(
    'answers a path id %s that breaks the rule with 400 code 4 naming tenant_id',
    async (id) => {
      for (const method of ['put', 'get', 'delete'] as const) {
        const res = await http()
          [method](`/v1/tenants/${id}`)
          .send(method === 'put' ? {} : undefined);
        expect([method, res.status, res.body]).toEqual([
          method,
          400,
          { code: 4, message: 'request validation failed', details: ID_RULE },
        ]);
      }
      expect(await rows()).toEqual([]);
    },
  );

  it('answers GET and DELETE of an unknown tenant with 404 code 16', async () => {
    await put('acme');
    for (const res of [
      await http().get('/v1/tenants/nobody').expect(404),
      await http().delete('/v1/tenants/nobody').expect(404),
    ]) {
      expect(res.body).toEqual({ code: 16, message: 'tenant not found' });
    }
    await http().delete('/v1/tenants/acme').expect(204);
    const again = await http().delete('/v1/tenants/acme').expect(404);
    expect(again.body.code).toBe(16);
    expect((await http().get('/v1/tenants/acme').expect(404)).body.code).toBe(16);
  });

  it('ignores Idempotency-Key on PUT, as a webhook PUT does: each PUT is applied', async () => {
    const first = await http()
      .put('/v1/tenants/acme')
      .set('Idempotency-Key', 'k1')
      .send({ name: 'one' })
      .expect(201);
    const second = await http()
      .put('/v1/tenants/acme')
      .set('Idempotency-Key', 'k1')
      .send({ name: 'two' })
      .expect(200);
    expect([first.body.name, second.body.name]).toEqual(['one', 'two']);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses query parameters on PUT and other methods on the collection', async () => {
    const query = await http().put('/v1/tenants/acme?name=x').send({}).expect(400);
    expect(query.body.details).toBe('name: is not a field of this request.');
    const post = await http().post('/v1/tenants').send({}).expect(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(await rows()).toEqual([]);
  });
});

describe('/v1/tenants with access control on', () => {
  const keys: { read?: string; write?: string } = {};
  const f = ApiFixture.use(
    { POSTMAND_AUTH: 'api_key' },
    {
      seed: async (db) => {
        const service = new ApiKeysService(new ApiKeyRepository(db.dataSource));
        keys.read = (await service.create('reader', 'read')).key;
        keys.write = (await service.create('writer', 'write')).key;
      },
    },
  );
  const as = (key: string | undefined) => `Bearer ${key ?? ''}`;

  it('needs a write key to PUT or DELETE; a read key lists and gets', async () => {
    for (const req of [
      f.http().put('/v1/tenants/acme').set('Authorization', as(keys.read)).send({}),
      f.http().delete('/v1/tenants/acme').set('Authorization', as(keys.read)),
    ]) {
      const res = await req.expect(403);
      expect(res.body.code).toBe(15);
    }
    expect((await f.http().get('/v1/tenants/acme').expect(401)).body.code).toBe(14);
    await f
      .http()
      .put('/v1/tenants/acme')
      .set('Authorization', as(keys.write))
      .send({})
      .expect(201);
    await f.http().get('/v1/tenants/acme').set('Authorization', as(keys.read)).expect(200);
    const list = await f.http().get('/v1/tenants').set('Authorization', as(keys.read)).expect(200);
    expect(list.body.tenants.map((t: { id: string }) => t.id)).toEqual(['acme']);
    await f.http().delete('/v1/tenants/acme').set('Authorization', as(keys.write)).expect(204);
  });
});
