import { ApiFixture } from '../helpers/api-fixture';
import { until } from '../helpers/wait';
import { useReceiverAndWorker } from '../helpers/worker';

/**
 * §11: "Delivery gains the read-only tenant_id of its webhook", and so does each attempt:
 * every way a delivery is written (direct, fan-out, redeliver, bulk redeliver) and every
 * attempt the real worker records, sent to a real local receiver.
 */
describe('deliveries and attempts carry their webhook’s tenant (§11)', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const io = useReceiverAndWorker(() => f.db);

  const hook = async (tenantId: string | null): Promise<string> =>
    (
      await f.createWebhook({
        name: `hook ${tenantId}`,
        url: `${io.receiver.url}/hook`,
        content_type: 'application/json',
        valid_status_codes: [200],
        tenant_id: tenantId,
      })
    ).id as string;
  const deliver = async (webhookId: string) =>
    (await http().post('/v1/deliveries').send({ webhook_id: webhookId, payload: '{}' }).expect(201))
      .body as Record<string, any>;

  it('every way a delivery is made, and every attempt the worker records', async () => {
    await http().put('/v1/tenants/acme').send({}).expect(201);
    const mine = await hook('acme');
    const own = await hook(null);

    const direct = await deliver(mine);
    expect(direct.tenant_id).toBe('acme');
    expect((await deliver(own)).tenant_id).toBeNull();

    const event = await http()
      .post('/v1/events')
      .send({ event_type: 'order.created', payload: '{}', tenant_id: 'acme' })
      .expect(201);
    const fanned = (await http().get(`/v1/deliveries?event_id=${event.body.id}`).expect(200)).body
      .deliveries as Record<string, any>[];
    expect(fanned.map((d) => [d.webhook_id, d.tenant_id])).toEqual([[mine, 'acme']]);

    const again = await http().post(`/v1/deliveries/${direct.id}/redeliver`).expect(201);
    expect(again.body).toMatchObject({ webhook_id: mine, tenant_id: 'acme' });
    const bulk = await http()
      .post('/v1/deliveries/redeliver')
      .send({ webhook_id: mine, status: 'pending' })
      .expect(202);
    expect(bulk.body).toEqual({ count: 3 });

    // GET and the list show it too.
    expect((await http().get(`/v1/deliveries/${direct.id}`).expect(200)).body.tenant_id).toBe(
      'acme',
    );

    // A tenant's webhook passes the private-network guard (§16): the receiver is local.
    await io.startWorker({ POSTMAND_ALLOWED_NETWORKS: '127.0.0.0/8' });
    const count = async (sql: string): Promise<number> =>
      (await f.db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n ${sql}`))[0].n;
    // 2 direct, 1 fanned out, 1 redelivered, 3 bulk-redelivered: 7 deliveries, 6 of acme.
    await until(
      async () => (await count(`FROM deliveries WHERE status = 'succeeded'`)) === 7,
      60_000,
      'every delivery sent',
    );
    expect(io.receiver.requests).toHaveLength(7);

    const attempts = (await http().get('/v1/delivery-attempts?limit=100').expect(200)).body
      .delivery_attempts as Record<string, any>[];
    expect(attempts).toHaveLength(7);
    for (const a of attempts) expect(a.tenant_id).toBe(a.webhook_id === mine ? 'acme' : null);
    expect(attempts.filter((a) => a.tenant_id === 'acme')).toHaveLength(6);
    const got = await http().get(`/v1/delivery-attempts/${attempts[0].id}`).expect(200);
    expect(got.body.tenant_id).toBe(attempts[0].tenant_id);

    // In the tables, each row's tenant is its webhook's.
    expect(
      await count(`FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                   WHERE d.tenant_id IS DISTINCT FROM w.tenant_id`),
    ).toBe(0);
    expect(
      await count(`FROM delivery_attempts a JOIN webhooks w ON w.id = a.webhook_id
                   WHERE a.tenant_id IS DISTINCT FROM w.tenant_id`),
    ).toBe(0);
  });
});
