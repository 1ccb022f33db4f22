import { randomUUID } from 'node:crypto';
import { ApiFixture, ISO_MS } from '../helpers/api-fixture';

describe('/v1/delivery-attempts', () => {
  const f = ApiFixture.use({}, { withHook: true });

  describe('delivery attempts', () => {
    it('gets one and lists with filters', async () => {
      const d1 = await f.createDelivery();
      const d2 = await f.createDelivery();
      const failed = await f.insertAttempt(d1.id, false);
      const ok = await f.insertAttempt(d1.id, true);
      const other = await f.insertAttempt(d2.id, true);

      const got = (await f.http().get(`/v1/delivery-attempts/${ok}`).expect(200)).body;
      expect(got).toEqual({
        id: ok,
        webhook_id: f.hookId,
        tenant_id: null,
        delivery_id: d1.id,
        raw_request: 'POST /hook HTTP/1.1',
        raw_response: 'HTTP/1.1 200 OK\r\n\r\nok',
        response_status_code: 200,
        execution_duration: 35000,
        success: true,
        error: '',
        created_at: expect.stringMatching(ISO_MS),
      });

      const list = (await f.http().get('/v1/delivery-attempts').expect(200)).body;
      expect(list).toMatchObject({ limit: 50, offset: 0 });
      expect(list.delivery_attempts).toHaveLength(3);
      const ids = async (query: string): Promise<string[]> =>
        (await f.http().get(`/v1/delivery-attempts?${query}`).expect(200)).body.delivery_attempts
          .map((a: { id: string }) => a.id)
          .sort();
      expect(await ids(`delivery_id=${d1.id}`)).toEqual([failed, ok].sort());
      expect(await ids(`webhook_id=${f.hookId}&success=true`)).toEqual([ok, other].sort());
      expect(await ids('success=false')).toEqual([failed]);
      expect(await ids(`delivery_id=${d2.id}&success=false`)).toEqual([]);
      expect(
        await ids(`created_at.gt=${encodeURIComponent(got.created_at)}&delivery_id=${d1.id}`),
      ).not.toContain(ok);
    });

    it('answers unknown and malformed ids and bad filters', async () => {
      await f
        .http()
        .get(`/v1/delivery-attempts/${randomUUID()}`)
        .expect(404, { code: 7, message: 'delivery attempt not found' });
      await f
        .http()
        .get('/v1/delivery-attempts/xyz')
        .expect(404, { code: 2, message: 'invalid id' });
      const res = await f
        .http()
        .get('/v1/delivery-attempts?success=maybe&delivery_id=1')
        .expect(400);
      expect(res.body.details).toBe('delivery_id: must be a UUID; success: must be true or false.');
    });
  });
});
