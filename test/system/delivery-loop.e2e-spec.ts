import { call, createWebhook, ledger, startStack, type StackWithWorker } from '../helpers/system';
import { eventually, quietFor } from '../helpers/wait';

/**
 * Webhooks pointed at postmand's own API, so that each attempt would create another
 * delivery: the API recognises its own deliveries by `webhook-id` and refuses them, so
 * each loop ends after one failed attempt instead of multiplying.
 */
describe('system: a webhook pointed at its own API cannot loop', () => {
  let stack: StackWithWorker;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('refuses the create and the redeliver that a delivery of its own makes', async () => {
    const { server } = stack;
    const rules = { valid_status_codes: [201], max_delivery_attempts: 1 };
    // A delivery whose payload creates a delivery for the same webhook.
    const creating = await createWebhook(server.apiUrl, `${server.apiUrl}/v1/deliveries`, rules);
    const first = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: creating,
      payload: JSON.stringify({ webhook_id: creating, payload: '{}' }),
    });
    // A delivery that redelivers itself (its URL needs its id, so the webhook starts idle).
    const redelivering = await createWebhook(server.apiUrl, `${server.apiUrl}/v1/webhooks`, {
      ...rules,
      active: false,
    });
    const second = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: redelivering,
      payload: '{}',
    });
    const put = await call(server.apiUrl, 'PUT', `/v1/webhooks/${redelivering}`, {
      name: 'system test',
      url: `${server.apiUrl}/v1/deliveries/${second.body.id}/redeliver`,
      content_type: 'application/json',
      ...rules,
    });
    expect(put.status).toBe(200);

    for (const delivery of [first.body.id as string, second.body.id as string]) {
      const failed = await eventually(async () => {
        const res = await call(server.apiUrl, 'GET', `/v1/deliveries/${delivery}`);
        return res.body.status === 'failed' ? res.body : undefined;
      });
      expect(failed.delivery_attempts).toBe(1);
      const attempts = await call(
        server.apiUrl,
        'GET',
        `/v1/delivery-attempts?delivery_id=${delivery}`,
      );
      expect(attempts.body.delivery_attempts[0].response_status_code).toBe(400);
      expect(attempts.body.delivery_attempts[0].raw_response).toContain('delivery loop');
    }
    // Nothing was multiplied: only the two deliveries the test made.
    await quietFor(500, 'no delivery made by the loop');
    const all = await call(server.apiUrl, 'GET', '/v1/deliveries');
    expect(all.body.deliveries).toHaveLength(2);
    // Postmand itself was the receiver: each delivery has its one (refused) attempt.
    const books = await ledger(stack.db.dataSource, []);
    expect(books).toMatchObject({ deliveries: 2, attempts: 2, problems: [] });
    expect(books.byStatus).toEqual({ failed: 2 });
  });
});
