import { ApiFixture, VALID_WEBHOOK } from '../helpers/api-fixture';

describe('GET /v1/webhooks', () => {
  const f = ApiFixture.use();
  const create = (body: object = VALID_WEBHOOK) => f.createWebhook(body);

  it('lists by name with limit, offset and filters', async () => {
    const names = ['delta', 'alpha', 'charlie', 'bravo'];
    const made = [];
    for (const [i, name] of names.entries())
      made.push(await create({ ...VALID_WEBHOOK, name, active: i % 2 === 0 }));
    const all = await f.http().get('/v1/webhooks').expect(200);
    expect(all.body.limit).toBe(50);
    expect(all.body.offset).toBe(0);
    expect(all.body.webhooks.map((w: { name: string }) => w.name)).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'delta',
    ]);

    const page = await f.http().get('/v1/webhooks?limit=2&offset=1').expect(200);
    expect(page.body).toMatchObject({ limit: 2, offset: 1 });
    expect(page.body.webhooks.map((w: { name: string }) => w.name)).toEqual(['bravo', 'charlie']);

    const inactive = await f.http().get('/v1/webhooks?active=false').expect(200);
    expect(inactive.body.webhooks.map((w: { name: string }) => w.name)).toEqual(['alpha', 'bravo']);

    const first = made[0].created_at as string;
    const gt = await f.http().get('/v1/webhooks').query({ 'created_at.gt': first }).expect(200);
    expect(gt.body.webhooks.map((w: { id: string }) => w.id)).not.toContain(made[0].id);
    const gte = await f.http().get('/v1/webhooks').query({ 'created_at.gte': first }).expect(200);
    expect(gte.body.webhooks.map((w: { id: string }) => w.id)).toContain(made[0].id);
    const lte = await f.http().get('/v1/webhooks').query({ 'created_at.lte': first }).expect(200);
    expect(lte.body.webhooks.map((w: { id: string }) => w.id)).toContain(made[0].id);
    const lt = await f.http().get('/v1/webhooks').query({ 'created_at.lt': first }).expect(200);
    expect(lt.body.webhooks.map((w: { id: string }) => w.id)).not.toContain(made[0].id);
  });

  it.each([
    ['limit=0', 'limit: must be an integer from 1 to 1000.'],
    ['limit=1001', 'limit: must be an integer from 1 to 1000.'],
    ['limit=ten', 'limit: must be an integer from 1 to 1000.'],
    ['limit=1&limit=2', 'limit: must be given only once.'],
    [
      'active[]=true',
      'active[]: brackets are not supported; give the parameter once as name=value.',
    ],
    [
      'created_at[gt]=2026-01-01T00:00:00Z',
      'created_at[gt]: brackets are not supported; give the parameter once as name=value.',
    ],
    ['actve=true', 'actve: is not a field of this request.'],
    // PostgreSQL takes offsets up to ±15:59 and years from 1 (in UTC) only.
    [
      'created_at.gt=2026-01-01T00:00:00%2B16:00',
      'created_at.gt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
    [
      'created_at.gt=0001-01-01T00:00:00%2B23:59',
      'created_at.gt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
    [
      'created_at.gt=0001-01-01T00:00:00%2B00:01',
      'created_at.gt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
    [
      'created_at.lt=9999-12-31T23:59:59-00:01',
      'created_at.lt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
    ['limit=', 'limit: must be an integer from 1 to 1000.'],
    ['offset=-1', 'offset: must be an integer of 0 or more.'],
    ['offset=1.5', 'offset: must be an integer of 0 or more.'],
    ['active=yes', 'active: must be true or false.'],
    [
      'created_at.gt=yesterday',
      'created_at.gt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
    [
      'created_at.lte=2021-02-30T00:00:00Z',
      'created_at.lte: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
    [
      'created_at.lt=0000-01-01T00:00:00Z',
      'created_at.lt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
    ],
  ])('rejects the query %s with code 4 naming the parameter', async (query, details) => {
    const res = await f.http().get(`/v1/webhooks?${query}`).expect(400);
    expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
  });

  it('accepts the extreme offsets and instants that PostgreSQL stores', async () => {
    await create();
    for (const bound of [
      'created_at.gt=0001-01-01T00:00:00-15:59',
      'created_at.gt=0001-01-01T15:59:00%2B15:59',
      'created_at.lt=9999-12-31T08:00:59%2B15:59',
      'created_at.lt=9999-12-31T23:59:59.999Z',
    ]) {
      const res = await f.http().get(`/v1/webhooks?${bound}`).expect(200);
      expect(res.body.webhooks).toHaveLength(1);
    }
  });

  it('accepts an offset whose + became a space in an unencoded query string', async () => {
    await create();
    const res = await f
      .http()
      .get('/v1/webhooks?created_at.gt=2000-01-01T00:00:00.000+02:00')
      .expect(200);
    expect(res.body.webhooks).toHaveLength(1);
  });
});
