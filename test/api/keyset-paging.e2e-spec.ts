import { ApiFixture, VALID_WEBHOOK } from '../helpers/api-fixture';

type Item = Record<string, any>;

/**
 * SPEC §8's keyset paging: every list walks with `after` / `next_cursor` through the same
 * items, in the same order, as `offset` does, filters included.
 */
describe('keyset paging (after / next_cursor)', () => {
  const f = ApiFixture.use({}, { withHook: true });

  /** Every item of `path` (a list URL with its filters), `limit` at a time, by cursor. */
  const walk = async (path: string, key: string, limit: number): Promise<Item[]> => {
    const items: Item[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const sep = path.includes('?') ? '&' : '?';
      const url: string = `${path}${sep}limit=${limit}${after ? `&after=${after}` : ''}`;
      const body: Item = (await f.http().get(url).expect(200)).body;
      expect(body.offset).toBe(0);
      expect(body.limit).toBe(limit);
      expect(body[key].length).toBeLessThanOrEqual(limit);
      items.push(...body[key]);
      after = body.next_cursor;
      if (after === null) return items;
      expect(body[key].length).toBe(limit);
    }
    throw new Error('no end to the pages');
  };
  const all = async (path: string, key: string): Promise<Item[]> =>
    (
      await f
        .http()
        .get(`${path}${path.includes('?') ? '&' : '?'}limit=1000`)
        .expect(200)
    ).body[key];

  it('walks deliveries, attempts and events page by page as offset lists them, with filters', async () => {
    const other = (await f.createWebhook({ ...VALID_WEBHOOK, name: 'other' })).id as string;
    // Same-millisecond rows are ordered by id: several share created_at here.
    await f.db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, created_at, status)
       SELECT CASE WHEN g % 3 = 0 THEN $2::uuid ELSE $1::uuid END, '{"n":' || g || '}',
              now() - make_interval(secs => (g / 4)::int),
              CASE WHEN g % 5 = 0 THEN 'failed' ELSE 'pending' END
       FROM generate_series(1, 53) g`,
      [f.hookId, other],
    );
    await f.db.dataSource.query(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, created_at)
       SELECT webhook_id, id, 'POST / HTTP/1.1', '', 0, 1, status <> 'failed', created_at
       FROM deliveries`,
    );
    for (let i = 0; i < 12; i++) {
      await f
        .http()
        .post('/v1/events')
        .send({ event_type: 'order.created', payload: '{}' })
        .expect(201);
    }
    for (const [path, key] of [
      ['/v1/deliveries', 'deliveries'],
      [`/v1/deliveries?webhook_id=${other}`, 'deliveries'],
      [`/v1/deliveries?status=failed`, 'deliveries'],
      ['/v1/delivery-attempts', 'delivery_attempts'],
      ['/v1/delivery-attempts?success=false', 'delivery_attempts'],
      ['/v1/events', 'events'],
      ['/v1/webhooks', 'webhooks'],
    ]) {
      const expected = await all(path, key);
      expect(expected.length).toBeGreaterThan(1);
      for (const limit of [1, 4, 50]) {
        expect(await walk(path, key, limit)).toEqual(expected);
      }
    }
  });

  it('gives next_cursor with offset paging too, and null on the last page', async () => {
    for (let i = 0; i < 5; i++) await f.createDelivery();
    const first = (await f.http().get('/v1/deliveries?limit=2&offset=1').expect(200)).body;
    expect(first.next_cursor).toEqual(expect.any(String));
    const next = (
      await f.http().get(`/v1/deliveries?limit=2&after=${first.next_cursor}`).expect(200)
    ).body;
    const byOffset = (await f.http().get('/v1/deliveries?limit=2&offset=3').expect(200)).body;
    expect(next.deliveries).toEqual(byOffset.deliveries);
    const last = (await f.http().get('/v1/deliveries?limit=5').expect(200)).body;
    expect(last.next_cursor).toBeNull();
  });

  it.each([
    ['a cursor that is not one', 'after=not-a-cursor!', 'is not a cursor of this list'],
    ['an empty cursor', 'after=', 'is not a cursor of this list'],
    ['a cursor of another list', 'after=WEBHOOKS', 'is not a cursor of this list'],
    ['after with offset', 'after=CURSOR&offset=0', 'cannot be combined with offset'],
  ])('refuses %s with code 4 naming after', async (_name, query, reason) => {
    await f.createWebhook({ ...VALID_WEBHOOK, name: 'zzz' });
    const webhooksCursor = (await f.http().get('/v1/webhooks?limit=1').expect(200)).body
      .next_cursor as string;
    await f.createDelivery();
    await f.createDelivery();
    const cursor = (await f.http().get('/v1/deliveries?limit=1').expect(200)).body
      .next_cursor as string;
    const q = query.replace('WEBHOOKS', webhooksCursor).replace('CURSOR', cursor);
    const res = await f.http().get(`/v1/deliveries?${q}`).expect(400);
    expect(res.body).toEqual({
      code: 4,
      message: 'request validation failed',
      details: expect.stringContaining(`after: ${reason}`),
    });
  });

  /** A cursor as the API writes one (base64url of `[list, ...key]`), with a key of our own. */
  const craft = (list: string, ...key: string[]): string =>
    Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
  const ID = '8a0d1f4e-8c2a-4b9e-9f43-0d6f2c1b7a55';
  const TIMES = [
    ['year 0', '0000-01-01T00:00:00.000Z'],
    ['a negative year', '-000001-01-01T00:00:00.000Z'],
    ['a year past 9999', '+010000-01-01T00:00:00.000Z'],
    ['the largest time', '+275760-09-13T00:00:00.000Z'],
  ];

  it.each([
    ...TIMES.map(([name, time]) => [
      `deliveries, ${name}`,
      '/v1/deliveries',
      craft('deliveries', time, ID),
    ]),
    ...TIMES.map(([name, time]) => [
      `delivery attempts, ${name}`,
      '/v1/delivery-attempts',
      craft('delivery_attempts', time, ID),
    ]),
    ...TIMES.map(([name, time]) => [`events, ${name}`, '/v1/events', craft('events', time, ID)]),
    ['webhooks, a NUL in the name', '/v1/webhooks', craft('webhooks', 'a\u0000b', ID)],
    ['webhooks, a lone surrogate in the name', '/v1/webhooks', craft('webhooks', 'a\ud800', ID)],
  ])(
    'refuses a crafted cursor (%s) with code 4 naming after, not a 500',
    async (_n, path, after) => {
      const res = await f.http().get(`${path}?after=${after}`);
      expect([res.status, res.body]).toEqual([
        400,
        {
          code: 4,
          message: 'request validation failed',
          details: 'after: is not a cursor of this list (use the next_cursor of one of its pages).',
        },
      ]);
    },
  );

  it('takes a crafted cursor at the edges of what the database stores', async () => {
    for (const [path, list] of [
      ['/v1/deliveries', 'deliveries'],
      ['/v1/delivery-attempts', 'delivery_attempts'],
      ['/v1/events', 'events'],
    ]) {
      for (const time of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        await f
          .http()
          .get(`${path}?after=${craft(list, time, ID)}`)
          .expect(200);
      }
    }
    await f
      .http()
      .get(`/v1/webhooks?after=${craft('webhooks', 'é😀', ID)}`)
      .expect(200);
  });
});
