import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOOK = {
  name: 'receiver',
  url: 'http://127.0.0.1:9/hook',
  content_type: 'application/json',
  valid_status_codes: [200],
};

describe('/v1/deliveries and /v1/delivery-attempts', () => {
  let db: TestDatabase;
  let api: TestApi;
  let http: () => ReturnType<typeof request>;
  let hookId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A small limit keeps the 413 tests light.
    api = await createTestApi(db, { POSTMAND_MAX_PAYLOAD_BYTES: '1024' });
    const server = api.app.getHttpServer() as App;
    http = () => request(server);
  });
  afterAll(async () => {
    await api.app.close();
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE webhooks CASCADE');
    hookId = (await http().post('/v1/webhooks').send(HOOK).expect(201)).body.id;
  });

  const createDelivery = async (body: object = {}): Promise<Record<string, any>> =>
    (
      await http()
        .post('/v1/deliveries')
        .send({ webhook_id: hookId, payload: '{"success": true}', ...body })
        .expect(201)
    ).body;

  const insertAttempt = async (deliveryId: string, success: boolean): Promise<string> => {
    const [row] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, error)
       SELECT webhook_id, id, 'POST /hook HTTP/1.1', $2, $3, 35000, $4, $5
       FROM deliveries WHERE id = $1 RETURNING id`,
      [
        deliveryId,
        success ? 'HTTP/1.1 200 OK\r\n\r\nok' : '',
        success ? 200 : 0,
        success,
        success ? '' : 'connect ECONNREFUSED 127.0.0.1:9',
      ],
    );
    return row.id;
  };

  describe('deliveries', () => {
    it('creates a pending delivery due now', async () => {
      const res = await http()
        .post('/v1/deliveries')
        .send({ webhook_id: hookId, payload: '{"success": true}' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        webhook_id: hookId,
        payload: '{"success": true}',
        scheduled_at: expect.stringMatching(ISO_MS),
        delivery_attempts: 0,
        status: 'pending',
        created_at: expect.stringMatching(ISO_MS),
        updated_at: expect.stringMatching(ISO_MS),
      });
      expect(res.body.scheduled_at).toBe(res.body.created_at);
    });

    it('keeps a delayed scheduled_at and the payload exactly', async () => {
      const payload = 'line1\r\nline2\t"ünï" \u{1F680} \\';
      const body = await createDelivery({ payload, scheduled_at: '2031-01-02T03:04:05.678+01:00' });
      expect(body.scheduled_at).toBe('2031-01-02T02:04:05.678Z');
      const got = (await http().get(`/v1/deliveries/${body.id}`).expect(200)).body;
      expect(got.payload).toBe(payload);
    });

    it('answers an unknown webhook with 404 code 5', async () => {
      const res = await http()
        .post('/v1/deliveries')
        .send({ webhook_id: randomUUID(), payload: 'x' })
        .expect(404);
      expect(res.body).toEqual({ code: 5, message: 'webhook not found' });
    });

    it.each([
      [{ webhook_id: 'nope' }, 'webhook_id: must be a UUID.'],
      [{ webhook_id: undefined }, 'webhook_id: is required.'],
      [{ payload: undefined }, 'payload: is required.'],
      [{ payload: { success: true } }, 'payload: must be a string.'],
      [{ payload: 'a\u0000b' }, 'payload: must not contain NUL characters or unpaired surrogates.'],
      [
        { payload: 'lone \ud800 surrogate' },
        'payload: must not contain NUL characters or unpaired surrogates.',
      ],
      [
        { scheduled_at: 'tomorrow' },
        'scheduled_at: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
      ],
      [
        { scheduled_at: 1700000000 },
        'scheduled_at: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
      ],
    ])('rejects %j with code 4', async (override, details) => {
      const res = await http()
        .post('/v1/deliveries')
        .send({ webhook_id: hookId, payload: 'x', ...override })
        .expect(400);
      expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
    });

    it('answers a payload over POSTMAND_MAX_PAYLOAD_BYTES with 413 code 8, counting UTF-8 bytes', async () => {
      await createDelivery({ payload: 'x'.repeat(1024) });
      const over = await http()
        .post('/v1/deliveries')
        .send({ webhook_id: hookId, payload: 'é'.repeat(513) }) // 1026 bytes, 513 characters
        .expect(413);
      expect(over.body).toMatchObject({ code: 8, message: 'payload too large' });
      const huge = await http()
        .post('/v1/deliveries')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ webhook_id: hookId, payload: 'x'.repeat(200_000) }))
        .expect(413);
      expect(huge.body).toMatchObject({ code: 8 });
      const [{ count }] = await db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM deliveries',
      );
      expect(count).toBe(1);
    });

    it('gets, redelivers and deletes, with codes 6 and 2 for unknown and malformed ids', async () => {
      const first = await createDelivery();
      await db.dataSource.query(
        `UPDATE deliveries SET status = 'failed', delivery_attempts = 5 WHERE id = $1`,
        [first.id],
      );
      const again = await http().post(`/v1/deliveries/${first.id}/redeliver`).expect(201);
      expect(again.body).toMatchObject({
        webhook_id: hookId,
        payload: first.payload,
        status: 'pending',
        delivery_attempts: 0,
      });
      expect(again.body.id).not.toBe(first.id);
      expect((await http().get(`/v1/deliveries/${first.id}`).expect(200)).body.status).toBe(
        'failed',
      );

      await insertAttempt(first.id, false);
      await http().delete(`/v1/deliveries/${first.id}`).expect(204);
      const [{ count }] = await db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM delivery_attempts WHERE delivery_id = $1',
        [first.id],
      );
      expect(count).toBe(0);
      const gone = { code: 6, message: 'delivery not found' };
      await http().get(`/v1/deliveries/${first.id}`).expect(404, gone);
      await http().delete(`/v1/deliveries/${first.id}`).expect(404, gone);
      await http().post(`/v1/deliveries/${first.id}/redeliver`).expect(404, gone);
      await http().get('/v1/deliveries/not-a-uuid').expect(404, { code: 2, message: 'invalid id' });
      await http()
        .post('/v1/deliveries/not-a-uuid/redeliver')
        .expect(404, { code: 2, message: 'invalid id' });
    });

    it('redelivers with no body or {}, and refuses a body with fields', async () => {
      const first = await createDelivery();
      await http().post(`/v1/deliveries/${first.id}/redeliver`).send({}).expect(201);
      const refused = await http()
        .post(`/v1/deliveries/${first.id}/redeliver`)
        .send({ webhook_id: hookId, payload: '{}' })
        .expect(400);
      expect(refused.body).toEqual({
        code: 4,
        message: 'request validation failed',
        details:
          'payload: is not a field of this request; webhook_id: is not a field of this request.',
      });
    });

    it("refuses creates that carry one of this database's own webhook-ids (a delivery loop)", async () => {
      const first = await createDelivery();
      const loop = {
        code: 4,
        message: 'request validation failed',
        details: 'webhook-id: delivery loop: this request is a delivery sent by this postmand.',
      };
      const own = first.id.toUpperCase() as string;
      await http()
        .post('/v1/deliveries')
        .set('webhook-id', own)
        .send({ webhook_id: hookId, payload: '{}' })
        .expect(400, loop);
      await http()
        .post(`/v1/deliveries/${first.id}/redeliver`)
        .set('webhook-id', first.id)
        .expect(400, loop);
      await http().post('/v1/webhooks').set('webhook-id', first.id).send(HOOK).expect(400, loop);
      // Reads are harmless, and another postmand's deliveries are not ours.
      await http().get('/v1/deliveries').set('webhook-id', first.id).expect(200);
      await http()
        .post('/v1/deliveries')
        .set('webhook-id', '8f6f3c1e-0d5e-4b8a-9d0c-2b1a3c4d5e6f')
        .send({ webhook_id: hookId, payload: '{}' })
        .expect(201);
    });

    it('lists pages that mix small and large payloads exactly as it gets each one', async () => {
      const payloads = [
        '{"small":true}',
        'x'.repeat(20_000),
        '"\\\u0001\u001f😀é\u2028'.repeat(20_000),
        '',
        'ü'.repeat(9_000),
      ];
      // Larger than this file's POSTMAND_MAX_PAYLOAD_BYTES: stored directly.
      for (const payload of payloads) {
        await db.dataSource.query(
          `INSERT INTO deliveries (id, webhook_id, payload) VALUES (gen_random_uuid(), $1, $2)`,
          [hookId, payload],
        );
        await new Promise((resolve) => setTimeout(resolve, 2)); // distinct created_at
      }
      const res = await http().get('/v1/deliveries?limit=10').expect(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const listed = res.body.deliveries as Record<string, unknown>[];
      expect(listed.map((d) => d.payload)).toEqual([...payloads].reverse());
      for (const delivery of listed) {
        const one = await http()
          .get(`/v1/deliveries/${delivery.id as string}`)
          .expect(200);
        expect(delivery).toEqual(one.body);
      }
      // Byte for byte what res.json writes for the same object.
      expect(res.text).toBe(JSON.stringify(res.body));
    });

    it('lists newest first with filters and paging', async () => {
      const other = (
        await http()
          .post('/v1/webhooks')
          .send({ ...HOOK, name: 'other' })
          .expect(201)
      ).body.id;
      const a = await createDelivery();
      const b = await createDelivery({ webhook_id: other });
      const c = await createDelivery();
      await db.dataSource.query(`UPDATE deliveries SET status = 'succeeded' WHERE id = $1`, [c.id]);

      const all = (await http().get('/v1/deliveries').expect(200)).body;
      expect(all).toMatchObject({ limit: 50, offset: 0 });
      const expected = [a, b, c]
        .sort((x, y) =>
          x.created_at === y.created_at
            ? x.id < y.id
              ? 1
              : -1
            : x.created_at < y.created_at
              ? 1
              : -1,
        )
        .map((d) => d.id);
      expect(all.deliveries.map((d: { id: string }) => d.id)).toEqual(expected);

      const page = (await http().get('/v1/deliveries?limit=1&offset=1').expect(200)).body;
      expect(page.deliveries.map((d: { id: string }) => d.id)).toEqual([expected[1]]);

      const ids = async (query: string): Promise<string[]> =>
        (await http().get(`/v1/deliveries?${query}`).expect(200)).body.deliveries
          .map((d: { id: string }) => d.id)
          .sort();
      expect(await ids(`webhook_id=${hookId}`)).toEqual([a.id, c.id].sort());
      expect(await ids(`webhook_id=${hookId}&status=pending`)).toEqual([a.id]);
      expect(await ids('status=succeeded')).toEqual([c.id]);
      expect(await ids('status=failed')).toEqual([]);
      expect(await ids(`created_at.gt=${encodeURIComponent(c.created_at)}`)).toEqual([]);
      expect(await ids(`created_at.gte=${encodeURIComponent(c.created_at)}`)).toContain(c.id);
      expect(await ids(`created_at.lt=${encodeURIComponent(a.created_at)}`)).toEqual([]);
      expect(await ids(`created_at.lte=${encodeURIComponent(a.created_at)}`)).toContain(a.id);
    });

    it.each([
      ['status=done', 'status: must be one of pending, succeeded, failed.'],
      ['webhook_id=nope', 'webhook_id: must be a UUID.'],
      [
        'limit=0&status=done',
        'limit: must be an integer from 1 to 1000; status: must be one of pending, succeeded, failed.',
      ],
    ])('rejects the query %s with code 4', async (query, details) => {
      const res = await http().get(`/v1/deliveries?${query}`).expect(400);
      expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
    });
  });

  describe('delivery attempts', () => {
    it('gets one and lists with filters', async () => {
      const d1 = await createDelivery();
      const d2 = await createDelivery();
      const failed = await insertAttempt(d1.id, false);
      const ok = await insertAttempt(d1.id, true);
      const other = await insertAttempt(d2.id, true);

      const got = (await http().get(`/v1/delivery-attempts/${ok}`).expect(200)).body;
      expect(got).toEqual({
        id: ok,
        webhook_id: hookId,
        delivery_id: d1.id,
        raw_request: 'POST /hook HTTP/1.1',
        raw_response: 'HTTP/1.1 200 OK\r\n\r\nok',
        response_status_code: 200,
        execution_duration: 35000,
        success: true,
        error: '',
        created_at: expect.stringMatching(ISO_MS),
      });

      const list = (await http().get('/v1/delivery-attempts').expect(200)).body;
      expect(list).toMatchObject({ limit: 50, offset: 0 });
      expect(list.delivery_attempts).toHaveLength(3);
      const ids = async (query: string): Promise<string[]> =>
        (await http().get(`/v1/delivery-attempts?${query}`).expect(200)).body.delivery_attempts
          .map((a: { id: string }) => a.id)
          .sort();
      expect(await ids(`delivery_id=${d1.id}`)).toEqual([failed, ok].sort());
      expect(await ids(`webhook_id=${hookId}&success=true`)).toEqual([ok, other].sort());
      expect(await ids('success=false')).toEqual([failed]);
      expect(await ids(`delivery_id=${d2.id}&success=false`)).toEqual([]);
      expect(
        await ids(`created_at.gt=${encodeURIComponent(got.created_at)}&delivery_id=${d1.id}`),
      ).not.toContain(ok);
    });

    it('answers unknown and malformed ids and bad filters', async () => {
      await http()
        .get(`/v1/delivery-attempts/${randomUUID()}`)
        .expect(404, { code: 7, message: 'delivery attempt not found' });
      await http().get('/v1/delivery-attempts/xyz').expect(404, { code: 2, message: 'invalid id' });
      const res = await http().get('/v1/delivery-attempts?success=maybe&delivery_id=1').expect(400);
      expect(res.body.details).toBe('delivery_id: must be a UUID; success: must be true or false.');
    });
  });
});
