import { randomUUID } from 'node:crypto';
import {
  PLATFORM_SCOPE,
  ClaimRepository,
  CompletionRepository,
  DeliveryRepository,
  WebhookRepository,
  WebhooksService,
  type AttemptOutcome,
  type ClaimedDelivery,
} from '@app/domain';
import { CLAIM_SQL, WALK_STEPS } from '@app/domain/testing';
import { ClaimTurns } from '../../apps/worker/src/dispatcher/claim-turns';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { controlClock, type DbClock } from '../helpers/db-clock';
import { until } from '../helpers/wait';

/**
 * The claims against one database, as several workers run them: each ClaimTurns is a
 * worker of its own (its own turn between the two claims and its own look for parked
 * work). The limits must hold whichever claims.
 */
describe('the limited claim (§7)', () => {
  let db: TestDatabase;
  let workers: ClaimTurns[];
  let completion: CompletionRepository;
  /** Rate tokens and due times follow this clock, not the time the claims happen to take. */
  let clock: DbClock;

  beforeAll(async () => {
    db = await createTestDatabase();
    clock = await controlClock(db);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await clock.release();
    await db.dataSource.query('TRUNCATE webhooks CASCADE');
    workers = [1, 2, 3].map(() => new ClaimTurns(new ClaimRepository(db.dataSource)));
    completion = new CompletionRepository(db.dataSource);
  });

  async function webhook(columns: Record<string, unknown> = {}): Promise<string> {
    const names = Object.keys(columns);
    const [{ id }] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff
         ${names.map((n) => `, ${n}`).join('')})
       VALUES ('limited', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60
         ${names.map((_, i) => `, $${i + 1}`).join('')})
       RETURNING id`,
      Object.values(columns),
    );
    return id;
  }

  async function deliveries(webhookId: string, count: number, ageSeconds = 60): Promise<string[]> {
    const rows = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at, created_at)
       SELECT $1, g::text, now() - make_interval(secs => $3 - g * 0.001),
              now() - make_interval(secs => $3 - g * 0.001)
       FROM generate_series(1, $2) g ORDER BY g RETURNING id`,
      [webhookId, count, ageSeconds],
    );
    return rows.map((r) => r.id);
  }

  /** Every worker claims once, side by side. */
  async function claimRound(limit = 100): Promise<ClaimedDelivery[]> {
    return (await Promise.all(workers.map((w) => w.claim('w', limit)))).flat();
  }

  /** Claims until a round brings nothing (the plain claim parks, the limited one serves). */
  async function claimAll(limit = 100): Promise<ClaimedDelivery[]> {
    const all: ClaimedDelivery[] = [];
    for (let round = 0; round < 10; round++) {
      const got = await claimRound(limit);
      all.push(...got);
      if (got.length === 0 && round > 1) break;
    }
    return all;
  }

  const success = (c: ClaimedDelivery, o: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
    deliveryId: c.delivery.id,
    webhookId: c.delivery.webhookId,
    eventId: null,
    leaseOwner: c.leaseOwner,
    attemptId: randomUUID(),
    status: 'succeeded',
    retryInSeconds: null,
    rawRequest: '',
    requestBodyOmitted: false,
    rawResponse: '',
    responseStatusCode: 200,
    executionDuration: 1,
    success: true,
    error: '',
    attempts: c.delivery.deliveryAttempts + 1,
    limited: c.limited,
    touchesHealth: false,
    operational: false,
    ...o,
  });

  async function finish(claimed: ClaimedDelivery[], o: Partial<AttemptOutcome> = {}) {
    await completion.complete(claimed.map((c) => success(c, o)));
  }

  it('leases no more than max_concurrency at once, across workers, and frees slots on completion', async () => {
    const limited = await webhook({ max_concurrency: 5 });
    const plain = await webhook();
    await deliveries(limited, 40);
    await deliveries(plain, 20, 30);
    const first = await claimAll();
    expect(first.filter((c) => c.delivery.webhookId === limited)).toHaveLength(5);
    expect(first.filter((c) => c.delivery.webhookId === plain)).toHaveLength(20);
    expect(first.filter((c) => c.delivery.webhookId === limited).every((c) => c.limited)).toBe(
      true,
    );
    // Nothing more while the five are in flight.
    expect(await claimAll()).toEqual([]);
    await finish(first.filter((c) => c.delivery.webhookId === limited).slice(0, 2));
    const next = await claimAll();
    expect(next).toHaveLength(2);
    // A lease that ran out (its worker died) no longer holds its slot.
    await db.dataSource.query(`UPDATE webhook_leases SET expires_at = now() - interval '1 s'`);
    await db.dataSource.query(
      `UPDATE deliveries SET lease_expires_at = now() - interval '1 s'
       WHERE lease_owner IS NOT NULL AND webhook_id = $1`,
      [limited],
    );
    expect(await claimAll()).toHaveLength(5);
  });

  /** A PUT of the webhook made by webhook(), with max_concurrency `n`. */
  const limitTo = (id: string, n: number) =>
    new WebhooksService(new WebhookRepository(db.dataSource)).replace(PLATFORM_SCOPE, id, {
      name: 'limited',
      url: 'http://127.0.0.1:9/',
      contentType: 'application/json',
      validStatusCodes: [200],
      deliveryAttemptTimeout: 10,
      maxConcurrency: n,
    });

  it('counts the plain claim’s attempts in flight when max_concurrency is set meanwhile', async () => {
    const hook = await webhook();
    await deliveries(hook, 10);
    await clock.freeze();
    const plain = await workers[0].claim('w', 6);
    expect(plain).toHaveLength(6);
    expect(plain.some((c) => c.limited)).toBe(false);
    // Set through a PUT while the six are at the receiver.
    await limitTo(hook, 2);
    expect(await claimAll()).toEqual([]);
    // Their outcomes come in; their slots are held until their attempt timeout (10 s).
    await finish(plain.slice(0, 5));
    expect(await claimAll()).toEqual([]);
    await clock.advance(10_001);
    const next = await claimAll();
    expect(next).toHaveLength(2);
    expect(next.every((c) => c.limited)).toBe(true);
    expect(await claimAll()).toEqual([]);
  });

  it('counts an attempt whose row is held while max_concurrency is set, once it is free', async () => {
    const hook = await webhook();
    await deliveries(hook, 4);
    const plain = await workers[0].claim('w', 4);
    expect(plain).toHaveLength(4);
    // A completion (or a claim) holds one of the rows: the PUT waits for no lock, it takes
    // that one once it is free.
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    const leases = async () =>
      (
        await db.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM webhook_leases WHERE webhook_id = $1`,
          [hook],
        )
      )[0].n;
    let put: Promise<unknown> | undefined;
    try {
      await holder.query(`SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE`, [
        plain[0].delivery.id,
      ]);
      put = limitTo(hook, 2);
      await until(async () => (await leases()) === 3, 60_000, 'the three free rows adopted');
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    await put;
    expect(await leases()).toBe(4);
    expect(await claimAll()).toEqual([]);
  });

  it('makes a webhook with a large backlog limited without rewriting the backlog in the PUT', async () => {
    const hook = await webhook();
    // 20,000 pending, due and not: the PUT gives the six in flight a lease and writes none
    // of them (xmin unchanged, nothing parked); the claims park the backlog as they meet it.
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at, created_at)
       SELECT $1, g::text, now() + make_interval(secs => g * 0.01 - 100), now() - interval '200 s'
       FROM generate_series(1, 20000) g`,
      [hook],
    );
    await clock.freeze();
    const plain = await workers[0].claim('w', 6);
    expect(plain).toHaveLength(6);
    await db.dataSource.query(`DROP TABLE IF EXISTS backlog_before`);
    await db.dataSource.query(
      `CREATE TABLE backlog_before AS SELECT id, xmin::text AS x FROM deliveries WHERE webhook_id = $1`,
      [hook],
    );
    await limitTo(hook, 2);
    const [after] = await db.dataSource.query<
      { rewritten: number; parked: number; leases: number }[]
    >(
      `SELECT (SELECT count(*) FROM deliveries d JOIN backlog_before b ON b.id = d.id
               WHERE d.xmin::text <> b.x)::int AS rewritten,
              (SELECT count(*) FROM deliveries WHERE webhook_id = $1 AND parked)::int AS parked,
              (SELECT count(*) FROM webhook_leases WHERE webhook_id = $1)::int AS leases`,
      [hook],
    );
    await db.dataSource.query(`DROP TABLE backlog_before`);
    expect(after).toEqual({ rewritten: 0, parked: 0, leases: 6 });
    // The limit holds: nothing starts while the six are in flight, two once their time is over.
    expect(await claimAll()).toEqual([]);
    const [{ parked }] = await db.dataSource.query<{ parked: number }[]>(
      `SELECT count(*)::int AS parked FROM deliveries WHERE webhook_id = $1 AND parked`,
      [hook],
    );
    expect(parked).toBeGreaterThan(0);
    await clock.advance(10_001);
    const next = await claimAll();
    expect(next).toHaveLength(2);
    expect(next.every((c) => c.limited)).toBe(true);
  });

  it('counts the attempts of a plain claim whose snapshot predates the change, once it commits', async () => {
    const hook = await webhook();
    await deliveries(hook, 10);
    // A worker's claim transaction: its plain claim ran before the PUT committed (it saw the
    // webhook unlimited) and leased four rows; it commits only after the PUT's change has.
    const claimer = db.dataSource.createQueryRunner();
    await claimer.connect();
    await claimer.startTransaction();
    let put: Promise<unknown> | undefined;
    try {
      const [leased] = (await claimer.query(CLAIM_SQL, [
        'w',
        4,
        30,
        '00000000-0000-0000-0000-000000000000',
        WALK_STEPS,
      ])) as [{ leased: boolean }[]];
      expect(leased.filter((r) => r.leased)).toHaveLength(4);
      put = limitTo(hook, 2);
      await until(
        async () =>
          (
            await db.dataSource.query<{ limited: boolean }[]>(
              `SELECT limited FROM webhooks WHERE id = $1`,
              [hook],
            )
          )[0].limited,
        60_000,
        'the change committed',
      );
    } finally {
      await claimer.commitTransaction();
      await claimer.release();
    }
    await put;
    const [{ n }] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM webhook_leases WHERE webhook_id = $1`,
      [hook],
    );
    expect(n).toBe(4);
    expect(await claimAll()).toEqual([]);
  });

  it('applies a PUT that makes a webhook limited even when counting its attempts in flight fails', async () => {
    const hook = await webhook();
    await deliveries(hook, 4);
    expect(await workers[0].claim('w', 2)).toHaveLength(2);
    // A real failure of the adoption's statement, after the change has committed.
    await db.dataSource.query(`
      CREATE FUNCTION adoption_fails() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'adoption fails'; END $$`);
    await db.dataSource.query(`
      CREATE TRIGGER adoption_fails BEFORE INSERT ON webhook_leases
        FOR EACH ROW EXECUTE FUNCTION adoption_fails()`);
    try {
      await expect(limitTo(hook, 2)).resolves.toMatchObject({ id: hook, maxConcurrency: 2 });
    } finally {
      await db.dataSource.query(`DROP TRIGGER adoption_fails ON webhook_leases`);
      await db.dataSource.query(`DROP FUNCTION adoption_fails()`);
    }
    const [row] = await db.dataSource.query<{ max_concurrency: number }[]>(
      `SELECT max_concurrency FROM webhooks WHERE id = $1`,
      [hook],
    );
    expect(row.max_concurrency).toBe(2);
  });

  it('starts no more than one second of rate_limit at once, then the rate', async () => {
    const limited = await webhook({ rate_limit: 10 });
    await deliveries(limited, 100);
    // However long the claims take, no time passes for them.
    await clock.freeze();
    const burst = await claimAll();
    expect(burst).toHaveLength(10);
    await finish(burst);
    expect(await claimAll()).toEqual([]);
    await clock.advance(350); // 3.5 tokens: three whole ones
    expect(await claimAll()).toHaveLength(3);
    expect(await claimAll()).toEqual([]);
    await clock.advance(1000); // the bucket is full again: one second of rate_limit
    expect(await claimAll()).toHaveLength(10);
    await clock.advance(60_000); // a full bucket, however long it waited
    expect(await claimAll()).toHaveLength(10);
  });

  it('sends a FIFO webhook one at a time in created_at order, a waiting retry holding the line', async () => {
    const fifo = await webhook({ ordering: 'fifo' });
    const ids = await deliveries(fifo, 5);
    await clock.freeze();
    const [head] = await claimAll();
    expect(head.delivery.id).toBe(ids[0]);
    expect(await claimAll()).toEqual([]);
    // The head fails and waits for its retry: nothing overtakes it.
    await finish([head], { success: false, status: 'pending', retryInSeconds: 1 });
    expect(await claimAll()).toEqual([]);
    await clock.advance(1100);
    const [again] = await claimAll();
    expect(again.delivery.id).toBe(ids[0]);
    await finish([again]);
    const [second] = await claimAll();
    expect(second.delivery.id).toBe(ids[1]);
    // Deleting the head lets the next one go.
    await db.dataSource.query(`DELETE FROM deliveries WHERE id = $1`, [ids[1]]);
    const [third] = await claimAll();
    expect(third.delivery.id).toBe(ids[2]);
  });

  it('claims nothing while the circuit is open, one trial once it is half-open', async () => {
    const hook = await webhook({
      circuit_open_until: new Date(Date.now() + 60_000),
      circuit_cooldown: 30,
    });
    await deliveries(hook, 10);
    expect(await claimAll()).toEqual([]);
    await db.dataSource.query(
      `UPDATE webhooks SET circuit_open_until = now() - interval '1 s' WHERE id = $1`,
      [hook],
    );
    const trial = await claimAll();
    expect(trial).toHaveLength(1);
    expect(await claimAll()).toEqual([]);
    // Closed again: the parked backlog drains without a cap, through the limited claim.
    await finish(trial);
    await db.dataSource.query(
      `UPDATE webhooks SET circuit_open_until = NULL, circuit_cooldown = NULL WHERE id = $1`,
      [hook],
    );
    expect(await claimAll()).toHaveLength(9);
  });

  it('parks an inactive webhook’s due deliveries once, and serves them when it is active again', async () => {
    const off = await webhook({ active: false });
    await deliveries(off, 30);
    expect(await claimAll()).toEqual([]);
    const [{ parked }] = await db.dataSource.query<{ parked: number }[]>(
      `SELECT count(*)::int AS parked FROM deliveries WHERE parked`,
    );
    expect(parked).toBe(30);
    await db.dataSource.query(`UPDATE webhooks SET active = true`);
    for (const worker of workers) worker.lookForParkedWork(); // as the worker's waker does
    expect(await claimAll()).toHaveLength(30);
  });

  it('parks a limited or inactive webhook’s deliveries when they are created, an unlimited one’s not', async () => {
    const limited = await webhook({ max_concurrency: 2 });
    const off = await webhook({ active: false });
    const plain = await webhook();
    const repo = new DeliveryRepository(db.dataSource);
    await Promise.all(
      [limited, off, plain, limited, plain].map((webhookId) =>
        repo.create({ webhookId, payload: '{}' }),
      ),
    );
    const rows = await db.dataSource.query<{ webhook_id: string; parked: boolean }[]>(
      `SELECT d.webhook_id, d.parked, w.parked AS marked
       FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id ORDER BY 1`,
    );
    const of = (id: string) => rows.filter((r) => r.webhook_id === id);
    expect(of(limited)).toEqual([
      { webhook_id: limited, parked: true, marked: true },
      { webhook_id: limited, parked: true, marked: true },
    ]);
    expect(of(off)).toEqual([{ webhook_id: off, parked: true, marked: true }]);
    expect(of(plain).every((r) => !r.parked)).toBe(true);
    // The limited claim serves them at once, within the limit; a retry stays parked.
    const claimed = await claimRound();
    expect(claimed.map((c) => c.delivery.webhookId).sort()).toEqual(
      [limited, limited, plain, plain].sort(),
    );
    const [first] = claimed.filter((c) => c.limited);
    await finish([first], { success: false, status: 'pending', retryInSeconds: 30 });
    const [{ parked }] = await db.dataSource.query<{ parked: boolean }[]>(
      `SELECT parked FROM deliveries WHERE id = $1`,
      [first.delivery.id],
    );
    expect(parked).toBe(true);
  });

  it('purges leases that ran out over an hour ago, and only those', async () => {
    const hook = await webhook({ max_concurrency: 2 });
    const [old, recent] = await deliveries(hook, 2);
    await db.dataSource.query(
      `INSERT INTO webhook_leases (delivery_id, webhook_id, expires_at)
       VALUES ($1, $3, now() - interval '2 hours'), ($2, $3, now() - interval '10 minutes')`,
      [old, recent, hook],
    );
    expect(await completion.purgeExpiredLeases()).toBe(1);
    const left = await db.dataSource.query<{ delivery_id: string }[]>(
      `SELECT delivery_id FROM webhook_leases`,
    );
    expect(left).toEqual([{ delivery_id: recent }]);
  });

  it('unmarks a webhook once its last parked delivery is done', async () => {
    const hook = await webhook({ max_concurrency: 5 });
    const repo = new DeliveryRepository(db.dataSource);
    await Promise.all([1, 2].map(() => repo.create({ webhookId: hook, payload: '{}' })));
    const marked = async () =>
      (
        await db.dataSource.query<{ parked: boolean }[]>(
          `SELECT parked FROM webhooks WHERE id = $1`,
          [hook],
        )
      )[0].parked;
    expect(await marked()).toBe(true);
    await finish(await claimAll());
    await claimAll();
    expect(await marked()).toBe(false);
  });

  it('lets a success reset failures counted since it was claimed', async () => {
    const hook = await webhook();
    await deliveries(hook, 1);
    const [claimed] = await claimAll();
    // Other workers' failures came in while it was in flight.
    await db.dataSource.query(
      `UPDATE webhooks SET consecutive_failures = 4, failing_since = now() WHERE id = $1`,
      [hook],
    );
    await completion.complete([success(claimed)], { heal: true });
    const [row] = await db.dataSource.query<{ n: number; since: Date | null }[]>(
      `SELECT consecutive_failures AS n, failing_since AS since FROM webhooks WHERE id = $1`,
      [hook],
    );
    expect(row).toEqual({ n: 0, since: null });
  });
});
