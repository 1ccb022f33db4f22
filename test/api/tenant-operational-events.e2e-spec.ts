import { ApiFixture } from '../helpers/api-fixture';
import { eventually } from '../helpers/wait';
import { useReceiverAndWorker } from '../helpers/worker';

interface Payload {
  type: string;
  data: Record<string, unknown>;
}

/**
 * §11: operational events (§7) are published without a tenant, to the platform's own
 * webhooks; their `data` names the webhook's tenant. A tenant's webhook subscribed to
 * `postmand.*` hears nothing of them: its endpoint never learns another's state.
 */
describe('operational events of a tenant’s webhook (§11)', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  const io = useReceiverAndWorker(() => f.db);

  const hook = async (path: string, tenantId: string | null, extra: object = {}) =>
    (
      await f.createWebhook({
        name: `hook ${path}`,
        url: `${io.receiver.url}/${path}`,
        content_type: 'application/json',
        valid_status_codes: [200],
        tenant_id: tenantId,
        ...extra,
      })
    ).id as string;

  it('are the platform’s, and carry tenant_id in their data', async () => {
    await http().put('/v1/tenants/acme').send({}).expect(201);
    const platformOps = await hook('platform-ops', null, { event_types: ['postmand.*'] });
    const tenantOps = await hook('tenant-ops', 'acme', { event_types: ['postmand.*'] });
    // Answers 410 Gone on its one attempt: disabled at once, and the delivery failed for good.
    const gone = await hook('gone', 'acme', { max_delivery_attempts: 1 });
    io.receiver.respond = (req, res) => {
      res.writeHead(req.url === '/gone' ? 410 : 200).end();
    };
    const delivery = (
      await http().post('/v1/deliveries').send({ webhook_id: gone, payload: '{}' }).expect(201)
    ).body as Record<string, any>;

    // A tenant's webhook passes the private-network guard (§16): the receiver is local.
    await io.startWorker({ POSTMAND_ALLOWED_NETWORKS: '127.0.0.0/8' });
    const events = await eventually(async () => {
      const list = (await http().get('/v1/events?limit=10').expect(200)).body.events as Record<
        string,
        any
      >[];
      return list.length >= 2 ? list : undefined;
    });
    const byType = new Map(events.map((e) => [e.event_type as string, e]));
    expect([...byType.keys()].sort()).toEqual([
      'postmand.delivery.failed',
      'postmand.webhook.disabled',
    ]);
    for (const e of events) {
      expect(e.tenant_id).toBeNull();
      const payload = JSON.parse(e.payload as string) as Payload;
      expect(payload.data).toMatchObject({ webhook_id: gone, tenant_id: 'acme' });
      // Fanned out to the platform's postmand.* webhook only.
      const deliveries = (await http().get(`/v1/deliveries?event_id=${e.id}`).expect(200)).body
        .deliveries as Record<string, any>[];
      expect(deliveries.map((d) => [d.webhook_id, d.tenant_id])).toEqual([[platformOps, null]]);
    }
    expect(
      (JSON.parse(byType.get('postmand.delivery.failed')!.payload as string) as Payload).data,
    ).toMatchObject({ delivery_id: delivery.id, attempts: 1 });
    const toTenant = await f.db.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM deliveries WHERE webhook_id = $1',
      [tenantOps],
    );
    expect(toTenant[0].n).toBe(0);
  });
});
