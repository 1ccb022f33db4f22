import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';

/**
 * Filters (§15) under concurrent publishes: the batcher folds what arrives while its
 * statements are busy into one statement (up to 100 events), so each event of a batch must
 * still reach exactly the filtered webhooks its own payload matches.
 */
describe('webhook filters, concurrent publishes', () => {
  const f = ApiFixture.use();

  it('gives each event of a shared statement exactly its matching deliveries', async () => {
    const hooks: { id: string; tier: string | null; min: number }[] = [];
    for (const [tier, min] of [
      ['gold', 0],
      ['gold', 50],
      ['silver', 0],
      ['silver', 25],
      [null, 75],
    ] as [string | null, number][]) {
      const filter = {
        ...(tier === null ? {} : { 'data.tier': tier }),
        'data.amount': { $gte: min },
      };
      const w = (
        await f
          .http()
          .post('/v1/webhooks')
          .send({ ...RECEIVER_HOOK, filter })
          .expect(201)
      ).body as { id: string };
      hooks.push({ id: w.id, tier, min });
    }
    const plain = (await f.http().post('/v1/webhooks').send(RECEIVER_HOOK).expect(201)).body as {
      id: string;
    };
    const pad = 'x'.repeat(4000);
    const payloads = Array.from({ length: 80 }, (_, n) =>
      n % 10 === 9
        ? `not json ${n}`
        : JSON.stringify({ n, data: { tier: n % 2 ? 'gold' : 'silver', amount: n, pad } }),
    );
    const expected = payloads.map((payload, n) => {
      const ids = [plain.id];
      if (!payload.startsWith('not json')) {
        const tier = n % 2 ? 'gold' : 'silver';
        for (const h of hooks)
          if ((h.tier === null || h.tier === tier) && n >= h.min) ids.push(h.id);
      }
      return ids.sort();
    });

    const events = await Promise.all(
      payloads.map(
        async (payload) =>
          (
            await f
              .http()
              .post('/v1/events')
              .send({ event_type: 'order.created', payload })
              .expect(201)
          ).body as { id: string; delivery_count: number },
      ),
    );
    const rows = await f.db.dataSource.query<{ event_id: string; webhook_id: string }[]>(
      'SELECT event_id, webhook_id FROM deliveries ORDER BY webhook_id',
    );
    events.forEach((event, n) => {
      const got = rows.filter((r) => r.event_id === event.id).map((r) => r.webhook_id);
      expect({ n, got }).toEqual({ n, got: expected[n] });
      expect(event.delivery_count).toBe(expected[n].length);
    });
    expect(rows).toHaveLength(expected.reduce((sum, ids) => sum + ids.length, 0));
    // Fewer transactions than events: they shared statements.
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      'SELECT count(DISTINCT xmin::text)::int AS n FROM events',
    );
    expect(n).toBeLessThan(events.length);
  });
});
