import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import {
  DeliveriesService,
  DeliveryDispatchRepository,
  DeliveryWaker,
  DeliveryRepository,
  WebhookRepository,
  type Delivery,
  type WebhookInput,
} from '@app/domain';
import { loadConfig, POSTMAND_VERSION } from '@app/platform';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { webhookInput } from '../helpers/fixtures';
import { Receiver } from '../helpers/receiver';
import { eventually, until } from '../helpers/wait';
import { startTestWorker, type TestWorker } from '../helpers/worker';

interface AttemptRow {
  id: string;
  delivery_id: string;
  raw_request: string;
  raw_response: string;
  response_status_code: number;
  execution_duration: number;
  success: boolean;
  error: string;
  created_at: Date;
}

describe('worker: dispatcher', () => {
  let db: TestDatabase;
  let receiver: Receiver;
  let worker: TestWorker | undefined;
  let webhooks: WebhookRepository;
  let deliveries: DeliveryRepository;
  let service: DeliveriesService;

  beforeAll(async () => {
    db = await createTestDatabase();
    webhooks = new WebhookRepository(db.dataSource);
    deliveries = new DeliveryRepository(db.dataSource);
    // Creates as the API does: committed, then the workers are woken.
    service = new DeliveriesService(deliveries, new DeliveryWaker(db.dataSource), loadConfig({}));
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE webhooks CASCADE');
    receiver = await Receiver.start();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await receiver.close();
  });

  /** A long polling interval: anything sent fast was woken by NOTIFY or a timer. */
  const start = async (env: Record<string, string> = {}): Promise<TestWorker> =>
    (worker = await startTestWorker(db, { POSTMAND_POLLING_INTERVAL: '3600000', ...env }));
  const hook = (overrides: Partial<WebhookInput> = {}) =>
    webhooks.create(webhookInput({ url: `${receiver.url}/hook?x=1`, ...overrides }));
  const deliver = async (webhookId: string, payload = '{"success": true}', scheduledAt?: Date) =>
    service.create({ webhookId, payload, scheduledAt });
  const attemptsOf = (deliveryId: string): Promise<AttemptRow[]> =>
    db.dataSource.query<AttemptRow[]>(
      'SELECT * FROM delivery_attempts WHERE delivery_id = $1 ORDER BY created_at, id',
      [deliveryId],
    );
  const settled = (id: string, status: Delivery['status'] = 'succeeded'): Promise<Delivery> =>
    eventually(
      async () => {
        const d = await deliveries.findById(id);
        return d?.status === status ? d : undefined;
      },
      20_000,
      `delivery ${id} to be ${status}`,
    );

  it('sends the payload byte for byte with the SPEC headers and records the attempt', async () => {
    await start();
    const webhook = await hook({ contentType: 'application/vnd.acme+json' });
    const payload = '{"emoji":"🚀","text":"ünïcødé","crlf":"\\r\\n"}';
    const delivery = await deliver(webhook.id, payload);

    const [req] = await receiver.waitForRequests(1);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook?x=1');
    expect(req.body.equals(Buffer.from(payload, 'utf8'))).toBe(true);
    expect(req.headers['content-type']).toBe('application/vnd.acme+json');
    expect(req.headers['user-agent']).toBe(`postmand/${POSTMAND_VERSION}`);
    expect(req.headers['webhook-id']).toBe(delivery.id);
    expect(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(req.headers['x-hub-signature']).toBeUndefined();
    expect(req.headers['webhook-signature']).toBeUndefined();

    const done = await settled(delivery.id);
    expect(done.deliveryAttempts).toBe(1);
    const [attempt] = await attemptsOf(delivery.id);
    expect(attempt).toMatchObject({ response_status_code: 200, success: true, error: '' });
    expect(attempt.raw_request).toMatch(
      /^POST \/hook\?x=1 HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/,
    );
    expect(attempt.raw_request).toContain('\r\nContent-Type: application/vnd.acme+json\r\n');
    expect(attempt.raw_request.endsWith(`\r\n\r\n${payload}`)).toBe(true);
    expect(attempt.raw_response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(attempt.raw_response.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('sends URL credentials as Basic authorization, recorded masked', async () => {
    await start();
    const url = receiver.url.replace('//', '//alice:p%40ss%3Aword@');
    const delivery = await deliver((await hook({ url: `${url}/private` })).id);
    const [req] = await receiver.waitForRequests(1);
    const credentials = Buffer.from('alice:p@ss:word').toString('base64');
    expect(req.headers.authorization).toBe(`Basic ${credentials}`);
    expect(req.url).toBe('/private');
    await settled(delivery.id);
    const [attempt] = await attemptsOf(delivery.id);
    expect(attempt.raw_request).toContain('\r\nAuthorization: Basic ***\r\n');
    expect(attempt.raw_request).not.toContain(credentials);
    expect(attempt.raw_request).not.toContain('alice');
  });

  it('signs with all three schemes, verified by the public verifiers', async () => {
    await start();
    const secretToken = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
    const webhook = await hook({ secretToken });
    const delivery = await deliver(webhook.id, '{"signed":true}');
    const [req] = await receiver.waitForRequests(1);
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    };
    expect(new StandardWebhook(secretToken).verify(req.body.toString(), headers)).toEqual({
      signed: true,
    });
    expect(headers['webhook-id']).toBe(delivery.id);
    await expect(
      verifyGithub(secretToken, req.body.toString(), String(req.headers['x-hub-signature-256'])),
    ).resolves.toBe(true);
    expect(`sha256=${String(req.headers['x-hub-signature'])}`).toBe(
      req.headers['x-hub-signature-256'],
    );
    await settled(delivery.id);
  });

  it('retries with exponential backoff, keeping webhook-id, until accepted', async () => {
    let calls = 0;
    receiver.respond = (_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 500 : 201).end(calls < 3 ? 'not yet' : 'created');
    };
    await start();
    const webhook = await hook({ validStatusCodes: [201], retryMinBackoff: 1, retryMaxBackoff: 2 });
    const delivery = await deliver(webhook.id);
    const done = await settled(delivery.id);
    expect(done.deliveryAttempts).toBe(3);
    const requests = receiver.requests;
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([
      delivery.id,
      delivery.id,
      delivery.id,
    ]);
    // Waits of 1 s then 2 s (min × 2^n, capped at the max), never shorter.
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
    expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(1950);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a) => [a.response_status_code, a.success])).toEqual([
      [500, false],
      [500, false],
      [201, true],
    ]);
  });

  it('fails the delivery after max_delivery_attempts', async () => {
    receiver.respond = (_req, res) => {
      res.writeHead(503).end();
    };
    await start();
    const webhook = await hook({ maxDeliveryAttempts: 2, retryMinBackoff: 1, retryMaxBackoff: 1 });
    const delivery = await deliver(webhook.id);
    const failed = await settled(delivery.id, 'failed');
    expect(failed.deliveryAttempts).toBe(2);
    expect(await attemptsOf(delivery.id)).toHaveLength(2);
    expect(receiver.requests).toHaveLength(2);
  });

  it('honours Retry-After on a 429, later than the backoff', async () => {
    let calls = 0;
    receiver.respond = (_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'Retry-After': '2' }).end();
      else res.writeHead(200).end();
    };
    await start();
    const webhook = await hook({ retryMinBackoff: 1, retryMaxBackoff: 60 });
    const delivery = await deliver(webhook.id);
    await settled(delivery.id);
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(1950);
  });

  it('records timeouts, refused connections and unresolvable hosts as failed attempts', async () => {
    receiver.respond = () => undefined; // accept and never answer
    await start();
    const silent = await hook({ deliveryAttemptTimeout: 1, maxDeliveryAttempts: 1 });
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const refused = await hook({ url: `http://127.0.0.1:${closedPort}/`, maxDeliveryAttempts: 1 });
    const nowhere = await hook({ url: 'http://postmand-test.invalid/', maxDeliveryAttempts: 1 });
    const [a, b, c] = [
      await deliver(silent.id),
      await deliver(refused.id),
      await deliver(nowhere.id),
    ];
    for (const d of [a, b, c]) await settled(d.id, 'failed');

    const [timeout] = await attemptsOf(a.id);
    expect(timeout).toMatchObject({ response_status_code: 0, success: false, raw_response: '' });
    expect(timeout.error).toBe('timeout: no complete response within 1 s');
    expect(timeout.execution_duration).toBeGreaterThanOrEqual(950);
    expect((await attemptsOf(b.id))[0].error).toContain('ECONNREFUSED');
    expect((await attemptsOf(c.id))[0].error).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('does not follow redirects', async () => {
    receiver.respond = (req, res) => {
      res.writeHead(302, { Location: `${receiver.url}/elsewhere` }).end();
    };
    await start();
    const webhook = await hook({ maxDeliveryAttempts: 1 });
    const delivery = await deliver(webhook.id);
    await settled(delivery.id, 'failed');
    expect(receiver.requests.map((r) => r.url)).toEqual(['/hook?x=1']);
    const [attempt] = await attemptsOf(delivery.id);
    expect(attempt).toMatchObject({ response_status_code: 302, success: false, error: '' });
    expect(attempt.raw_response).toContain('Location: ');
  });

  it('keeps a bounded part of huge bodies and binary bodies safely', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    receiver.respond = (req, res) => {
      if (req.body.toString() === 'big') res.writeHead(200).end(big);
      else res.writeHead(200).end(Buffer.from([0x00, 0xff, 0xfe, 0x41]));
    };
    await start({ POSTMAND_MAX_RESPONSE_BYTES: '1024' });
    const webhook = await hook();
    const huge = await deliver(webhook.id, 'big');
    const binary = await deliver(webhook.id, 'binary');
    await settled(huge.id);
    await settled(binary.id);
    const [hugeAttempt] = await attemptsOf(huge.id);
    expect(hugeAttempt.raw_response).toContain(
      `\r\n\r\n${'a'.repeat(1024)}\r\n[postmand: response body truncated after 1024 bytes]`,
    );
    expect(hugeAttempt.raw_response.length).toBeLessThan(2048);
    const [binaryAttempt] = await attemptsOf(binary.id);
    expect(
      binaryAttempt.raw_response.endsWith(
        '[postmand: body is not UTF-8 text; base64 follows]\r\nAP/+QQ==',
      ),
    ).toBe(true);
  });

  it('holds deliveries of an inactive webhook until it is re-activated', async () => {
    await start();
    const webhook = await hook({ active: false });
    const delivery = await deliver(webhook.id);
    const control = await deliver((await hook({ name: 'control' })).id);
    await settled(control.id);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([control.id]);
    expect((await deliveries.findById(delivery.id))!.status).toBe('pending');
    await webhooks.replace(webhook.id, webhookInput({ url: webhook.url, active: true }));
    await settled(delivery.id);
  });

  it('sends a delayed delivery when its scheduled_at arrives, not before', async () => {
    await start();
    const webhook = await hook();
    const at = new Date(Date.now() + 1500);
    const delivery = await deliver(webhook.id, 'later', at);
    await settled(delivery.id);
    expect(receiver.requests[0].at).toBeGreaterThanOrEqual(at.getTime() - 5);
  });

  it('drops the outcome of a delivery deleted while in flight', async () => {
    const held = receiver.hold();
    await start();
    const webhook = await hook();
    const delivery = await deliver(webhook.id);
    await held.waitFor(delivery.id);
    await deliveries.delete(delivery.id);
    held.answerAll();
    await until(async () => {
      const metrics = await worker!.registry.getSingleMetricAsString(
        'postmand_worker_dropped_outcomes_total',
      );
      return /postmand_worker_dropped_outcomes_total 1/.test(metrics);
    });
    expect(await attemptsOf(delivery.id)).toEqual([]);
    // The worker carries on.
    const next = await deliver(webhook.id);
    receiver.respond = (_req, res) => res.writeHead(200).end();
    await settled(next.id);
  });

  it('finishes deliveries whose lease a dead worker left behind, and fences the dead one out', async () => {
    const webhook = await hook();
    const orphans = [await deliver(webhook.id, 'a'), await deliver(webhook.id, 'b')];
    // A worker that claimed and died: its leases are held, then they run out.
    const dispatch = new DeliveryDispatchRepository(db.dataSource);
    const dead = await dispatch.claim('dead-worker', 10);
    expect(dead.map((d) => d.delivery.id).sort()).toEqual(orphans.map((d) => d.id).sort());
    // Each claimed row is mapped onto its two tables' entities.
    expect(dead[0]).toEqual({
      delivery: {
        id: expect.any(String),
        webhookId: webhook.id,
        payload: expect.stringMatching(/^[ab]$/),
        deliveryAttempts: 0,
        leaseOwner: expect.stringMatching(/^dead-worker\//),
      },
      webhook: {
        id: webhook.id,
        url: webhook.url,
        contentType: webhook.contentType,
        validStatusCodes: webhook.validStatusCodes,
        secretToken: webhook.secretToken,
        maxDeliveryAttempts: webhook.maxDeliveryAttempts,
        deliveryAttemptTimeout: webhook.deliveryAttemptTimeout,
        retryMinBackoff: webhook.retryMinBackoff,
        retryMaxBackoff: webhook.retryMaxBackoff,
      },
      leaseOwner: expect.stringMatching(/^dead-worker\//),
      reclaimed: false,
    });
    await db.dataSource.query(
      `UPDATE deliveries SET lease_expires_at = now() - interval '1 second'`,
    );

    await start({ POSTMAND_POLLING_INTERVAL: '200' });
    for (const d of orphans) await settled(d.id);
    const reclaims = await worker!.registry.getSingleMetricAsString(
      'postmand_worker_lease_reclaims_total',
    );
    expect(reclaims).toMatch(/postmand_worker_lease_reclaims_total 2/);

    // The dead worker's late outcome is refused: the lease is no longer its own.
    const late = await dispatch.complete(
      dead.map((d) => ({
        deliveryId: d.delivery.id,
        leaseOwner: d.leaseOwner,
        attemptId: randomUUID(),
        status: 'failed' as const,
        retryInSeconds: null,
        rawRequest: '',
        rawResponse: '',
        responseStatusCode: 0,
        executionDuration: 1,
        success: false,
        error: 'late',
      })),
    );
    expect(late.size).toBe(0);
    for (const d of orphans) {
      expect((await deliveries.findById(d.id))!.status).toBe('succeeded');
      expect(await attemptsOf(d.id)).toHaveLength(1);
    }
  });

  it('gives each of 1,000 deliveries exactly one successful attempt across two dispatchers', async () => {
    const seen = new Map<string, number>();
    receiver.respond = (req, res) => {
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    };
    const first = await start({
      POSTMAND_WORKER_CONCURRENCY: '20',
      POSTMAND_POLLING_INTERVAL: '100',
    });
    const second = await startTestWorker(db, {
      POSTMAND_WORKER_CONCURRENCY: '20',
      POSTMAND_POLLING_INTERVAL: '100',
      POSTMAND_LOG_LEVEL: 'silent',
    });
    try {
      const webhook = await hook();
      await db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload) SELECT $1, 'n' || g FROM generate_series(1, 1000) g`,
        [webhook.id],
      );
      await until(
        async () => {
          const [{ count }] = await db.dataSource.query<{ count: number }[]>(
            `SELECT count(*)::int AS count FROM deliveries WHERE status = 'succeeded'`,
          );
          return count === 1000;
        },
        60_000,
        'all 1000 deliveries to succeed',
      );
      expect(seen.size).toBe(1000);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      const [{ attempts }] = await db.dataSource.query<{ attempts: number }[]>(
        'SELECT count(*)::int AS attempts FROM delivery_attempts',
      );
      expect(attempts).toBe(1000);
      const claimedBy = async (w: TestWorker) =>
        Number(
          / (\d+)$/m.exec(
            await w.registry.getSingleMetricAsString('postmand_worker_deliveries_claimed_total'),
          )?.[1],
        );
      expect((await claimedBy(first)) + (await claimedBy(second))).toBe(1000);
    } finally {
      await second.stop();
    }
  });

  it('reports itself ready while running', async () => {
    const w = await start();
    expect(w.readinessChecks[0]()).toMatchObject({ dispatcher: { status: 'up', running: true } });
    await w.stop();
    worker = undefined;
    expect(w.readinessChecks[0]()).toMatchObject({
      dispatcher: { status: 'down', running: false },
    });
  });

  it('lets in-flight requests finish on stop', async () => {
    const held = receiver.hold();
    const w = await start();
    const webhook = await hook();
    const delivery = await deliver(webhook.id);
    await held.waitFor(delivery.id);
    const stopped = w.stop();
    setTimeout(() => held.answerAll(), 300);
    await stopped;
    worker = undefined;
    expect((await deliveries.findById(delivery.id))!.status).toBe('succeeded');
    expect(await attemptsOf(delivery.id)).toHaveLength(1);
  });
  it('holds at most POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES of payloads in flight', async () => {
    // Room for three of the largest payloads: three requests at a time, however many slots.
    const held = receiver.hold();
    await start({
      POSTMAND_MAX_PAYLOAD_BYTES: '1048576',
      POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES: String(3 * 1_048_576),
    });
    const webhook = await hook();
    const payload = JSON.stringify({ blob: 'x'.repeat(1_000_000) });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await deliver(webhook.id, payload)).id);
    for (let answered = 0; answered < 10;) {
      await until(() => held.waiting.length > 0, 20_000, 'a held request');
      // Whatever is claimed has arrived before we answer: the in-flight set is complete.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(held.waiting.length).toBeLessThanOrEqual(3);
      answered += held.answerAll();
    }
    for (const id of ids) await settled(id);
    expect(held.most).toBe(3);
  });
});
