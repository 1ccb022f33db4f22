import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';

describe('POST /v1/deliveries/redeliver', () => {
  const f = ApiFixture.use({}, { withHook: true });

  /** `count` deliveries of the fixture's webhook (or `webhookId`) in `status`, payloads `<tag>-<n>`. */
  const seed = async (
    count: number,
    status: string,
    tag: string,
    webhookId = f.hookId,
  ): Promise<void> => {
    await f.db.dataSource.query(
      `INSERT INTO deliveries (id, webhook_id, payload, scheduled_at, status, delivery_attempts)
       SELECT gen_random_uuid(), $1, $2 || '-' || n, now(), $3, 5 FROM generate_series(1, $4) n`,
      [webhookId, tag, status, count],
    );
  };
  const pendingCopies = async (tag: string): Promise<string[]> =>
    (
      await f.db.dataSource.query<{ payload: string }[]>(
        `SELECT payload FROM deliveries WHERE status = 'pending' AND payload LIKE $1 || '-%'
         ORDER BY payload`,
        [tag],
      )
    ).map((r) => r.payload);

  it('counts with dry_run (200, nothing made), then makes one pending copy per failed delivery (202)', async () => {
    await seed(7, 'failed', 'f');
    await seed(3, 'succeeded', 's');
    const dry = await f.http().post('/v1/deliveries/redeliver').send({ dry_run: true }).expect(200);
    expect(dry.body).toEqual({ count: 7 });
    expect(await pendingCopies('f')).toEqual([]);

    const real = await f.http().post('/v1/deliveries/redeliver').send({}).expect(202);
    expect(real.body).toEqual({ count: 7 });
    expect(await pendingCopies('f')).toEqual(
      Array.from({ length: 7 }, (_, n) => `f-${n + 1}`).sort(),
    );
    const [{ attempts }] = await f.db.dataSource.query<{ attempts: number }[]>(
      `SELECT max(delivery_attempts)::int AS attempts FROM deliveries WHERE status = 'pending'`,
    );
    expect(attempts).toBe(0);
    // The failed ones stay as they were; succeeded ones were not matched.
    expect(await pendingCopies('s')).toEqual([]);
    const again = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .send({ status: 'succeeded' })
      .expect(202);
    expect(again.body).toEqual({ count: 3 });
  });

  it('narrows by webhook, event type and creation time', async () => {
    const other = (await f.createWebhook({ ...RECEIVER_HOOK, name: 'other' })).id as string;
    await seed(2, 'failed', 'mine');
    await seed(4, 'failed', 'theirs', other);
    await f.db.dataSource.query(
      `UPDATE deliveries SET created_at = '2020-01-01T00:00:00Z' WHERE payload = 'theirs-1'`,
    );
    const count = async (body: object): Promise<number> =>
      (
        await f
          .http()
          .post('/v1/deliveries/redeliver')
          .send({ ...body, dry_run: true })
          .expect(200)
      ).body.count as number;
    expect(await count({ webhook_id: f.hookId })).toBe(2);
    expect(await count({ webhook_id: other })).toBe(4);
    expect(await count({ webhook_id: other, created_before: '2021-01-01T00:00:00Z' })).toBe(1);
    expect(await count({ created_after: '2021-01-01T00:00:00+01:00' })).toBe(5);
    expect(await count({ event_type: 'order.created' })).toBe(0);
    // An event's deliveries keep their event when sent again.
    const event = (
      await f
        .http()
        .post('/v1/events')
        .send({ event_type: 'order.created', payload: 'e' })
        .expect(201)
    ).body;
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'failed' WHERE event_id = $1`, [
      event.id,
    ]);
    expect(
      (
        await f
          .http()
          .post('/v1/deliveries/redeliver')
          .send({ event_type: 'order.created' })
          .expect(202)
      ).body,
    ).toEqual({ count: 2 });
    const copies = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending' AND event_id = $1 AND event_type = 'order.created'`,
      [event.id],
    );
    expect(copies[0].n).toBe(2);
  });

  it('refuses more than 100,000 matches with 400 code 4, creating nothing', async () => {
    await seed(100_001, 'failed', 'many');
    const res = await f.http().post('/v1/deliveries/redeliver').send({}).expect(400);
    expect(res.body).toEqual({
      code: 4,
      message: 'request validation failed',
      details:
        'filter: matches more than 100000 deliveries; narrow it with webhook_id, event_type, created_after or created_before.',
    });
    expect(await pendingCopies('many')).toEqual([]);
    await f.db.dataSource.query(`DELETE FROM deliveries WHERE payload = 'many-1'`);
    expect(
      (await f.http().post('/v1/deliveries/redeliver').send({ dry_run: true }).expect(200)).body,
    ).toEqual({ count: 100_000 });
  });

  it.each([
    [{ status: 'done' }, /^status: must be one of/],
    [{ webhook_id: 'nope' }, /^webhook_id: must be a UUID/],
    [{ event_type: 'a..b' }, /^event_type: /],
    [{ created_after: 'yesterday' }, /^created_after: /],
    [{ dry_run: 'yes' }, /^dry_run: must be true or false/],
    [{ payload: '{}' }, /^payload: /],
  ])('refuses %j with 400 code 4', async (body, details) => {
    const res = await f.http().post('/v1/deliveries/redeliver').send(body).expect(400);
    expect(res.body).toMatchObject({ code: 4, details: expect.stringMatching(details) });
  });

  it('takes an Idempotency-Key: a replay keeps its status and creates nothing more', async () => {
    await seed(4, 'failed', 'idem');
    const first = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .set('Idempotency-Key', 'bulk-1')
      .send({})
      .expect(202);
    const again = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .set('Idempotency-Key', 'bulk-1')
      .send({})
      .expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await pendingCopies('idem')).toHaveLength(4);
    const dry = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .set('Idempotency-Key', 'bulk-dry')
      .send({ dry_run: true })
      .expect(200);
    const dryAgain = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .set('Idempotency-Key', 'bulk-dry')
      .send({ dry_run: true })
      .expect(200);
    expect(dryAgain.text).toBe(dry.text);
  });
});
