import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';

const ID_RULE = 'tenant_id: must be 1 to 64 characters of letters, digits, "_", "." and "-".';
const FIXED = 'tenant_id: is fixed at creation: leave it out or send the same.';

describe('a webhook’s tenant_id (§11)', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  const tenant = (id: string, body: object = {}) =>
    http().put(`/v1/tenants/${id}`).send(body).expect(201);
  const create = (body: object) => http().post('/v1/webhooks').send(body);
  const count = async (tenantId: string | null): Promise<number> =>
    (
      await f.db.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM webhooks WHERE tenant_id IS NOT DISTINCT FROM $1',
        [tenantId],
      )
    )[0].n;

  it('is null when left out or null (the platform’s own), the tenant’s id when given', async () => {
    await tenant('acme');
    const platform = await create(RECEIVER_HOOK).expect(201);
    expect(platform.body.tenant_id).toBeNull();
    const nulled = await create({ ...RECEIVER_HOOK, tenant_id: null }).expect(201);
    expect(nulled.body.tenant_id).toBeNull();
    const owned = await create({ ...RECEIVER_HOOK, tenant_id: 'acme' }).expect(201);
    expect(owned.body.tenant_id).toBe('acme');
    const got = await http().get(`/v1/webhooks/${owned.body.id}`).expect(200);
    expect(got.body).toEqual(owned.body);
    const listed = await http().get('/v1/webhooks').expect(200);
    expect(listed.body.webhooks.map((w: { tenant_id: unknown }) => w.tenant_id).sort()).toEqual(
      ['acme', null, null].sort(),
    );
  });

  it('names an existing tenant: an unknown one is a 404 code 16, and nothing is created', async () => {
    const res = await create({ ...RECEIVER_HOOK, tenant_id: 'nobody' }).expect(404);
    expect(res.body).toEqual({ code: 16, message: 'tenant not found' });
    expect(await count(null)).toBe(0);
    expect(await count('nobody')).toBe(0);
  });

  it.each([[''], ['a b'], ['x'.repeat(65)], [42], [['acme']], [{}]])(
    'refuses a malformed tenant_id %j with 400 code 4 naming it',
    async (value) => {
      const res = await create({ ...RECEIVER_HOOK, tenant_id: value }).expect(400);
      expect(res.body).toEqual({
        code: 4,
        message: 'request validation failed',
        details: ID_RULE,
      });
    },
  );

  describe('is fixed at creation', () => {
    let id: string;
    beforeEach(async () => {
      await tenant('acme');
      await tenant('other');
      id = (await create({ ...RECEIVER_HOOK, tenant_id: 'acme' }).expect(201)).body.id as string;
    });
    const put = (body: object) => http().put(`/v1/webhooks/${id}`).send(body);

    it('a PUT may leave it out or repeat it, and it stays', async () => {
      expect((await put({ ...RECEIVER_HOOK, name: 'left out' }).expect(200)).body).toMatchObject({
        name: 'left out',
        tenant_id: 'acme',
      });
      const repeated = await put({ ...RECEIVER_HOOK, name: 'same', tenant_id: 'acme' });
      expect(repeated.status).toBe(200);
      expect(repeated.body).toMatchObject({ name: 'same', tenant_id: 'acme' });
      // What a client GOT, PUT back as is.
      const got = (await http().get(`/v1/webhooks/${id}`).expect(200)).body as object;
      expect((await put(got).expect(200)).body).toMatchObject({ tenant_id: 'acme' });
    });

    it.each([['other'], [null], ['nobody']])(
      'a PUT with another tenant_id (%j) is a 400 code 4 naming it, and changes nothing',
      async (value) => {
        const res = await put({ ...RECEIVER_HOOK, name: 'changed', tenant_id: value }).expect(400);
        expect(res.body).toEqual({ code: 4, message: 'request validation failed', details: FIXED });
        const got = await http().get(`/v1/webhooks/${id}`).expect(200);
        expect(got.body).toMatchObject({ name: RECEIVER_HOOK.name, tenant_id: 'acme' });
      },
    );

    it('a platform webhook stays the platform’s: null may be repeated, a tenant may not be given', async () => {
      const own = (await create(RECEIVER_HOOK).expect(201)).body.id as string;
      const put = (body: object) => http().put(`/v1/webhooks/${own}`).send(body);
      await put({ ...RECEIVER_HOOK, tenant_id: null }).expect(200);
      const res = await put({ ...RECEIVER_HOOK, tenant_id: 'acme' }).expect(400);
      expect(res.body.details).toBe(FIXED);
      expect(await count('acme')).toBe(1);
    });

    it('a PUT of an unknown webhook is still a 404 code 5, with or without tenant_id', async () => {
      const unknown = '4b4cbf2e-3f53-4a8b-9d7a-7f3a1c0f0e11';
      for (const body of [RECEIVER_HOOK, { ...RECEIVER_HOOK, tenant_id: 'acme' }]) {
        const res = await http().put(`/v1/webhooks/${unknown}`).send(body).expect(404);
        expect(res.body.code).toBe(5);
      }
    });
  });

  describe('max_webhooks', () => {
    it('a create beyond it is a 409 code 17; the platform’s and other tenants’ are not counted', async () => {
      await tenant('small', { max_webhooks: 2 });
      await tenant('other', { max_webhooks: 1 });
      await create({ ...RECEIVER_HOOK, tenant_id: 'other' }).expect(201);
      await create(RECEIVER_HOOK).expect(201);
      await create({ ...RECEIVER_HOOK, tenant_id: 'small' }).expect(201);
      await create({ ...RECEIVER_HOOK, tenant_id: 'small' }).expect(201);
      const refused = await create({ ...RECEIVER_HOOK, tenant_id: 'small' }).expect(409);
      expect(refused.body).toMatchObject({ code: 17, message: 'tenant webhook limit reached' });
      expect(await count('small')).toBe(2);
      // Room again once one goes; a larger limit takes effect at once.
      const [{ id }] = await f.db.dataSource.query<{ id: string }[]>(
        `SELECT id FROM webhooks WHERE tenant_id = 'small' LIMIT 1`,
      );
      await http().delete(`/v1/webhooks/${id}`).expect(204);
      await create({ ...RECEIVER_HOOK, tenant_id: 'small' }).expect(201);
      await create({ ...RECEIVER_HOOK, tenant_id: 'small' }).expect(409);
      await http().put('/v1/tenants/small').send({ max_webhooks: 3 }).expect(200);
      await create({ ...RECEIVER_HOOK, tenant_id: 'small' }).expect(201);
      expect(await count('small')).toBe(3);
    });

    it('a tenant without a limit takes any number', async () => {
      await tenant('open');
      for (let i = 0; i < 5; i++) await create({ ...RECEIVER_HOOK, tenant_id: 'open' }).expect(201);
      expect(await count('open')).toBe(5);
    });

    it('a create with an Idempotency-Key (in the key’s transaction) is limited too', async () => {
      await tenant('small', { max_webhooks: 1 });
      const body = { ...RECEIVER_HOOK, tenant_id: 'small' };
      await create(body).set('Idempotency-Key', 'first').expect(201);
      const refused = await create(body).set('Idempotency-Key', 'second').expect(409);
      expect(refused.body.code).toBe(17);
      // A refusal is not stored with its key (§6): the same key fails again, not replayed.
      await create(body).set('Idempotency-Key', 'second').expect(409);
      expect(await count('small')).toBe(1);
    });
  });
});
