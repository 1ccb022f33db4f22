import { randomUUID } from 'node:crypto';
import { PLATFORM_SCOPE, ClaimRepository, CompletionRepository } from '@app/domain';
import { ClaimTurns } from '../../apps/worker/src/dispatcher/claim-turns';
import { DispatcherFixture } from '../helpers/dispatcher-fixture';
import { webhookInput } from '../helpers/fixtures';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { quietFor, until } from '../helpers/wait';

/** The claim loop: when deliveries go, leases, several dispatchers, stopping, memory. */
describe('worker: dispatcher', () => {
  const f = DispatcherFixture.use();

  it('holds deliveries of an inactive webhook until it is re-activated', async () => {
    await f.start();
    const webhook = await f.hook({ active: false });
    const delivery = await f.deliver(webhook.id);
    const control = await f.deliver((await f.hook({ name: 'control' })).id);
    await f.settled(control.id);
    expect(f.receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([control.id]);
    expect((await f.deliveries.findById(PLATFORM_SCOPE, delivery.id))!.status).toBe('pending');
    await f.webhooks.replace(
      PLATFORM_SCOPE,
      webhook.id,
      webhookInput({ url: webhook.url, active: true }),
    );
    await f.settled(delivery.id);
  });

  it('sends a delayed delivery when its scheduled_at arrives, not before', async () => {
    await f.start();
    const webhook = await f.hook();
    const at = new Date(Date.now() + 1500);
    const delivery = await f.deliver(webhook.id, 'later', at);
    await f.settled(delivery.id);
    expect(f.receiver.requests[0].at).toBeGreaterThanOrEqual(at.getTime() - 5);
  });

  it('drops the outcome of a delivery deleted while in flight', async () => {
    const held = f.receiver.hold();
    await f.start();
    const webhook = await f.hook();
    const delivery = await f.deliver(webhook.id);
    await held.waitFor(delivery.id);
    await f.deliveries.delete(delivery.id);
    held.answerAll();
    await until(async () => {
      const metrics = await f.worker!.registry.getSingleMetricAsString(
        'postmand_worker_dropped_outcomes_total',
      );
      return /postmand_worker_dropped_outcomes_total 1/.test(metrics);
    });
    expect(await f.attemptsOf(delivery.id)).toEqual([]);
    // The worker carries on.
    const next = await f.deliver(webhook.id);
    f.receiver.respond = (_req, res) => res.writeHead(200).end();
    await f.settled(next.id);
  });

  it('finishes deliveries whose lease a dead worker left behind, and fences the dead one out', async () => {
    const webhook = await f.hook();
    const orphans = [await f.deliver(webhook.id, 'a'), await f.deliver(webhook.id, 'b')];
    // A worker that claimed and died: its leases are held, then they run out.
    const dead = await new ClaimTurns(new ClaimRepository(f.db.dataSource)).claim(
      'dead-worker',
      10,
    );
    expect(dead.map((d) => d.delivery.id).sort()).toEqual(orphans.map((d) => d.id).sort());
    // Each claimed row is mapped onto its two tables' entities.
    expect(dead[0]).toEqual({
      delivery: {
        id: expect.any(String),
        webhookId: webhook.id,
        payload: expect.stringMatching(/^[ab]$/),
        deliveryAttempts: 0,
        eventId: null,
        eventType: null,
        leaseOwner: expect.stringMatching(/^dead-worker\//),
      },
      webhook: {
        id: webhook.id,
        url: webhook.url,
        contentType: webhook.contentType,
        validStatusCodes: webhook.validStatusCodes,
        secretToken: webhook.secretToken,
        previousSecrets: null,
        maxDeliveryAttempts: webhook.maxDeliveryAttempts,
        deliveryAttemptTimeout: webhook.deliveryAttemptTimeout,
        retryMinBackoff: webhook.retryMinBackoff,
        retryMaxBackoff: webhook.retryMaxBackoff,
        consecutiveFailures: 0,
        circuitOpenUntil: null,
        tenantId: null,
      },
      leaseOwner: expect.stringMatching(/^dead-worker\//),
      reclaimed: false,
      limited: false,
    });
    await f.db.dataSource.query(
      `UPDATE deliveries SET lease_expires_at = now() - interval '1 second'`,
    );

    await f.start({ POSTMAND_POLLING_INTERVAL: '200' });
    for (const d of orphans) await f.settled(d.id);
    const reclaims = await f.worker!.registry.getSingleMetricAsString(
      'postmand_worker_lease_reclaims_total',
    );
    expect(reclaims).toMatch(/postmand_worker_lease_reclaims_total 2/);

    // The dead worker's late outcome is refused: the lease is no longer its own.
    const late = await new CompletionRepository(f.db.dataSource).complete(
      dead.map((d) => ({
        deliveryId: d.delivery.id,
        webhookId: d.delivery.webhookId,
        eventId: null,
        attempts: 1,
        limited: false,
        touchesHealth: false,
        operational: false,
        leaseOwner: d.leaseOwner,
        attemptId: randomUUID(),
        status: 'failed' as const,
        retryInSeconds: null,
        rawRequest: '',
        requestBodyOmitted: false,
        rawResponse: '',
        responseStatusCode: 0,
        executionDuration: 1,
        success: false,
        error: 'late',
      })),
    );
    expect(late.size).toBe(0);
    for (const d of orphans) {
      expect((await f.deliveries.findById(PLATFORM_SCOPE, d.id))!.status).toBe('succeeded');
      expect(await f.attemptsOf(d.id)).toHaveLength(1);
    }
  });

  it('gives each of 1,000 deliveries exactly one successful attempt across two dispatchers', async () => {
    const seen = new Map<string, number>();
    f.receiver.respond = (req, res) => {
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    };
    const first = await f.start({
      POSTMAND_WORKER_CONCURRENCY: '20',
      POSTMAND_POLLING_INTERVAL: '100',
    });
    const second = await startTestWorker(f.db, {
      POSTMAND_WORKER_CONCURRENCY: '20',
      POSTMAND_POLLING_INTERVAL: '100',
      POSTMAND_LOG_LEVEL: 'silent',
    });
    try {
      const webhook = await f.hook();
      await f.db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload) SELECT $1, 'n' || g FROM generate_series(1, 1000) g`,
        [webhook.id],
      );
      await until(
        async () => {
          const [{ count }] = await f.db.dataSource.query<{ count: number }[]>(
            `SELECT count(*)::int AS count FROM deliveries WHERE status = 'succeeded'`,
          );
          return count === 1000;
        },
        60_000,
        'all 1000 deliveries to succeed',
      );
      expect(seen.size).toBe(1000);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      const [{ attempts }] = await f.db.dataSource.query<{ attempts: number }[]>(
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
    const w = await f.start();
    expect(w.readinessChecks[0]()).toMatchObject({ dispatcher: { status: 'up', running: true } });
    await w.stop();
    f.worker = undefined;
    expect(w.readinessChecks[0]()).toMatchObject({
      dispatcher: { status: 'down', running: false },
    });
  });

  it('lets in-flight requests finish on stop', async () => {
    const held = f.receiver.hold();
    const w = await f.start();
    const webhook = await f.hook();
    const delivery = await f.deliver(webhook.id);
    await held.waitFor(delivery.id);
    let done = false;
    const stopped = w.stop().then(() => (done = true));
    await quietFor(300, 'the stop waiting on the request in flight', () => done);
    held.answerAll();
    await stopped;
    f.worker = undefined;
    expect((await f.deliveries.findById(PLATFORM_SCOPE, delivery.id))!.status).toBe('succeeded');
    expect(await f.attemptsOf(delivery.id)).toHaveLength(1);
  });
  it('holds at most POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES of payloads in flight', async () => {
    // Room for three of the largest payloads: three requests at a time, however many slots.
    const held = f.receiver.hold();
    await f.start({
      POSTMAND_MAX_PAYLOAD_BYTES: '1048576',
      POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES: String(3 * 1_048_576),
    });
    const webhook = await f.hook();
    const payload = JSON.stringify({ blob: 'x'.repeat(1_000_000) });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await f.deliver(webhook.id, payload)).id);
    for (let answered = 0; answered < 10;) {
      await until(() => held.waiting.length > 0, 20_000, 'a held request');
      // Whatever is claimed has arrived before we answer: the in-flight set is complete.
      await quietFor(100, 'no more than three requests in flight', () => held.waiting.length > 3);
      expect(held.waiting.length).toBeLessThanOrEqual(3);
      answered += held.answerAll();
    }
    for (const id of ids) await f.settled(id);
    expect(held.most).toBe(3);
  });
});
