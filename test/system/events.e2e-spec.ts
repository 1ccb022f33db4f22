import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { TestDatabase } from '../support/database';
import type { Receiver } from '../helpers/receiver';
import {
  call,
  createWebhook,
  startService,
  startStack,
  type Service,
  type StackWithWorker,
} from '../helpers/system';
import { quietFor, until } from '../helpers/wait';

const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;

/** One idempotent POST /v1/events; the status and whether it was a replay. */
async function publishWithKey(
  apiUrl: string,
  key: string,
  body: object,
): Promise<{ status: number; replayed: boolean; id?: string; text: string }> {
  const res = await fetch(`${apiUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed') === 'true',
    id: res.status === 201 ? (JSON.parse(text) as { id: string }).id : undefined,
    text,
  };
}

describe('system: events and idempotency keys on real processes', () => {
  let stack: StackWithWorker;
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Service;
  let second: Service | undefined;

  beforeAll(async () => {
    stack = await startStack();
    ({ db, receiver, server } = stack);
  });
  afterAll(async () => {
    await second?.stop('SIGKILL');
    await stack.stop();
  });

  const count = async (sql: string): Promise<number> =>
    (await db.dataSource.query<{ n: number }[]>(sql))[0].n;

  it('fans an event out to the 37 of 100 webhooks that take it, one signed request each', async () => {
    // 37 that match (by exact name, by prefix, by *; 5 of them inactive), 63 that do not.
    const matching = ['order.created', 'order.*', '*', 'order.created', 'order.*'];
    const notMatching = [
      [],
      ['order'],
      ['orders.*'],
      ['postmand.*'],
      ['order.created.late'],
      ['invoice.*'],
    ];
    const hooks: { id: string; n: number; matches: boolean; active: boolean }[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async (_, n) => {
        const matches = n < 37;
        const active = !(matches && n % 8 === 0); // 0, 8, 16, 24, 32 wait
        const eventTypes = matches
          ? [matching[n % matching.length]]
          : notMatching[n % notMatching.length];
        const id = await createWebhook(server.apiUrl, `${receiver.url}/hook/${n}`, {
          event_types: eventTypes,
          secret_token: SECRET,
          active,
        });
        hooks.push({ id, n, matches, active });
      }),
    );
    const published = await call(server.apiUrl, 'POST', '/v1/events', {
      event_type: 'order.created',
      payload: '{"order":42}',
    });
    expect(published.status).toBe(201);
    const event = published.body as { id: string; delivery_count: number };
    expect(event.delivery_count).toBe(37);

    await receiver.waitForRequests(32, 30_000);
    // The inactive ones wait; once active again they are sent too.
    await quietFor(500, 'no request for the inactive webhooks', () => receiver.requests.length);
    expect(receiver.requests).toHaveLength(32);
    for (const hook of hooks.filter((h) => !h.active)) {
      const res = await call(server.apiUrl, 'GET', `/v1/webhooks/${hook.id}`);
      const got = res.body as Record<string, unknown>;
      expect(
        (await call(server.apiUrl, 'PUT', `/v1/webhooks/${hook.id}`, { ...got, active: true }))
          .status,
      ).toBe(200);
    }
    await receiver.waitForRequests(37, 30_000);
    await quietFor(500, 'no request beyond the 37', () => receiver.requests.length);

    expect(receiver.requests).toHaveLength(37);
    const paths = receiver.requests.map((r) => Number(r.url.split('/').pop()));
    expect(paths.sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, n) => n));
    const verifier = new StandardWebhook(SECRET);
    for (const req of receiver.requests) {
      expect(req.headers['x-postmand-event-id']).toBe(event.id);
      expect(req.headers['x-postmand-event-type']).toBe('order.created');
      expect(req.body.toString()).toBe('{"order":42}');
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      expect(verifier.verify(req.body.toString(), headers)).toEqual({ order: 42 });
    }
    // webhook-id stays the delivery id: 37 distinct deliveries of this event.
    const ids = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
    expect(ids.size).toBe(37);
    expect(
      await count(`SELECT count(*)::int AS n FROM deliveries
                   WHERE event_id = '${event.id}' AND status = 'succeeded'`),
    ).toBe(37);
  });

  it('gives 20 concurrent requests with one key from 2 API processes one event and nothing else', async () => {
    second = await startService('server', db.url);
    await db.dataSource.query(`TRUNCATE webhooks, events, idempotency_keys CASCADE`);
    for (let n = 0; n < 3; n++) await createWebhook(server.apiUrl, `${receiver.url}/again/${n}`);
    const received = receiver.requests.length;
    const body = { event_type: 'invoice.paid', payload: '{"invoice":7}' };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        publishWithKey(n % 2 ? server.apiUrl : second!.apiUrl, 'one-key', body),
      ),
    );
    const firsts = results.filter((r) => r.status === 201 && !r.replayed);
    const replays = results.filter((r) => r.status === 201 && r.replayed);
    const conflicts = results.filter((r) => r.status === 409);
    expect(firsts).toHaveLength(1);
    expect(firsts.length + replays.length + conflicts.length).toBe(20);
    for (const r of replays) expect(r.text).toBe(firsts[0].text);
    for (const r of conflicts) expect(JSON.parse(r.text)).toMatchObject({ code: 12 });
    // Once the first has finished, everyone gets the replay.
    const late = await publishWithKey(second.apiUrl, 'one-key', body);
    expect(late).toMatchObject({ status: 201, replayed: true, text: firsts[0].text });

    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM deliveries')).toBe(3);
    await receiver.waitForRequests(received + 3, 30_000);
    await quietFor(300, 'no fourth request', () => receiver.requests.length);
    expect(receiver.requests.length).toBe(received + 3);
  });

  it('leaves both the rows and the key, or neither, when an API process is killed mid-request', async () => {
    await db.dataSource.query(`TRUNCATE webhooks, events, idempotency_keys CASCADE`);
    await createWebhook(server.apiUrl, `${receiver.url}/crash`, { active: false });
    const victim = second!;
    second = undefined;
    let sent = 0;
    const inFlight: Promise<unknown>[] = [];
    const firing = (async () => {
      for (let n = 0; n < 400; n++) {
        inFlight.push(
          publishWithKey(victim.apiUrl, `crash-${n}`, {
            event_type: 'crash.test',
            payload: String(n),
          }).catch(() => undefined),
        );
        sent++;
        if (n % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await until(async () => (await count('SELECT count(*)::int AS n FROM events')) >= 20);
    await victim.stop('SIGKILL');
    await firing;
    await Promise.all(inFlight);
    expect(sent).toBe(400);

    // Every stored key's response names an event that exists with its delivery, and every
    // event has its key: nothing half-written.
    const keys = await db.dataSource.query<{ key: string; body: string }[]>(
      `SELECT key, body FROM idempotency_keys`,
    );
    const events = await db.dataSource.query<{ id: string; payload: string; deliveries: number }[]>(
      `SELECT e.id, e.payload, (SELECT count(*)::int FROM deliveries d WHERE d.event_id = e.id) AS deliveries
       FROM events e`,
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBe(events.length);
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const { key, body } of keys) {
      const stored = JSON.parse(body) as { id: string; payload: string };
      expect(byId.get(stored.id)).toMatchObject({
        payload: key.replace('crash-', ''),
        deliveries: 1,
      });
    }
    // The survivors are retried against the other process: replays and the missing ones.
    for (const n of [0, 399]) {
      const retry = await publishWithKey(server.apiUrl, `crash-${n}`, {
        event_type: 'crash.test',
        payload: String(n),
      });
      expect(retry.status).toBe(201);
    }
  });
});
