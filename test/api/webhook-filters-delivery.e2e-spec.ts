import { ApiFixture } from '../helpers/api-fixture';
import { until } from '../helpers/wait';
import { useReceiverAndWorker } from '../helpers/worker';

/** Filters (§15) end to end: the real API, the real worker, a real local receiver. */
describe('webhook filters, delivered', () => {
  const f = ApiFixture.use();
  const io = useReceiverAndWorker(() => f.db);

  const hook = async (path: string, filter: unknown) =>
    (
      await f.createWebhook({
        name: `hook ${path}`,
        url: `${io.receiver.url}/${path}`,
        content_type: 'application/json',
        valid_status_codes: [200],
        filter,
      })
    ).id as string;
  const publish = async (payload: object) =>
    (
      await f
        .http()
        .post('/v1/events')
        .send({ event_type: 'order.created', payload: JSON.stringify(payload) })
        .expect(201)
    ).body as Record<string, any>;

  it('sends each event to the webhooks whose filter it matches, and only those', async () => {
    await hook('gold', { 'data.tier': 'gold' });
    await hook('big', { 'data.amount': { $gte: 100 } });
    await hook('all', null);
    const gold = await publish({ data: { tier: 'gold', amount: 5 } });
    const big = await publish({ data: { tier: 'silver', amount: 500 } });
    expect([gold.delivery_count, big.delivery_count]).toEqual([2, 2]);

    await io.startWorker();
    await io.receiver.waitForRequests(4);
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries`,
    );
    // Every delivery there is has been sent: none can follow the four.
    expect(n).toBe(4);
    await until(async () => {
      const [{ pending }] = await f.db.dataSource.query<{ pending: number }[]>(
        `SELECT count(*)::int AS pending FROM deliveries WHERE status <> 'succeeded'`,
      );
      return pending === 0;
    });
    const got = io.receiver.requests
      .map((r) => `${r.url} ${r.headers['x-postmand-event-id'] as string}`)
      .sort();
    expect(got).toEqual(
      [`/all ${gold.id}`, `/all ${big.id}`, `/big ${big.id}`, `/gold ${gold.id}`].sort(),
    );
  });
});
