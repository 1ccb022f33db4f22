import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';

describe('GET /v1/deliveries', () => {
  const f = ApiFixture.use({ POSTMAND_MAX_PAYLOAD_BYTES: '1024' }, { withHook: true });

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
      await f.db.dataSource.query(
        `INSERT INTO deliveries (id, webhook_id, payload) VALUES (gen_random_uuid(), $1, $2)`,
        [f.hookId, payload],
      );
      await new Promise((resolve) => setTimeout(resolve, 2)); // distinct created_at
    }
    const res = await f.http().get('/v1/deliveries?limit=10').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const listed = res.body.deliveries as Record<string, unknown>[];
    expect(listed.map((d) => d.payload)).toEqual([...payloads].reverse());
    for (const delivery of listed) {
      const one = await f
        .http()
        .get(`/v1/deliveries/${delivery.id as string}`)
        .expect(200);
      expect(delivery).toEqual(one.body);
    }
    // Byte for byte what res.json writes for the same object.
    expect(res.text).toBe(JSON.stringify(res.body));
  });

  it('lists newest first with filters and paging', async () => {
    const other = (
      await f
        .http()
        .post('/v1/webhooks')
        .send({ ...RECEIVER_HOOK, name: 'other' })
        .expect(201)
    ).body.id;
    const a = await f.createDelivery();
    const b = await f.createDelivery({ webhook_id: other });
    const c = await f.createDelivery();
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'succeeded' WHERE id = $1`, [c.id]);

    const all = (await f.http().get('/v1/deliveries').expect(200)).body;
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

    const page = (await f.http().get('/v1/deliveries?limit=1&offset=1').expect(200)).body;
    expect(page.deliveries.map((d: { id: string }) => d.id)).toEqual([expected[1]]);

    const ids = async (query: string): Promise<string[]> =>
      (await f.http().get(`/v1/deliveries?${query}`).expect(200)).body.deliveries
        .map((d: { id: string }) => d.id)
        .sort();
    expect(await ids(`webhook_id=${f.hookId}`)).toEqual([a.id, c.id].sort());
    expect(await ids(`webhook_id=${f.hookId}&status=pending`)).toEqual([a.id]);
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
    const res = await f.http().get(`/v1/deliveries?${query}`).expect(400);
    expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
  });
});
