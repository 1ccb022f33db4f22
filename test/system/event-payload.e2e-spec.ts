import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '../support/database';
import type { Receiver } from '../helpers/receiver';
import {
  call,
  createWebhook,
  startStack,
  type Service,
  type StackWithWorker,
} from '../helpers/system';

/** How long one request may take on a busy machine (1 MB bodies, a 30 MB page). */
const SLOW = 60_000;

/** The fan-out bound of this file: 40 payloads of 1 MB. */
const MAX_FANOUT_BYTES = 40_000_000;

/**
 * A payload of exactly `bytes` bytes of JSON that does not compress (random base64), so
 * that what the database stores is what was written.
 */
const incompressible = (bytes: number): string =>
  JSON.stringify({
    blob: randomBytes(bytes)
      .toString('base64')
      .slice(0, bytes - 11),
  });

describe('system: an event payload is stored once, however many webhooks it goes to', () => {
  let stack: StackWithWorker;
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Service;

  beforeAll(async () => {
    stack = await startStack({ env: { POSTMAND_MAX_FANOUT_BYTES: String(MAX_FANOUT_BYTES) } });
    ({ db, receiver, server } = stack);
    // 30 webhooks take big.*, 15 more take big.huge only.
    for (let n = 0; n < 45; n++) {
      await createWebhook(server.apiUrl, `${receiver.url}/hook/${n}`, {
        event_types: [n < 30 ? 'big.*' : 'big.huge'],
      });
    }
  }, 120_000);
  afterAll(() => stack.stop());

  const api = (method: string, path: string, body?: unknown): ReturnType<typeof call> =>
    call(server.apiUrl, method, path, body, SLOW);

  const stored = async (): Promise<number> =>
    (
      await db.dataSource.query<{ bytes: string }[]>(
        `SELECT (pg_total_relation_size('deliveries') + pg_total_relation_size('events'))::text
           AS bytes`,
      )
    )[0].bytes as unknown as number;

  it('publishes 1 MB to 30 webhooks as ~1 MB stored; the API and the worker give every delivery the exact bytes', async () => {
    const payload = incompressible(1_000_000);
    expect(Buffer.byteLength(payload)).toBe(1_000_000);
    const before = Number(await stored());
    const res = await api('POST', '/v1/events', {
      event_type: 'big.one',
      payload,
    });
    expect(res.status).toBe(201);
    expect(res.body.delivery_count).toBe(30);
    const grew = Number(await stored()) - before;
    // The payload once (plus 30 small rows and their index entries), not 30 times.
    expect(grew).toBeGreaterThan(1_000_000);
    expect(grew).toBeLessThan(2_000_000);
    const [{ own }] = await db.dataSource.query<{ own: number }[]>(
      `SELECT count(*)::int AS own FROM deliveries WHERE event_id = $1 AND payload IS NOT NULL`,
      [res.body.id],
    );
    expect(own).toBe(0);

    // Each delivery, read alone and in a list page, carries the payload byte for byte.
    const list = await api('GET', `/v1/deliveries?event_id=${res.body.id}&limit=100`);
    expect(list.status).toBe(200);
    expect(list.body.deliveries).toHaveLength(30);
    for (const d of list.body.deliveries as { id: string; payload: string }[]) {
      expect(d.payload === payload).toBe(true);
      const one = await api('GET', `/v1/deliveries/${d.id}`);
      expect(one.status).toBe(200);
      expect(one.body.payload === payload).toBe(true);
    }

    // The worker sends the exact bytes to each of the 30.
    const requests = await receiver.waitForRequests(30, 120_000);
    expect(requests).toHaveLength(30);
    const expected = Buffer.from(payload);
    for (const req of requests) expect(req.body.equals(expected)).toBe(true);
    expect(new Set(requests.map((r) => r.url)).size).toBe(30);

    // An attempt's raw request ends with the payload; a redelivery carries it too.
    const first = (list.body.deliveries as { id: string }[])[0].id;
    const attempts = await api('GET', `/v1/delivery-attempts?delivery_id=${first}`);
    expect(attempts.body.delivery_attempts).toHaveLength(1);
    expect((attempts.body.delivery_attempts[0].raw_request as string).endsWith(payload)).toBe(true);
    const again = await api('POST', `/v1/deliveries/${first}/redeliver`);
    expect(again.status).toBe(201);
    expect(again.body.payload === payload).toBe(true);
    expect(again.body.event_id).toBe(res.body.id);
    await receiver.waitForRequests(31, 60_000);
    expect(receiver.requests[30].body.equals(expected)).toBe(true);
  }, 300_000);

  it('refuses with 413 code 8 an event whose payload × matches is over POSTMAND_MAX_FANOUT_BYTES, storing nothing', async () => {
    const [before] = await db.dataSource.query<{ events: number; deliveries: number }[]>(
      `SELECT (SELECT count(*) FROM events)::int AS events,
              (SELECT count(*) FROM deliveries)::int AS deliveries`,
    );
    // 45 matches × 1 MB = 45 MB > 40 MB.
    const res = await api('POST', '/v1/events', {
      event_type: 'big.huge',
      payload: incompressible(1_000_000),
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      code: 8,
      message: 'payload too large',
      details: expect.stringContaining('POSTMAND_MAX_FANOUT_BYTES'),
    });
    expect(res.body.details).toContain('45 matching webhooks');
    const [after] = await db.dataSource.query<{ events: number; deliveries: number }[]>(
      `SELECT (SELECT count(*) FROM events)::int AS events,
              (SELECT count(*) FROM deliveries)::int AS deliveries`,
    );
    expect(after).toEqual(before);
    // The same type with a smaller payload fits (45 × 800 KB = 36 MB) and goes out.
    const fits = await api('POST', '/v1/events', {
      event_type: 'big.huge',
      payload: incompressible(800_000),
    });
    expect(fits.status).toBe(201);
    expect(fits.body.delivery_count).toBe(45);
  }, 120_000);
});
