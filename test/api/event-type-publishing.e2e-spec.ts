import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';
import { Receiver } from '../helpers/receiver';
import { seedTenant } from '../helpers/tenant-seed';
import { startTestWorker, type TestWorker } from '../helpers/worker';

const ORDER_SCHEMA = {
  type: 'object',
  required: ['order_id'],
  properties: {
    order_id: { type: 'integer' },
    items: { type: 'array', items: { type: 'string' } },
  },
};

/** §14: payloads checked against their type's schema on publish; test deliveries. */
describe('event types: publishing and test deliveries', () => {
  const f = ApiFixture.use({}, { withHook: true });
  const http = () => f.http();
  const putType = (name: string, body: object) =>
    http().put(`/v1/event-types/${name}`).send(body).expect(201);
  const publish = (event_type: string, payload: string) =>
    http().post('/v1/events').send({ event_type, payload });
  const counts = async () =>
    (
      await f.db.dataSource.query<{ events: number; deliveries: number }[]>(
        `SELECT (SELECT count(*) FROM events)::int AS events,
                (SELECT count(*) FROM deliveries)::int AS deliveries`,
      )
    )[0];

  it('publishes a payload that matches the schema (201) and fans out', async () => {
    await putType('p.valid', { schema: ORDER_SCHEMA });
    const res = await publish('p.valid', '{"order_id": 7, "items": ["a"]}').expect(201);
    expect(res.body).toMatchObject({ event_type: 'p.valid', delivery_count: 1 });
  });

  it('refuses one that does not with 422 code 19, JSON pointers in details, nothing stored', async () => {
    await putType('p.invalid', { schema: ORDER_SCHEMA });
    const res = await publish('p.invalid', '{"items": ["a", 2, "c", 4]}').expect(422);
    expect(res.body).toEqual({
      code: 19,
      message: "payload does not match the event type's schema",
      details: expect.any(String),
    });
    const pairs = (res.body.details as string).split('; ');
    expect(pairs).toEqual(
      expect.arrayContaining([
        '/order_id: is required',
        expect.stringMatching(/^\/items\/1: /),
        expect.stringMatching(/^\/items\/3: /),
      ]),
    );
    expect(pairs).toHaveLength(3);
    const notJson = await publish('p.invalid', 'not json').expect(422);
    expect(notJson.body.details).toMatch(/^: is not JSON/);
    expect(await counts()).toEqual({ events: 0, deliveries: 0 });
  });

  it('lists at most 10 problems', async () => {
    await putType('p.many', { schema: { type: 'array', items: { type: 'integer' } } });
    const payload = JSON.stringify(Array.from({ length: 25 }, (_, i) => `s${i}`));
    const res = await publish('p.many', payload).expect(422);
    const pairs = (res.body.details as string).split('; ');
    expect(pairs).toHaveLength(10);
    expect(pairs[0]).toMatch(/^\/0: /);
    expect(await counts()).toEqual({ events: 0, deliveries: 0 });
  });

  it('checks the next publish against a schema just replaced, and none once it is dropped', async () => {
    await putType('p.changing', { schema: ORDER_SCHEMA });
    await publish('p.changing', '{"order_id": 1}').expect(201);
    await http()
      .put('/v1/event-types/p.changing')
      .send({ schema: { type: 'object', required: ['sku'] } })
      .expect(200);
    await publish('p.changing', '{"order_id": 1}').expect(422);
    await publish('p.changing', '{"sku": "x"}').expect(201);
    await http().put('/v1/event-types/p.changing').send({}).expect(200);
    await publish('p.changing', 'anything').expect(201);
    await http().delete('/v1/event-types/p.changing').expect(204);
    await publish('p.changing', 'anything').expect(201);
  });

  it('does not check direct deliveries, nor types outside the catalogue (open mode)', async () => {
    await putType('p.direct', { schema: ORDER_SCHEMA });
    await http()
      .post('/v1/deliveries')
      .send({ webhook_id: f.hookId, payload: 'not json' })
      .expect(201);
    await publish('p.unlisted', 'not json').expect(201);
  });

  describe('the test route', () => {
    it('creates one delivery of the example with event_type set, to that webhook alone (202)', async () => {
      await f.createWebhook({ ...RECEIVER_HOOK, name: 'another' });
      await putType('t.example', { example: '{"order_id": 42}' });
      const res = await http()
        .post(`/v1/webhooks/${f.hookId}/test`)
        .send({ event_type: 't.example' })
        .expect(202);
      expect(res.body).toMatchObject({
        webhook_id: f.hookId,
        payload: '{"order_id": 42}',
        event_type: 't.example',
        event_id: null,
        status: 'pending',
      });
      expect(await counts()).toEqual({ events: 0, deliveries: 1 });
    });

    it('answers 404 code 18 for an unknown type, 400 for one without an example, 404 code 5 for an unknown webhook', async () => {
      const test = (id: string, event_type: unknown) =>
        http().post(`/v1/webhooks/${id}/test`).send({ event_type });
      expect((await test(f.hookId, 'nope.type').expect(404)).body).toMatchObject({ code: 18 });
      await putType('t.bare', {});
      const bare = await test(f.hookId, 't.bare').expect(400);
      expect(bare.body).toMatchObject({ code: 4, details: expect.stringMatching(/^event_type: /) });
      await putType('t.ok', { example: '{}' });
      const unknown = await test('0b5e3c1e-8f0a-4d52-9d0e-6c1f1b0c7a11', 't.ok').expect(404);
      expect(unknown.body).toMatchObject({ code: 5 });
      expect((await test(f.hookId, 'bad..name').expect(400)).body.details).toMatch(/^event_type/);
      expect(await counts()).toEqual({ events: 0, deliveries: 0 });
    });

    it('acts for a portal session on its own tenant’s webhooks only', async () => {
      const post = async (path: string, body: object) =>
        (await http().post(path).send(body).expect(201)).body as Record<string, any>;
      const a = await seedTenant(f.db.dataSource, post, 'tenant-a');
      const b = await seedTenant(f.db.dataSource, post, 'tenant-b');
      await putType('t.portal', { example: '{"hello": 1}' });
      const before = (await counts()).deliveries;
      const token = (await post('/v1/tenants/tenant-a/portal-sessions', {})).token as string;
      const as = { authorization: `Bearer ${token}` };
      const other = await http()
        .post(`/v1/webhooks/${b.webhookId}/test`)
        .set(as)
        .send({ event_type: 't.portal' })
        .expect(404);
      expect(other.body).toMatchObject({ code: 5 });
      const own = await http()
        .post(`/v1/webhooks/${a.webhookId}/test`)
        .set(as)
        .send({ event_type: 't.portal' })
        .expect(202);
      expect(own.body).toMatchObject({ webhook_id: a.webhookId, event_type: 't.portal' });
      const [row] = await f.db.dataSource.query<{ tenant_id: string }[]>(
        `SELECT tenant_id FROM deliveries WHERE id = $1`,
        [own.body.id],
      );
      expect(row.tenant_id).toBe('tenant-a');
      const readOnly = (await post('/v1/tenants/tenant-a/portal-sessions', { read_only: true }))
        .token as string;
      const refused = await http()
        .post(`/v1/webhooks/${a.webhookId}/test`)
        .set({ authorization: `Bearer ${readOnly}` })
        .send({ event_type: 't.portal' })
        .expect(403);
      expect(refused.body).toMatchObject({ code: 15 });
      // Writing the catalogue is the platform's; reading it is open to sessions.
      await http().put('/v1/event-types/t.other').set(as).send({}).expect(403);
      await http().get('/v1/event-types/t.portal').set(as).expect(200);
      expect((await counts()).deliveries).toBe(before + 1);
    });

    it('is delivered by the worker with the example as body and the type in a header', async () => {
      const receiver = await Receiver.start();
      let worker: TestWorker | undefined;
      try {
        const hook = await f.createWebhook({ ...RECEIVER_HOOK, url: receiver.url });
        await putType('t.sent', { example: '{"sent": true}' });
        const delivery = (
          await http()
            .post(`/v1/webhooks/${hook.id}/test`)
            .send({ event_type: 't.sent' })
            .expect(202)
        ).body;
        worker = await startTestWorker(f.db, { POSTMAND_ALLOWED_NETWORKS: '127.0.0.0/8' });
        const [req] = await receiver.waitForRequests(1);
        expect(req.body.toString()).toBe('{"sent": true}');
        expect(req.headers['webhook-id']).toBe(delivery.id);
        expect(req.headers['x-postmand-event-type']).toBe('t.sent');
        expect(req.headers['x-postmand-event-id']).toBeUndefined();
      } finally {
        await worker?.stop();
        await receiver.close();
      }
    });
  });
});

describe('event types: POSTMAND_EVENT_TYPES=registered', () => {
  const f = ApiFixture.use({ POSTMAND_EVENT_TYPES: 'registered' });
  const http = () => f.http();

  it('refuses a type outside the catalogue (400 naming event_type); a deprecated one publishes', async () => {
    const res = await http()
      .post('/v1/events')
      .send({ event_type: 'r.unknown', payload: '{}' })
      .expect(400);
    expect(res.body).toMatchObject({ code: 4, details: expect.stringMatching(/^event_type: /) });
    await http().put('/v1/event-types/r.old').send({ deprecated: true }).expect(201);
    await http().post('/v1/events').send({ event_type: 'r.old', payload: '{}' }).expect(201);
    expect(await f.db.dataSource.query(`SELECT event_type FROM events`)).toEqual([
      { event_type: 'r.old' },
    ]);
  });
});
