import { ApiFixture, ISO_MS } from '../helpers/api-fixture';

const ORDER_SCHEMA = {
  type: 'object',
  required: ['order_id'],
  properties: { order_id: { type: 'integer' }, note: { type: 'string' } },
};

describe('/v1/event-types', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  const put = async (name: string, body: object = {}, status = 201) =>
    (await http().put(`/v1/event-types/${name}`).send(body).expect(status)).body as Record<
      string,
      any
    >;

  const refused = async (name: string, body: object, field: string) => {
    const res = await http().put(`/v1/event-types/${name}`).send(body).expect(400);
    expect(res.body).toMatchObject({ code: 4, message: 'request validation failed' });
    expect(res.body.details).toMatch(new RegExp(`^${field}: `));
    return res.body.details as string;
  };

  it('creates a type with PUT (201) with its defaults, reads it back, replaces it (200)', async () => {
    const created = await put('order.created');
    expect(created).toEqual({
      name: 'order.created',
      description: '',
      schema: null,
      example: null,
      deprecated: false,
      created_at: expect.stringMatching(ISO_MS),
      updated_at: expect.stringMatching(ISO_MS),
    });
    expect((await http().get('/v1/event-types/order.created').expect(200)).body).toEqual(created);
    const body = {
      description: 'An order was placed.',
      schema: ORDER_SCHEMA,
      example: '{"order_id": 42}',
      deprecated: true,
    };
    const replaced = await put('order.created', body, 200);
    expect(replaced).toMatchObject({ ...body, created_at: created.created_at });
    // Full replacement: what is left out takes its default; read-only fields are ignored.
    const back = await put('order.created', { ...replaced, description: null }, 200);
    expect(back).toMatchObject({ description: '', schema: ORDER_SCHEMA, deprecated: true });
    expect(await put('order.created', {}, 200)).toMatchObject({ schema: null, example: null });
  });

  it('lists by name with offset and cursor paging', async () => {
    for (const name of ['c.one', 'a.one', 'b.one', 'a.two']) await put(name);
    const all = (await http().get('/v1/event-types').expect(200)).body;
    expect(all.event_types.map((t: { name: string }) => t.name)).toEqual([
      'a.one',
      'a.two',
      'b.one',
      'c.one',
    ]);
    expect(all).toMatchObject({ limit: 50, offset: 0, next_cursor: null });
    const first = (await http().get('/v1/event-types?limit=3').expect(200)).body;
    expect(first.event_types).toHaveLength(3);
    expect(first.next_cursor).toEqual(expect.any(String));
    const next = (
      await http().get(`/v1/event-types?limit=3&after=${first.next_cursor}`).expect(200)
    ).body;
    expect(next.event_types.map((t: { name: string }) => t.name)).toEqual(['c.one']);
    expect(next.next_cursor).toBeNull();
    const offset = (await http().get('/v1/event-types?limit=2&offset=1').expect(200)).body;
    expect(offset.event_types.map((t: { name: string }) => t.name)).toEqual(['a.two', 'b.one']);
    const bad = await http().get('/v1/event-types?after=nope').expect(400);
    expect(bad.body.details).toMatch(/^after: /);
  });

  it('deletes a type (204); an unknown one is a 404 code 18 on GET and DELETE', async () => {
    await put('gone.soon');
    await http().delete('/v1/event-types/gone.soon').expect(204);
    for (const method of ['get', 'delete'] as const) {
      const res = await http()[method]('/v1/event-types/gone.soon').expect(404);
      expect(res.body).toEqual({ code: 18, message: 'event type not found' });
    }
  });

  it('refuses a name that breaks the rule, and postmand. names, naming name', async () => {
    await refused('bad..name', {}, 'name');
    await refused('has%20space', {}, 'name');
    await refused('a'.repeat(257), {}, 'name');
    expect(await refused('postmand.endpoint.disabled', {}, 'name')).toContain('reserved');
    expect(await http().get('/v1/event-types/bad..name').expect(400)).toHaveProperty(
      'body.code',
      4,
    );
  });

  it('refuses a description over 1024 characters, and fields of the wrong type', async () => {
    await put('ok.type', { description: '€'.repeat(1024) });
    await refused('ok.type', { description: 'x'.repeat(1025) }, 'description');
    await refused('ok.type', { schema: [1] }, 'schema');
    await refused('ok.type', { schema: 'type: object' }, 'schema');
    await refused('ok.type', { example: 42 }, 'example');
    await refused('ok.type', { deprecated: 'yes' }, 'deprecated');
    await refused('ok.type', { nope: 1 }, 'nope');
  });

  it('refuses a schema that is not a valid draft 2020-12 schema', async () => {
    expect(await refused('s.type', { schema: { type: 'nope' } }, 'schema')).toContain(
      'not a valid draft 2020-12 schema',
    );
    await refused('s.type', { schema: { minLength: -1 } }, 'schema');
    await refused(
      's.type',
      { schema: { $schema: 'http://json-schema.org/draft-07/schema#' } },
      'schema',
    );
    expect(await refused('s.type', { schema: { pattern: '(' } }, 'schema')).toContain(
      'not a valid regular expression',
    );
    expect(await refused('s.type', { schema: { pattern: '^(a+)+$' } }, 'schema')).toContain(
      'exponential',
    );
  });

  it('refuses a schema over 65,536 bytes or nested too deeply', async () => {
    const big = { description: 'x'.repeat(65_536) };
    expect(await refused('s.big', { schema: big }, 'schema')).toContain('65536 bytes');
    let deep: object = { type: 'object' };
    for (let i = 0; i < 40; i++) deep = { properties: { a: deep } };
    // The API refuses any body nested past 32 levels before the catalogue sees it.
    const res = await http().put('/v1/event-types/s.deep').send({ schema: deep }).expect(400);
    expect(res.body).toMatchObject({ code: 3 });
    expect(await f.db.dataSource.query(`SELECT name FROM event_types`)).toEqual([]);
  });

  it('refuses a $ref to anything outside the schema, or to nothing in it', async () => {
    for (const $ref of [
      'https://example.com/schema.json',
      'other.json#/x',
      'http://json-schema.org/draft-07/schema#',
    ]) {
      expect(await refused('r.type', { schema: { $ref } }, 'schema')).toContain('outside itself');
    }
    expect(await refused('r.type', { schema: { $ref: '#/$defs/missing' } }, 'schema')).toContain(
      'names nothing',
    );
    const local = {
      $defs: { id: { type: 'integer' } },
      properties: { id: { $ref: '#/$defs/id' } },
    };
    expect(await put('r.type', { schema: local, example: '{"id": 1}' })).toHaveProperty(
      'schema',
      local,
    );
  });

  it('refuses an example that is not JSON, or does not match the schema, naming example', async () => {
    expect(
      await refused('e.type', { schema: ORDER_SCHEMA, example: 'not json' }, 'example'),
    ).toContain('is not JSON');
    expect(
      await refused('e.type', { schema: ORDER_SCHEMA, example: '{"order_id": "x"}' }, 'example'),
    ).toContain('/order_id');
    expect(await refused('e.type', { schema: ORDER_SCHEMA, example: '{}' }, 'example')).toContain(
      '/order_id: is required',
    );
    // Without a schema an example is any string.
    expect(await put('e.type', { example: 'plain text' })).toHaveProperty('example', 'plain text');
    expect(await f.db.dataSource.query(`SELECT name FROM event_types`)).toEqual([
      { name: 'e.type' },
    ]);
  });
});
