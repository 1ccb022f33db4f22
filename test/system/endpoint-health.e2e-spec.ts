import type { TestDatabase } from '../support/database';
import { Receiver } from '../helpers/receiver';
import {
  call,
  createWebhook,
  startStack,
  type Service,
  type StackWithWorker,
} from '../helpers/system';
import { eventually, quietFor, until } from '../helpers/wait';
import { insertBacklog, watchedReceiver } from '../helpers/watched-receiver';

interface OperationalEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * §7's circuit breaker, auto-disable, operational events and bulk redeliver, on one API and
 * three workers. A webhook subscribed to `postmand.*` collects the operational events.
 */
describe('system: endpoint health with three workers', () => {
  let stack: StackWithWorker;
  let db: TestDatabase;
  let server: Service;
  const receivers: Receiver[] = [];
  let ops: Receiver;

  beforeAll(async () => {
    stack = await startStack({ workers: 3, worker: { POSTMAND_POLLING_INTERVAL: '200' } });
    ({ db, server } = stack);
    ops = await Receiver.start();
    receivers.push(ops);
    await createWebhook(server.apiUrl, `${ops.url}/ops`, { event_types: ['postmand.*'] });
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await stack.stop();
  });

  /** The operational events received so far about `webhookId`. */
  const eventsAbout = (webhookId: string): OperationalEvent[] =>
    ops.requests
      .map((r) => JSON.parse(r.body.toString()) as OperationalEvent)
      .filter((e) => e.data.webhook_id === webhookId);
  const webhook = async (id: string) =>
    (await call(server.apiUrl, 'GET', `/v1/webhooks/${id}`)).body;
  const attempts = async (id: string): Promise<number> =>
    (
      await db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM delivery_attempts WHERE webhook_id = $1`,
        [id],
      )
    )[0].n;
  const statuses = async (id: string): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await db.dataSource.query<{ status: string; n: number }[]>(
          `SELECT status, count(*)::int AS n FROM deliveries WHERE webhook_id = $1 GROUP BY 1`,
          [id],
        )
      ).map((r) => [r.status, r.n]),
    );

  it('opens the circuit after 5 failures, spends no attempts while open, half-opens, closes, drains', async () => {
    let down = true;
    let trialDelay = 0;
    const { receiver, exchanges } = await watchedReceiver(
      () => trialDelay,
      () => (down ? 503 : 200),
    );
    receivers.push(receiver);
    const hook = await createWebhook(server.apiUrl, `${receiver.url}/down`, {
      max_delivery_attempts: 10,
      retry_min_backoff: 1,
      retry_max_backoff: 1,
    });
    await insertBacklog(db.dataSource, hook, 20);
    const opened = await eventually(async () => {
      const w = await webhook(hook);
      return w.circuit.state === 'open' ? w : undefined;
    });
    expect(opened.circuit.consecutive_failures).toBeGreaterThanOrEqual(5);
    expect(new Date(opened.circuit.open_until).getTime()).toBeGreaterThan(Date.now() + 20_000);

    // Open: the retries come due a second later, and wait without spending attempts. The
    // attempts claimed before it opened finish first (a busy machine records them late).
    await until(
      async () =>
        (
          await db.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM deliveries
             WHERE webhook_id = $1 AND lease_expires_at > now()`,
            [hook],
          )
        )[0].n === 0,
      60_000,
      'the attempts in flight to be recorded',
    );
    const spent = await attempts(hook);
    const seen = exchanges.length;
    await quietFor(2000, 'no attempt during the cool-off', () => exchanges.length);
    expect(await attempts(hook)).toBe(spent);
    expect(exchanges).toHaveLength(seen);
    expect((await statuses(hook)).pending).toBe(20);

    // The endpoint is back; the cool-off is over (the clock moved through the data).
    down = false;
    trialDelay = 300;
    await db.dataSource.query(
      `UPDATE webhooks SET circuit_open_until = now() - interval '1 ms' WHERE id = $1`,
      [hook],
    );
    expect((await webhook(hook)).circuit.state).toBe('half_open');
    await until(async () => (await statuses(hook)).succeeded === 20, 30_000, 'drained');
    const after = exchanges.slice(seen).sort((a, b) => a.start - b.start);
    // One trial alone; the rest only once it had succeeded.
    expect(after[1].start).toBeGreaterThanOrEqual(after[0].end!);
    expect((await webhook(hook)).circuit).toEqual({
      state: 'closed',
      consecutive_failures: 0,
      open_until: null,
    });
    await until(() => eventsAbout(hook).length >= 2, 10_000, 'operational events');
    expect(eventsAbout(hook).map((e) => e.type)).toEqual([
      'postmand.webhook.circuit_opened',
      'postmand.webhook.circuit_closed',
    ]);
    expect(eventsAbout(hook)[0].data.reason).toMatch(/consecutive failed attempts/);
  });

  it('disables a webhook that answers 410 Gone, keeps its deliveries, and re-enables on PUT', async () => {
    let gone = true;
    const { receiver } = await watchedReceiver(
      () => 1,
      () => (gone ? 410 : 200),
    );
    receivers.push(receiver);
    const body = {
      name: 'gone',
      url: `${receiver.url}/gone`,
      content_type: 'application/json',
      valid_status_codes: [200],
      retry_min_backoff: 1,
    };
    const hook = (await call(server.apiUrl, 'POST', '/v1/webhooks', body)).body.id as string;
    await insertBacklog(db.dataSource, hook, 3);
    const disabled = await eventually(async () => {
      const w = await webhook(hook);
      return w.active ? undefined : w;
    });
    expect(disabled.disabled_reason).toBe('endpoint answered 410 Gone');
    await until(() => eventsAbout(hook).length >= 1, 10_000, 'the disabled event');
    expect(eventsAbout(hook)).toEqual([
      {
        type: 'postmand.webhook.disabled',
        timestamp: expect.any(String),
        data: { webhook_id: hook, tenant_id: null, reason: 'endpoint answered 410 Gone' },
      },
    ]);
    // The attempt counted as failed; the deliveries wait as any inactive webhook's do.
    await quietFor(1000, 'no attempt for the disabled webhook');
    expect(await statuses(hook)).toEqual({ pending: 3 });

    gone = false;
    const put = await call(server.apiUrl, 'PUT', `/v1/webhooks/${hook}`, { ...body, active: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ active: true, disabled_reason: null });
    expect(put.body.circuit).toEqual({
      state: 'closed',
      consecutive_failures: 0,
      open_until: null,
    });
    await until(async () => (await statuses(hook)).succeeded === 3, 10_000, 'resumed');
  });

  it('reports a delivery that failed for good, and never an operational event’s', async () => {
    const failing = await watchedReceiver(
      () => 1,
      () => 500,
    );
    receivers.push(failing.receiver);
    // A second collector of operational events that fails on each of them: nothing loops.
    const sink = await createWebhook(server.apiUrl, `${failing.receiver.url}/sink`, {
      event_types: ['postmand.*'],
      max_delivery_attempts: 1,
    });
    const hook = await createWebhook(server.apiUrl, `${failing.receiver.url}/once`, {
      max_delivery_attempts: 1,
    });
    const created = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: hook,
      payload: '{"n":1}',
    });
    await until(() => eventsAbout(hook).length >= 1, 10_000, 'the failed event');
    const [attempt] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM delivery_attempts WHERE delivery_id = $1`,
      [created.body.id],
    );
    expect(eventsAbout(hook)).toEqual([
      {
        type: 'postmand.delivery.failed',
        timestamp: expect.any(String),
        data: {
          webhook_id: hook,
          tenant_id: null,
          delivery_id: created.body.id,
          event_id: null,
          attempts: 1,
          last_attempt: { id: attempt.id, response_status_code: 500, error: '' },
        },
      },
    ]);
    // The sink failed that event's delivery for good: no event about it, and no other.
    await until(async () => (await statuses(sink)).failed >= 1, 10_000, 'the sink failing');
    await quietFor(1000, 'no event about the sink', () => eventsAbout(sink));
    expect(eventsAbout(sink)).toEqual([]);
    const [{ n }] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM events WHERE payload::jsonb -> 'data' ->> 'webhook_id' = $1`,
      [sink],
    );
    expect(n).toBe(0);
  });

  it('redelivers 1,000 failed deliveries in bulk within the webhook’s max_concurrency', async () => {
    const { receiver, most } = await watchedReceiver(() => 3 + Math.random() * 5);
    receivers.push(receiver);
    const hook = await createWebhook(server.apiUrl, `${receiver.url}/bulk`, { max_concurrency: 5 });
    await insertBacklog(db.dataSource, hook, 1000, 'failed');
    const dry = await call(server.apiUrl, 'POST', '/v1/deliveries/redeliver', {
      webhook_id: hook,
      dry_run: true,
    });
    expect(dry).toEqual({ status: 200, body: { count: 1000 } });
    const res = await call(server.apiUrl, 'POST', '/v1/deliveries/redeliver', { webhook_id: hook });
    expect(res).toEqual({ status: 202, body: { count: 1000 } });
    await until(async () => (await statuses(hook)).succeeded === 1000, 60_000, 'redelivered');
    expect(most()).toBe(5);
  });
});
