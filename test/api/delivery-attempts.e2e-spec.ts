import { randomUUID } from 'node:crypto';
import { ApiFixture } from '../helpers/api-fixture';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOOK = {
  name: 'receiver',
  url: 'http://127.0.0.1:9/hook',
  content_type: 'application/json',
  valid_status_codes: [200],
};

describe('/v1/delivery-attempts', () => {
  const f = ApiFixture.use();
  let hookId: string;
  beforeEach(async () => {
    hookId = (await f.http().post('/v1/webhooks').send(HOOK).expect(201)).body.id;
  });

  const createDelivery = async (body: object = {}): Promise<Record<string, any>> =>
    (
      await f
        .http()
        .post('/v1/deliveries')
        .send({ webhook_id: hookId, payload: '{"success": true}', ...body })
        .expect(201)
    ).body;

  const insertAttempt = async (deliveryId: string, success: boolean): Promise<string> => {
    const [row] = await f.db.dataSource.query<{ id: string }[]>(
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

  describe('delivery attempts', () => {
    it('gets one and lists with filters', async () => {
      const d1 = await createDelivery();
      const d2 = await createDelivery();
      const failed = await insertAttempt(d1.id, false);
      const ok = await insertAttempt(d1.id, true);
      const other = await insertAttempt(d2.id, true);

      const got = (await f.http().get(`/v1/delivery-attempts/${ok}`).expect(200)).body;
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

      const list = (await f.http().get('/v1/delivery-attempts').expect(200)).body;
      expect(list).toMatchObject({ limit: 50, offset: 0 });
      expect(list.delivery_attempts).toHaveLength(3);
      const ids = async (query: string): Promise<string[]> =>
        (await f.http().get(`/v1/delivery-attempts?${query}`).expect(200)).body.delivery_attempts
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
