import { IdempotencyService, idempotencyLockKey } from '@app/domain';
import { Client } from 'pg';
import { ApiFixture, RECEIVER_HOOK, VALID_WEBHOOK } from '../helpers/api-fixture';

describe('Idempotency-Key', () => {
  const f = ApiFixture.use({}, { withHook: true });

  const count = async (table: string): Promise<number> =>
    (await f.db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  /** Each create, with a body that works and one that differs. */
  const creates = (): [string, string, object, object][] => [
    ['webhook', '/v1/webhooks', VALID_WEBHOOK, { ...VALID_WEBHOOK, name: 'another' }],
    [
      'delivery',
      '/v1/deliveries',
      { webhook_id: f.hookId, payload: '{"a":1}' },
      { webhook_id: f.hookId, payload: '{"a":2}' },
    ],
    [
      'event',
      '/v1/events',
      { event_type: 'a.b', payload: '1' },
      { event_type: 'a.b', payload: '2' },
    ],
  ];

  it('replays the first response byte for byte, creating nothing more', async () => {
    for (const [name, path, body, other] of creates()) {
      const key = `key-for-${name}`;
      const first = await f.http().post(path).set('Idempotency-Key', key).send(body).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const tables = { webhook: 'webhooks', delivery: 'deliveries', event: 'events' } as const;
      const before = await count(tables[name as keyof typeof tables]);
      const again = await f.http().post(path).set('Idempotency-Key', key).send(body).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(first.text);
      expect(again.headers['content-type']).toBe(first.headers['content-type']);
      expect(await count(tables[name as keyof typeof tables])).toBe(before);

      // Another request with the key: 422 code 11, nothing created.
      const reused = await f.http().post(path).set('Idempotency-Key', key).send(other).expect(422);
      expect(reused.body).toEqual({
        code: 11,
        message: 'idempotency key reused with a different request',
      });
      expect(await count(tables[name as keyof typeof tables])).toBe(before);
      // The same body on another path is another request too.
      if (path !== '/v1/events') {
        await f.http().post('/v1/events').set('Idempotency-Key', key).send(body).expect(422);
      }
    }
  });

  it('covers redeliver, whose replay is the first redelivery', async () => {
    const delivery = await f.createDelivery();
    const path = `/v1/deliveries/${delivery.id}/redeliver`;
    const first = await f.http().post(path).set('Idempotency-Key', 'r1').expect(201);
    const again = await f.http().post(path).set('Idempotency-Key', 'r1').expect(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count('deliveries')).toBe(2);
  });

  it('stores nothing for a failed request: the fixed request may reuse the key', async () => {
    const missing = { ...RECEIVER_HOOK, name: 'x' }; // too short a name: 400
    await f.http().post('/v1/webhooks').set('Idempotency-Key', 'fix-me').send(missing).expect(400);
    const unknownHook = { webhook_id: '00000000-0000-4000-8000-000000000000', payload: '{}' };
    await f
      .http()
      .post('/v1/deliveries')
      .set('Idempotency-Key', 'fix-me-too')
      .send(unknownHook)
      .expect(404);
    expect(await count('idempotency_keys')).toBe(0);
    await f
      .http()
      .post('/v1/webhooks')
      .set('Idempotency-Key', 'fix-me')
      .send(RECEIVER_HOOK)
      .expect(201);
    await f
      .http()
      .post('/v1/deliveries')
      .set('Idempotency-Key', 'fix-me-too')
      .send({ webhook_id: f.hookId, payload: '{}' })
      .expect(201);
    expect(await count('idempotency_keys')).toBe(2);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'my key'],
    ['not ASCII', 'clé'],
  ])('refuses a key that is %s with 400 code 4 naming Idempotency-Key', async (_, key) => {
    const res = await f
      .http()
      .post('/v1/events')
      .set('Idempotency-Key', key)
      .send({ event_type: 'a', payload: '1' })
      .expect(400);
    expect(res.body).toEqual({
      code: 4,
      message: 'request validation failed',
      details: 'Idempotency-Key: must be 1 to 255 visible ASCII characters.',
    });
    expect(await count('events')).toBe(0);
  });

  it('takes a key of 255 visible characters', async () => {
    const key = '!~'.repeat(127) + 'z';
    await f
      .http()
      .post('/v1/events')
      .set('Idempotency-Key', key)
      .send({ event_type: 'a', payload: '1' })
      .expect(201);
  });

  it('answers 409 code 12 while the key is being processed elsewhere, whatever the body', async () => {
    // Another API process holding the key's lock, as it does for a request in flight.
    const other = new Client({ connectionString: f.db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [idempotencyLockKey('', 'busy')]);
      for (const body of [{ event_type: 'a', payload: '1' }, { nonsense: true }]) {
        const res = await f
          .http()
          .post('/v1/events')
          .set('Idempotency-Key', 'busy')
          .send(body)
          .expect(409);
        expect(res.body).toEqual({
          code: 12,
          message: 'a request with this idempotency key is in progress',
        });
      }
      await other.query('SELECT pg_advisory_unlock_all()');
      await f
        .http()
        .post('/v1/events')
        .set('Idempotency-Key', 'busy')
        .send({ event_type: 'a', payload: '1' })
        .expect(201);
    } finally {
      await other.end();
    }
  });

  it('forgets a key once its time to live is over', async () => {
    const body = { event_type: 'a', payload: '1' };
    const first = await f
      .http()
      .post('/v1/events')
      .set('Idempotency-Key', 'old')
      .send(body)
      .expect(201);
    await f.db.dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 ms'`);
    const fresh = await f
      .http()
      .post('/v1/events')
      .set('Idempotency-Key', 'old')
      .send(body)
      .expect(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.body.id).not.toBe(first.body.id);
    expect(await count('events')).toBe(2);
    // …and keeps the new response for the TTL (86400 s by default).
    const [{ ttl }] = await f.db.dataSource.query<{ ttl: number }[]>(
      `SELECT round(extract(epoch FROM expires_at - created_at))::int AS ttl FROM idempotency_keys`,
    );
    expect(ttl).toBe(86_400);
  });

  it('purges expired keys in batches, keeping the live ones', async () => {
    await f.db.dataSource.query(
      `INSERT INTO idempotency_keys (key, fingerprint, status, body, expires_at)
       SELECT 'k' || n, '\\x00', 201, '{}', now() + (CASE WHEN n <= 5 THEN -1 ELSE 1 END) * interval '1 hour'
       FROM generate_series(1, 8) AS n`,
    );
    expect(await f.api.app.get(IdempotencyService).purgeExpired(2)).toBe(5);
    const left = await f.db.dataSource.query<{ key: string }[]>(
      'SELECT key FROM idempotency_keys ORDER BY key',
    );
    expect(left.map((r) => r.key)).toEqual(['k6', 'k7', 'k8']);
  });

  it('is not taken by GET or PUT, which simply ignore it', async () => {
    await f.http().get('/v1/events').set('Idempotency-Key', 'ignored').expect(200);
    const put = (name: string) =>
      f
        .http()
        .put(`/v1/webhooks/${f.hookId}`)
        .set('Idempotency-Key', 'ignored')
        .send({ ...RECEIVER_HOOK, name })
        .expect(200);
    expect((await put('first')).body.name).toBe('first');
    // The same key again with another body: applied, not a replay of the first.
    const second = await put('second');
    expect(second.body.name).toBe('second');
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('idempotency_keys')).toBe(0);
  });
});
