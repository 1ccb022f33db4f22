import { standardVerifies } from '../helpers/signatures';
import { call, createWebhook, startStack, type StackWithWorker } from '../helpers/system';
import { until } from '../helpers/wait';

const SECRET = `whsec_${Buffer.from('event-types-secret-32-bytes-long').toString('base64')}`;

/**
 * §14 with real processes in `registered` mode: postmand's own operational events still
 * publish (they are not in any catalogue), and a test delivery is sent by a worker as any
 * delivery is, signed with the webhook's secret.
 */
describe('system: event types with a worker, POSTMAND_EVENT_TYPES=registered', () => {
  let stack: StackWithWorker;

  beforeAll(async () => {
    stack = await startStack({ env: { POSTMAND_EVENT_TYPES: 'registered' } });
    stack.receiver.respond = (req, res) =>
      res.writeHead(req.url.startsWith('/fail') ? 500 : 200).end('ok');
  });
  afterAll(() => stack?.stop());

  const received = (path: string) => stack.receiver.requests.filter((r) => r.url === path);

  it('publishes postmand.delivery.failed of a delivery that failed for good', async () => {
    const api = stack.server.apiUrl;
    await createWebhook(api, `${stack.receiver.url}/ops`, { event_types: ['postmand.*'] });
    const failing = await createWebhook(api, `${stack.receiver.url}/fail`, {
      max_delivery_attempts: 1,
    });
    // Not in the catalogue: refused for a producer.
    const refused = await call(api, 'POST', '/v1/events', { event_type: 'x.y', payload: '{}' });
    expect(refused).toMatchObject({ status: 400, body: { code: 4 } });

    const created = await call(api, 'POST', '/v1/deliveries', {
      webhook_id: failing,
      payload: '{"n":1}',
    });
    expect(created.status).toBe(201);
    await until(() => received('/ops').length >= 1, 60_000, 'the operational event');
    const event = JSON.parse(received('/ops')[0].body.toString()) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'postmand.delivery.failed',
      data: { webhook_id: failing, delivery_id: created.body.id },
    });
    const [{ n }] = await stack.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM events WHERE event_type = 'postmand.delivery.failed'`,
    );
    expect(n).toBe(1);
  });

  it('sends a test delivery of the example, signed with the webhook secret', async () => {
    const api = stack.server.apiUrl;
    const example = '{"order_id": 1001}';
    const put = await call(api, 'PUT', '/v1/event-types/shop.order', {
      schema: { type: 'object', required: ['order_id'] },
      example,
    });
    expect(put.status).toBe(201);
    const hook = await createWebhook(api, `${stack.receiver.url}/signed`, {
      secret_token: SECRET,
    });
    const test = await call(api, 'POST', `/v1/webhooks/${hook}/test`, {
      event_type: 'shop.order',
    });
    expect(test.status).toBe(202);
    await until(() => received('/signed').length === 1, 60_000, 'the test delivery');
    const [request] = received('/signed');
    expect(request.body.toString()).toBe(example);
    expect(request.headers['x-postmand-event-type']).toBe('shop.order');
    expect(standardVerifies(SECRET, request)).toBe(true);
    expect(
      standardVerifies(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`, request),
    ).toBe(false);
  });
});
