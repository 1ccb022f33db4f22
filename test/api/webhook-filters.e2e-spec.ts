import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';
import { seedTenant } from '../helpers/tenant-seed';

/** Subscription filters (§15) on the real API: decided by which webhooks an event reaches. */
describe('webhook filters', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const post = async (path: string, body: object): Promise<Record<string, any>> =>
    (await http().post(path).send(body).expect(201)).body;
  const hook = (filter: unknown, extra: object = {}) =>
    post('/v1/webhooks', { ...RECEIVER_HOOK, filter, ...extra });
  const publish = (payload: string, extra: object = {}) =>
    post('/v1/events', { event_type: 'order.created', payload, ...extra });
  /** The webhooks that got a delivery of the event. */
  const reached = async (eventId: string): Promise<string[]> =>
    (
      await f.db.dataSource.query<{ webhook_id: string }[]>(
        `SELECT webhook_id FROM deliveries WHERE event_id = $1 ORDER BY webhook_id`,
        [eventId],
      )
    ).map((r) => r.webhook_id);

  const PAYLOAD = JSON.stringify({
    data: {
      tier: 'gold',
      amount: 150,
      tags: ['vip', 'eu'],
      items: [{ sku: 'A1' }],
      note: null,
      code: '1',
      name: 'Émile',
    },
    '0': 'zero-key',
  });

  /** Each filter, and whether PAYLOAD matches it. */
  const CASES: [string, unknown, boolean][] = [
    ['no filter', null, true],
    ['the empty filter', {}, true],
    ['a scalar that equals', { 'data.tier': 'gold' }, true],
    ['a scalar that does not', { 'data.tier': 'silver' }, false],
    ['$eq', { 'data.tier': { $eq: 'gold' } }, true],
    ['$neq on an equal value', { 'data.tier': { $neq: 'gold' } }, false],
    ['$neq on nothing', { 'data.missing': { $neq: 'gold' } }, true],
    ['$gt', { 'data.amount': { $gt: 100 } }, true],
    ['$gt on an equal number', { 'data.amount': { $gt: 150 } }, false],
    ['$gte', { 'data.amount': { $gte: 150 } }, true],
    ['$lt', { 'data.amount': { $lt: 150 } }, false],
    ['$gt of a string on a number', { 'data.amount': { $gt: '100' } }, false],
    ['$gt by code point (É after Z)', { 'data.name': { $gt: 'Z' } }, true],
    ['$lt by code point (g after G)', { 'data.tier': { $lt: 'Gold' } }, false],
    ['$gt on nothing', { 'data.missing': { $gt: 0 } }, false],
    ['$in', { 'data.tier': { $in: ['gold', 'platinum'] } }, true],
    ['$nin', { 'data.tier': { $nin: ['gold', 'platinum'] } }, false],
    ['$in on nothing', { 'data.missing': { $in: ['x'] } }, false],
    ['$nin on nothing', { 'data.missing': { $nin: ['x'] } }, true],
    ['$contains', { 'data.tags': { $contains: 'vip' } }, true],
    ['$contains of another', { 'data.tags': { $contains: 'us' } }, false],
    ['$contains on a string', { 'data.tier': { $contains: 'g' } }, false],
    ['a scalar against an array', { 'data.tags': 'vip' }, false],
    ['a digit segment on an array', { 'data.items.0.sku': 'A1' }, true],
    ['a digit segment out of range', { 'data.items.1.sku': { $exists: true } }, false],
    ['a digit segment on an object', { '0': 'zero-key' }, true],
    ['null equals null', { 'data.note': null }, true],
    ['nothing is not null', { 'data.missing': null }, false],
    ['$exists true', { 'data.note': { $exists: true } }, true],
    ['$exists false on nothing', { 'data.missing': { $exists: false } }, true],
    ['$exists true on nothing', { 'data.missing': { $exists: true } }, false],
    ['"1" is not 1', { 'data.code': 1 }, false],
    ['"1" is "1"', { 'data.code': '1' }, true],
    ['$or', { $or: [{ 'data.tier': 'silver' }, { 'data.amount': { $gte: 100 } }] }, true],
    ['$and', { $and: [{ 'data.tier': 'gold' }, { 'data.amount': { $lt: 100 } }] }, false],
    ['$not', { $not: { 'data.tier': 'gold' } }, false],
    ['every operator of an entry', { 'data.amount': { $gt: 100, $lt: 200, $nin: [0] } }, true],
    ['one operator of an entry failing', { 'data.amount': { $gt: 100, $lt: 120 } }, false],
  ];

  it('creates one delivery per matching webhook, and counts only those', async () => {
    const hooks: Record<string, any>[] = [];
    for (const [, filter] of CASES) hooks.push(await hook(filter));
    const event = await publish(PAYLOAD);
    const expected = hooks.filter((_, i) => CASES[i][2]).map((h) => h.id as string);
    const got = new Set(await reached(event.id as string));
    const wrong = CASES.filter(([, , match], i) => got.has(hooks[i].id as string) !== match);
    expect(wrong.map(([name]) => name)).toEqual([]);
    expect(event.delivery_count).toBe(expected.length);
  });

  it('compares numbers by value, however the payload writes them (150.0, 1.5e2)', async () => {
    const equal = await hook({ 'data.amount': 150 });
    const between = await hook({ 'data.amount': { $gte: 150, $lte: 150 } });
    const both = [equal.id, between.id].sort();
    for (const [text, expected] of [
      ['150.0', both],
      ['1.5e2', both],
      ['15E+1', both],
      ['150.5', []],
    ] as [string, string[]][]) {
      const event = await publish(`{"data":{"amount":${text}}}`);
      expect([text, await reached(event.id as string)]).toEqual([text, expected]);
    }
  });

  it('reaches no filtered webhook with a payload that is not a JSON object or array, or that jsonb cannot hold, and every unfiltered one', async () => {
    const plain = await hook(null);
    await hook({});
    await hook({ $not: { a: 1 } });
    // The last three are JSON objects that PostgreSQL's jsonb refuses (a \u0000 escape, a
    // lone surrogate, a number past numeric's range): §15 matches them with no filter.
    for (const payload of [
      'hello',
      '"a string"',
      '42',
      'null',
      '{"a":',
      '{"a":"\\u0000"}',
      '{"\\ud800":1}',
      '{"a":1e131072}',
    ]) {
      const event = await publish(payload);
      expect([payload, await reached(event.id as string)]).toEqual([payload, [plain.id]]);
      expect(event.delivery_count).toBe(1);
    }
  });

  it('matches each event of a shared statement on its own payload', async () => {
    const gold = await hook({ 'data.tier': 'gold' });
    const silver = await hook({ 'data.tier': 'silver' });
    // Concurrent publishes may share a statement (the repository batches those that wait).
    const tiers = Array.from({ length: 24 }, (_, i) => ['gold', 'silver', 'none', 'x'][i % 4]);
    const events = await Promise.all(
      tiers.map((tier) => publish(tier === 'x' ? 'not json' : JSON.stringify({ data: { tier } }))),
    );
    for (const [i, event] of events.entries()) {
      const expected = tiers[i] === 'gold' ? [gold.id] : tiers[i] === 'silver' ? [silver.id] : [];
      expect([tiers[i], await reached(event.id as string)]).toEqual([tiers[i], expected]);
      expect(event.delivery_count).toBe(expected.length);
    }
  });

  it('keeps the filter it is given; a PUT without it removes it; GET shows it', async () => {
    const filter = { 'data.tier': { $in: ['gold'] }, $not: { 'data.test': true } };
    const made = await hook(filter);
    expect(made.filter).toEqual(filter);
    expect((await http().get(`/v1/webhooks/${made.id}`).expect(200)).body.filter).toEqual(filter);
    const put = await http()
      .put(`/v1/webhooks/${made.id}`)
      .send({ ...made, filter: undefined })
      .expect(200);
    expect(put.body.filter).toBeNull();
    expect((await hook(undefined)).filter).toBeNull();
  });

  it('follows a filter changed by a PUT', async () => {
    const made = await hook({ 'data.tier': 'silver' });
    expect(await reached((await publish(PAYLOAD)).id as string)).toEqual([]);
    await http()
      .put(`/v1/webhooks/${made.id}`)
      .send({ ...made, filter: { 'data.tier': 'gold' } })
      .expect(200);
    expect(await reached((await publish(PAYLOAD)).id as string)).toEqual([made.id]);
  });

  it.each([
    ['an array', [], 'filter: must be null or a JSON object.'],
    [
      'an unknown operator',
      { 'data.tier': { $foo: 1 } },
      'filter: data.tier: unknown operator $foo.',
    ],
    ['a bad path', { 'data..tier': 1 }, 'filter: data..tier: is not a path'],
    ['a wrong operand', { a: { $in: 'x' } }, 'filter: a: $in needs an array of 1 to 100 scalars'],
    [
      '21 filters in an $or',
      { $or: Array.from({ length: 21 }, () => ({})) },
      'filter: $or: must be an array of 1 to 20 filters.',
    ],
    [
      'nesting 6 deep',
      { $not: { $not: { $not: { $not: { $not: { a: 1 } } } } } },
      'filter: $not.$not.$not.$not.$not: nests deeper than 5 filters.',
    ],
    [
      'a path of 10 segments of digits',
      { 'a.0.0.0.0.0.0.0.0.0.0': 1 },
      'filter: a.0.0.0.0.0.0.0.0.0.0: has more than 4 segments of digits',
    ],
    [
      'a compiled form too long',
      { $or: Array.from({ length: 20 }, (_, i) => ({ [`data.${i}.0.1.2.value`]: 'x' })) },
      'filter: compiles to more than 32768 characters',
    ],
    [
      'an integer past 2^53 − 1 (a double would round it)',
      { 'data.id': { $in: [1, 2 ** 53] } },
      'filter: data.id: $in must not hold an integer beyond ±9007199254740991',
    ],
    [
      'a path named constructor (the guard on every body)',
      { $or: [{ constructor: 1 }] },
      'filter.$or.0.constructor: is a key this API does not take',
    ],
    [
      'more than 4096 bytes',
      { a: 'x'.repeat(4090) },
      'filter: must be at most 4096 bytes as JSON (it is 4098).',
    ],
  ])('refuses %s with 400 code 4 naming filter', async (_, filter, details) => {
    for (const send of [
      () =>
        http()
          .post('/v1/webhooks')
          .send({ ...RECEIVER_HOOK, filter }),
      async () =>
        http()
          .put(`/v1/webhooks/${(await hook(null)).id}`)
          .send({ ...RECEIVER_HOOK, filter }),
    ]) {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 4 });
      expect(res.body.details).toContain(details);
    }
  });

  it('is ignored by direct deliveries and redeliveries', async () => {
    const never = await hook({ 'data.tier': 'never' });
    const direct = await post('/v1/deliveries', { webhook_id: never.id, payload: PAYLOAD });
    expect(direct.webhook_id).toBe(never.id);
    const made = await hook({ 'data.tier': 'gold' });
    const event = await publish(PAYLOAD);
    const [delivery] = await f.db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries WHERE event_id = $1`,
      [event.id],
    );
    await http()
      .put(`/v1/webhooks/${made.id}`)
      .send({ ...made, filter: { 'data.tier': 'never' } })
      .expect(200);
    const again = await post(`/v1/deliveries/${delivery.id}/redeliver`, {});
    expect(again).toMatchObject({ webhook_id: made.id, event_id: event.id });
  });

  it('applies to a tenant’s event among that tenant’s webhooks only, and a portal session sets it', async () => {
    await seedTenant(f.db.dataSource, post, 'tenant-a');
    await seedTenant(f.db.dataSource, post, 'tenant-b');
    const gold = await hook({ 'data.tier': 'gold' }, { tenant_id: 'tenant-a' });
    await hook({ 'data.tier': 'silver' }, { tenant_id: 'tenant-a' });
    await hook({ 'data.tier': 'gold' }, { tenant_id: 'tenant-b' });
    const platform = await hook({ 'data.tier': 'gold' });
    const token = (await post('/v1/tenants/tenant-a/portal-sessions', {})).token as string;
    const own = await http()
      .post('/v1/webhooks')
      .set({ authorization: `Bearer ${token}` })
      .send({ ...RECEIVER_HOOK, filter: { 'data.amount': { $gte: 100 } } })
      .expect(201);
    expect(own.body).toMatchObject({
      tenant_id: 'tenant-a',
      filter: { 'data.amount': { $gte: 100 } },
    });
    const event = await publish(PAYLOAD, { tenant_id: 'tenant-a' });
    // seedTenant's own webhooks take only their `<tenant>.seeded` type.
    expect(await reached(event.id as string)).toEqual([gold.id, own.body.id].sort());
    expect(event.delivery_count).toBe(2);
    expect(await reached((await publish(PAYLOAD)).id as string)).toEqual([platform.id]);
  });
});
