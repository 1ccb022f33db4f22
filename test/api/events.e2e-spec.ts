import { randomUUID } from 'node:crypto';
import { ApiFixture, ISO_MS, RECEIVER_HOOK } from '../helpers/api-fixture';

describe('/v1/events', () => {
  const f = ApiFixture.use({ POSTMAND_MAX_PAYLOAD_BYTES: '1024' });

  const hook = (eventTypes?: unknown, extra: object = {}): Promise<Record<string, any>> =>
    f.createWebhook({
      ...RECEIVER_HOOK,
      ...(eventTypes === undefined ? {} : { event_types: eventTypes }),
      ...extra,
    });
  const publish = async (body: object): Promise<Record<string, any>> =>
    (await f.http().post('/v1/events').send(body).expect(201)).body;
  const deliveriesOf = async (query: string): Promise<Record<string, any>[]> =>
    (await f.http().get(`/v1/deliveries?${query}&limit=1000`).expect(200)).body.deliveries;

  describe('event_types on webhooks', () => {
    it('defaults to ["*"], keeps what is given, and PUT without it resets it', async () => {
      const all = await hook();
      expect(all.event_types).toEqual(['*']);
      const some = await hook(['order.*', 'invoice.paid', 'postmand.*']);
      expect(some.event_types).toEqual(['order.*', 'invoice.paid', 'postmand.*']);
      const none = await hook([]);
      expect(none.event_types).toEqual([]);
      // What it GOT, PUT back without event_types (read-only fields are ignored).
      const put = await f
        .http()
        .put(`/v1/webhooks/${some.id}`)
        .send({ ...some, event_types: undefined })
        .expect(200);
      expect(put.body.event_types).toEqual(['*']);
      expect((await f.http().get(`/v1/webhooks/${none.id}`).expect(200)).body.event_types).toEqual(
        [],
      );
    });

    it.each([
      ['a string', 'order.*'],
      ['a number in the array', [1]],
      ['an empty pattern', ['']],
      ['a bad pattern', ['order.**']],
      ['a wildcard in the middle', ['order.*.created']],
      ['a space', ['order created']],
      ['a pattern too long', [`${'x'.repeat(257)}.*`]],
      ['101 patterns', Array.from({ length: 101 }, (_, i) => `t${i}`)],
      ['null in the array', [null]],
    ])('refuses %s with 400 code 4 naming event_types', async (_, eventTypes) => {
      const res = await f
        .http()
        .post('/v1/webhooks')
        .send({ ...RECEIVER_HOOK, event_types: eventTypes })
        .expect(400);
      expect(res.body).toMatchObject({ code: 4, details: expect.stringMatching(/^event_types: /) });
    });
  });

  describe('publishing', () => {
    it('stores the event and fans it out to the matching webhooks only, active or not', async () => {
      const all = await hook();
      const orders = await hook(['order.*']);
      const exact = await hook(['order.created'], { active: false });
      const other = await hook(['invoice.*', 'order']);
      const direct = await hook([]);
      const event = await publish({ event_type: 'order.created', payload: '{"order":1}' });
      expect(event).toEqual({
        id: expect.any(String),
        event_type: 'order.created',
        tenant_id: null,
        payload: '{"order":1}',
        scheduled_at: expect.stringMatching(ISO_MS),
        delivery_count: 3,
        created_at: expect.stringMatching(ISO_MS),
      });
      expect(event.scheduled_at).toBe(event.created_at);

      const made = await deliveriesOf(`event_id=${event.id}`);
      expect(made.map((d) => d.webhook_id).sort()).toEqual([all.id, orders.id, exact.id].sort());
      for (const d of made) {
        expect(d).toMatchObject({
          event_id: event.id,
          event_type: 'order.created',
          payload: '{"order":1}',
          status: 'pending',
          scheduled_at: event.scheduled_at,
        });
      }
      expect(await deliveriesOf(`webhook_id=${other.id}`)).toEqual([]);
      expect(await deliveriesOf(`webhook_id=${direct.id}`)).toEqual([]);
      expect((await deliveriesOf('event_type=order.created')).length).toBe(3);
      expect(await deliveriesOf('event_type=order.updated')).toEqual([]);
    });

    it('matches sub-types with name.*, never the name itself nor a longer first segment', async () => {
      const orders = await hook(['order.*']);
      expect(
        (await publish({ event_type: 'order.item.added', payload: '{}' })).delivery_count,
      ).toBe(1);
      expect((await publish({ event_type: 'order', payload: '{}' })).delivery_count).toBe(0);
      expect((await publish({ event_type: 'orders.x', payload: '{}' })).delivery_count).toBe(0);
      expect((await deliveriesOf(`webhook_id=${orders.id}`)).length).toBe(1);
    });

    it('follows a webhook whose event_types change, and forgets a deleted one', async () => {
      const w = await hook(['a.*']);
      expect((await publish({ event_type: 'b.x', payload: '{}' })).delivery_count).toBe(0);
      await f
        .http()
        .put(`/v1/webhooks/${w.id}`)
        .send({ ...w, event_types: ['b.*', 'b.*'] })
        .expect(200);
      expect((await publish({ event_type: 'b.x', payload: '{}' })).delivery_count).toBe(1);
      expect((await publish({ event_type: 'a.x', payload: '{}' })).delivery_count).toBe(0);
      await f
        .http()
        .put(`/v1/webhooks/${w.id}`)
        .send({ ...w, name: 'renamed', event_types: ['b.*'] })
        .expect(200);
      expect((await publish({ event_type: 'b.y', payload: '{}' })).delivery_count).toBe(1);
      await f.http().delete(`/v1/webhooks/${w.id}`).expect(204);
      expect((await publish({ event_type: 'b.x', payload: '{}' })).delivery_count).toBe(0);
      const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM webhook_event_types',
      );
      expect(n).toBe(0);
    });

    it('gives each of many concurrent events its own fan-out, sharing statements', async () => {
      const a = await hook(['t.a']);
      const b = await hook(['t.*']);
      const types = Array.from({ length: 60 }, (_, n) =>
        n % 3 === 0 ? 't.a' : n % 3 === 1 ? 't.b' : 'u.c',
      );
      const events = await Promise.all(
        types.map((event_type, n) => publish({ event_type, payload: `{"n":${n}}` })),
      );
      events.forEach((event, n) => {
        expect(event).toMatchObject({ event_type: types[n], payload: `{"n":${n}}` });
        expect(event.delivery_count).toBe({ 't.a': 2, 't.b': 1, 'u.c': 0 }[types[n]]);
      });
      const rows = await f.db.dataSource.query<
        { event_id: string; webhook_id: string; payload: string }[]
      >('SELECT event_id, webhook_id, payload FROM deliveries_full');
      expect(rows).toHaveLength(20 * 2 + 20);
      for (const row of rows) {
        const n = events.findIndex((e) => e.id === row.event_id);
        expect(row.payload).toBe(`{"n":${n}}`);
        expect(types[n] === 't.a' ? [a.id, b.id] : [b.id]).toContain(row.webhook_id);
      }
      // Fewer transactions than events: they shared statements.
      const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
        'SELECT count(DISTINCT xmin::text)::int AS n FROM events',
      );
      expect(n).toBeLessThan(events.length);
    });

    it('stores an event nobody takes with delivery_count 0', async () => {
      await hook([]);
      const event = await publish({ event_type: 'nobody.cares', payload: '{}' });
      expect(event.delivery_count).toBe(0);
      expect((await f.http().get(`/v1/events/${event.id}`).expect(200)).body).toEqual(event);
    });

    it('gives its deliveries its scheduled_at, and a redelivery keeps the event', async () => {
      await hook();
      const event = await publish({
        event_type: 'later',
        payload: '{}',
        scheduled_at: '2031-01-02T03:04:05.678+01:00',
      });
      expect(event.scheduled_at).toBe('2031-01-02T02:04:05.678Z');
      const [delivery] = await deliveriesOf(`event_id=${event.id}`);
      expect(delivery.scheduled_at).toBe(event.scheduled_at);
      const again = (await f.http().post(`/v1/deliveries/${delivery.id}/redeliver`).expect(201))
        .body;
      expect(again).toMatchObject({ event_id: event.id, event_type: 'later' });
    });

    it('gives direct deliveries null event fields', async () => {
      const { id } = await hook();
      const res = await f
        .http()
        .post('/v1/deliveries')
        .send({ webhook_id: id, payload: '{}' })
        .expect(201);
      expect(res.body).toMatchObject({ event_id: null, event_type: null });
    });

    it.each([
      [{ payload: '{}' }, /^event_type: is required\.$/],
      [{ event_type: '', payload: '{}' }, /^event_type: must be dot-separated/],
      [{ event_type: 'a..b', payload: '{}' }, /^event_type: must be dot-separated/],
      [{ event_type: 'order.*', payload: '{}' }, /^event_type: must be dot-separated/],
      [{ event_type: 'x'.repeat(257), payload: '{}' }, /^event_type: must be dot-separated/],
      [
        { event_type: 'postmand.webhook.disabled', payload: '{}' },
        /^event_type: must not start with "postmand\."/,
      ],
      [{ event_type: 'a', payload: 1 }, /^payload: must be a string\.$/],
      [{ event_type: 'a', payload: 'x\u0000' }, /^payload: must not contain NUL/],
      [{ event_type: 'a', payload: '{}', scheduled_at: 'tomorrow' }, /^scheduled_at: /],
      [{ event_type: 'a', payload: '{}', webhook_id: randomUUID() }, /^webhook_id: /],
    ])('refuses %j with 400 code 4', async (body, details) => {
      const res = await f.http().post('/v1/events').send(body).expect(400);
      expect(res.body).toMatchObject({ code: 4, details: expect.stringMatching(details) });
    });

    it('refuses a payload over the limit with 413 code 8, storing nothing', async () => {
      await hook();
      const res = await f
        .http()
        .post('/v1/events')
        .send({ event_type: 'big', payload: 'x'.repeat(1025) })
        .expect(413);
      expect(res.body.code).toBe(8);
      expect((await f.http().get('/v1/events').expect(200)).body.events).toEqual([]);
    });
  });

  describe('reading', () => {
    it('lists newest first with event_type and created_at filters, and finds by id', async () => {
      const a = await publish({ event_type: 'a.one', payload: '1' });
      const b = await publish({ event_type: 'b.two', payload: '2' });
      const c = await publish({ event_type: 'a.one', payload: '3' });
      const list = (await f.http().get('/v1/events').expect(200)).body;
      expect(list).toEqual({ events: [c, b, a], limit: 50, offset: 0, next_cursor: null });
      const typed = (await f.http().get('/v1/events?event_type=a.one&limit=1&offset=1').expect(200))
        .body;
      expect(typed).toEqual({ events: [a], limit: 1, offset: 1, next_cursor: null });
      const since = await f
        .http()
        .get(`/v1/events?created_at.gt=${encodeURIComponent(a.created_at)}`)
        .expect(200);
      expect(since.body.events.map((e: { id: string }) => e.id)).not.toContain(a.id);
      expect((await f.http().get(`/v1/events/${b.id}`).expect(200)).body).toEqual(b);
    });

    it('answers an unknown event with 404 code 13, a bad id with 404 code 2, a bad filter with 400', async () => {
      const unknown = await f.http().get(`/v1/events/${randomUUID()}`).expect(404);
      expect(unknown.body).toEqual({ code: 13, message: 'event not found' });
      expect((await f.http().get('/v1/events/nope').expect(404)).body.code).toBe(2);
      const bad = await f.http().get('/v1/events?event_type=a*').expect(400);
      expect(bad.body).toMatchObject({ code: 4, details: expect.stringMatching(/^event_type: /) });
      const badDeliveries = await f.http().get('/v1/deliveries?event_id=nope').expect(400);
      expect(badDeliveries.body).toMatchObject({
        code: 4,
        details: expect.stringMatching(/^event_id: /),
      });
    });
  });
});
