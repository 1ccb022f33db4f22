import type { TestDatabase } from '../support/database';
import { Receiver, type HeldResponses } from '../helpers/receiver';
import { quietFor, until } from '../helpers/wait';
import {
  call,
  createWebhook,
  ledger,
  type Service,
  startStack,
  type StackWithWorker,
  sample,
  scrape,
} from '../helpers/system';

describe('system: edits while an attempt is in flight', () => {
  let stack: StackWithWorker;
  let db: TestDatabase;
  let receiver: Receiver;
  let held: HeldResponses;
  let server: Service;
  let worker: Service;

  beforeAll(async () => {
    stack = await startStack();
    ({ db, receiver, server, worker } = stack);
    held = receiver.hold();
  });
  afterAll(() => stack.stop());

  const webhookSettings = {
    name: 'edited in flight',
    content_type: 'application/json',
    valid_status_codes: [200],
    retry_min_backoff: 1,
    retry_max_backoff: 1,
  };

  async function inFlight(webhookId: string): Promise<string> {
    const res = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: webhookId,
      payload: '{"edit":true}',
    });
    expect(res.status).toBe(201);
    await held.waitFor(res.body.id as string);
    return res.body.id as string;
  }

  async function delivery(id: string): Promise<{ status: number; body: any }> {
    return call(server.apiUrl, 'GET', `/v1/deliveries/${id}`);
  }

  async function attempts(id: string): Promise<any[]> {
    const res = await call(server.apiUrl, 'GET', `/v1/delivery-attempts?delivery_id=${id}`);
    return res.body.delivery_attempts as any[];
  }

  async function droppedOutcomes(): Promise<number> {
    return sample(await scrape(worker), 'postmand_worker_dropped_outcomes_total') ?? 0;
  }

  it('webhook replaced: the attempt under way finishes and is recorded; the next goes to the new URL', async () => {
    const other = await Receiver.start();
    try {
      const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, webhookSettings);
      const id = await inFlight(webhookId);
      const put = await call(server.apiUrl, 'PUT', `/v1/webhooks/${webhookId}`, {
        ...webhookSettings,
        url: `${other.url}/moved`,
      });
      expect(put.status).toBe(200);
      held.answer(id, 200);
      await until(async () => (await delivery(id)).body.status === 'succeeded');
      expect(await attempts(id)).toHaveLength(1);

      const next = await call(server.apiUrl, 'POST', '/v1/deliveries', {
        webhook_id: webhookId,
        payload: '{}',
      });
      await other.waitForRequests(1);
      expect(other.requests[0].headers['webhook-id']).toBe(next.body.id);
    } finally {
      await other.close();
    }
  });

  it('webhook deactivated: the failed attempt is recorded, the retry waits for re-activation', async () => {
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, webhookSettings);
    const id = await inFlight(webhookId);
    const off = await call(server.apiUrl, 'PUT', `/v1/webhooks/${webhookId}`, {
      ...webhookSettings,
      url: `${receiver.url}/hook`,
      active: false,
    });
    expect(off.status).toBe(200);
    held.answer(id, 500);
    await until(async () => (await attempts(id)).length === 1);
    const seen = receiver.requests.length;
    // The retry is due after 1 s; inactive, the webhook gets nothing meanwhile.
    await quietFor(2_500, 'no retry for the inactive webhook', () => receiver.requests.length);
    expect(receiver.requests).toHaveLength(seen);
    expect((await delivery(id)).body).toMatchObject({ status: 'pending', delivery_attempts: 1 });

    receiver.respond = (_req, res) => res.writeHead(200).end('ok');
    try {
      const on = await call(server.apiUrl, 'PUT', `/v1/webhooks/${webhookId}`, {
        ...webhookSettings,
        url: `${receiver.url}/hook`,
        active: true,
      });
      expect(on.status).toBe(200);
      await until(async () => (await delivery(id)).body.status === 'succeeded');
      expect((await attempts(id)).map((a) => a.success)).toEqual([true, false]);
    } finally {
      held = receiver.hold();
    }
  });

  it.each(['webhook', 'delivery'] as const)(
    '%s deleted: the outcome is dropped quietly, no orphan rows, the worker carries on',
    async (what) => {
      const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, webhookSettings);
      const id = await inFlight(webhookId);
      const dropped = await droppedOutcomes();
      const path = what === 'webhook' ? `/v1/webhooks/${webhookId}` : `/v1/deliveries/${id}`;
      expect((await call(server.apiUrl, 'DELETE', path)).status).toBe(204);
      held.answer(id, 200);

      await until(async () => (await droppedOutcomes()) === dropped + 1);
      expect((await delivery(id)).status).toBe(404);
      const [{ n }] = await db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM delivery_attempts WHERE delivery_id = $1`,
        [id],
      );
      expect(n).toBe(0);
      expect((await fetch(`${worker.healthUrl}/readyz`)).status).toBe(200);
      expect(worker.cli.child.exitCode).toBeNull();
      const book = await ledger(db.dataSource, []);
      expect(book.problems).toEqual([]);
    },
  );
});
