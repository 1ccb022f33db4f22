import { randomUUID } from 'node:crypto';
import { ApiFixture, ISO_MS, RECEIVER_HOOK } from '../helpers/api-fixture';

describe('/v1/deliveries', () => {
  // A small limit keeps the 413 tests light.
  const f = ApiFixture.use({ POSTMAND_MAX_PAYLOAD_BYTES: '1024' }, { withHook: true });

  describe('deliveries', () => {
    it('creates a pending delivery due now', async () => {
      const res = await f
        .http()
        .post('/v1/deliveries')
        .send({ webhook_id: f.hookId, payload: '{"success": true}' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        webhook_id: f.hookId,
        tenant_id: null,
        event_id: null,
        event_type: null,
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
      const body = await f.createDelivery({
        payload,
        scheduled_at: '2031-01-02T03:04:05.678+01:00',
      });
      expect(body.scheduled_at).toBe('2031-01-02T02:04:05.678Z');
      const got = (await f.http().get(`/v1/deliveries/${body.id}`).expect(200)).body;
      expect(got.payload).toBe(payload);
    });

    it('answers an unknown webhook with 404 code 5', async () => {
      const res = await f
        .http()
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
      const res = await f
        .http()
        .post('/v1/deliveries')
        .send({ webhook_id: f.hookId, payload: 'x', ...override })
        .expect(400);
      expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
    });

    it('answers a payload over POSTMAND_MAX_PAYLOAD_BYTES with 413 code 8, counting UTF-8 bytes', async () => {
      await f.createDelivery({ payload: 'x'.repeat(1024) });
      const over = await f
        .http()
        .post('/v1/deliveries')
        .send({ webhook_id: f.hookId, payload: 'é'.repeat(513) }) // 1026 bytes, 513 characters
        .expect(413);
      expect(over.body).toMatchObject({ code: 8, message: 'payload too large' });
      const huge = await f
        .http()
        .post('/v1/deliveries')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ webhook_id: f.hookId, payload: 'x'.repeat(200_000) }))
        .expect(413);
      expect(huge.body).toMatchObject({ code: 8 });
      const [{ count }] = await f.db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM deliveries',
      );
      expect(count).toBe(1);
    });

    it('gets, redelivers and deletes, with codes 6 and 2 for unknown and malformed ids', async () => {
      const first = await f.createDelivery();
      await f.db.dataSource.query(
        `UPDATE deliveries SET status = 'failed', delivery_attempts = 5 WHERE id = $1`,
        [first.id],
      );
      const again = await f.http().post(`/v1/deliveries/${first.id}/redeliver`).expect(201);
      expect(again.body).toMatchObject({
        webhook_id: f.hookId,
        payload: first.payload,
        status: 'pending',
        delivery_attempts: 0,
      });
      expect(again.body.id).not.toBe(first.id);
      expect((await f.http().get(`/v1/deliveries/${first.id}`).expect(200)).body.status).toBe(
        'failed',
      );

      await f.insertAttempt(first.id, false);
      await f.http().delete(`/v1/deliveries/${first.id}`).expect(204);
      const [{ count }] = await f.db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM delivery_attempts WHERE delivery_id = $1',
        [first.id],
      );
      expect(count).toBe(0);
      const gone = { code: 6, message: 'delivery not found' };
      await f.http().get(`/v1/deliveries/${first.id}`).expect(404, gone);
      await f.http().delete(`/v1/deliveries/${first.id}`).expect(404, gone);
      await f.http().post(`/v1/deliveries/${first.id}/redeliver`).expect(404, gone);
      await f
        .http()
        .get('/v1/deliveries/not-a-uuid')
        .expect(404, { code: 2, message: 'invalid id' });
      await f
        .http()
        .post('/v1/deliveries/not-a-uuid/redeliver')
        .expect(404, { code: 2, message: 'invalid id' });
    });

    it('redelivers with no body or {}, and refuses a body with fields', async () => {
      const first = await f.createDelivery();
      await f.http().post(`/v1/deliveries/${first.id}/redeliver`).send({}).expect(201);
      const refused = await f
        .http()
        .post(`/v1/deliveries/${first.id}/redeliver`)
        .send({ webhook_id: f.hookId, payload: '{}' })
        .expect(400);
      expect(refused.body).toEqual({
        code: 4,
        message: 'request validation failed',
        details:
          'payload: is not a field of this request; webhook_id: is not a field of this request.',
      });
    });

    it("refuses creates that carry one of this database's own webhook-ids (a delivery loop)", async () => {
      const first = await f.createDelivery();
      const loop = {
        code: 4,
        message: 'request validation failed',
        details: 'webhook-id: delivery loop: this request is a delivery sent by this postmand.',
      };
      const own = first.id.toUpperCase() as string;
      await f
        .http()
        .post('/v1/deliveries')
        .set('webhook-id', own)
        .send({ webhook_id: f.hookId, payload: '{}' })
        .expect(400, loop);
      await f
        .http()
        .post(`/v1/deliveries/${first.id}/redeliver`)
        .set('webhook-id', first.id)
        .expect(400, loop);
      await f
        .http()
        .post('/v1/webhooks')
        .set('webhook-id', first.id)
        .send(RECEIVER_HOOK)
        .expect(400, loop);
      // Reads are harmless, and another postmand's deliveries are not ours.
      await f.http().get('/v1/deliveries').set('webhook-id', first.id).expect(200);
      await f
        .http()
        .post('/v1/deliveries')
        .set('webhook-id', '8f6f3c1e-0d5e-4b8a-9d0c-2b1a3c4d5e6f')
        .send({ webhook_id: f.hookId, payload: '{}' })
        .expect(201);
    });
  });
});
