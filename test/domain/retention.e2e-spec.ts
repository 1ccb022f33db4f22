import { Client } from 'pg';
import {
  PLATFORM_SCOPE,
  attemptPartitions,
  AttemptPartitionsRepository,
  DeliveryRepository,
  ensureAttemptPartitions,
  IdempotencyRepository,
  partitionName,
  PARTITION_DAYS_AHEAD,
  RetentionRepository,
  RetentionService,
  UnitOfWork,
} from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';

const DAY = 86_400;

/**
 * Retention (SPEC §8) against a clock set through the data: rows are written as if made
 * days ago, into partitions created for those days, and a run with a cut-off of 30 days
 * must leave exactly what the SPEC keeps.
 */
describe('retention', () => {
  let db: TestDatabase;
  let retention: RetentionService;
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    db.dataSource.query<T[]>(sql, params);

  beforeEach(async () => {
    db = await createTestDatabase();
    retention = new RetentionService(
      new RetentionRepository(db.dataSource),
      new AttemptPartitionsRepository(db.dataSource),
      new IdempotencyRepository(db.dataSource),
    );
  });
  afterEach(() => db.drop());

  const webhook = async (): Promise<string> => {
    const [{ id }] = await q<{ id: string }>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ('hook', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60)
       RETURNING id`,
    );
    return id;
  };
  /** A delivery made `daysAgo` days ago, with one attempt then; its id. */
  const delivery = async (
    webhookId: string,
    status: string,
    daysAgo: number,
    eventId: string | null = null,
  ): Promise<string> => {
    const [{ id }] = await q<{ id: string }>(
      `INSERT INTO deliveries (webhook_id, payload, status, created_at, updated_at, scheduled_at,
         event_id, event_type)
       VALUES ($1, '{}', $2, now() - make_interval(days => $3), now() - make_interval(days => $3),
               now() - make_interval(days => $3), $4, CASE WHEN $4::uuid IS NULL THEN NULL ELSE 'e.t' END)
       RETURNING id`,
      [webhookId, status, daysAgo, eventId],
    );
    await q(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, created_at)
       VALUES ($1, $2, 'POST / HTTP/1.1', '', 0, 1, false, now() - make_interval(days => $3))`,
      [webhookId, id, daysAgo],
    );
    return id;
  };
  const event = async (daysAgo: number): Promise<string> => {
    const [{ id }] = await q<{ id: string }>(
      `INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count, created_at)
       VALUES (gen_random_uuid(), 'e.t', '{}', now(), 0, now() - make_interval(days => $1))
       RETURNING id`,
      [daysAgo],
    );
    return id;
  };
  const ids = async (table: string): Promise<string[]> =>
    (await q<{ id: string }>(`SELECT id::text FROM ${table} ORDER BY id`)).map((r) => r.id).sort();

  it('keeps a daily partition ready from today through the days ahead', async () => {
    const partitions = await attemptPartitions(db.dataSource);
    const days = partitions.filter((p) => !p.isDefault);
    expect(partitions[partitions.length - 1].isDefault).toBe(true);
    expect(days.length).toBe(3);
    // The worker tops them up: today .. today + PARTITION_DAYS_AHEAD.
    await ensureAttemptPartitions(db.dataSource);
    const after = (await attemptPartitions(db.dataSource)).filter((p) => !p.isDefault);
    expect(after.length).toBe(PARTITION_DAYS_AHEAD + 1);
    for (const p of after) {
      expect(p.name).toBe(partitionName(p.from!));
      expect(p.to!.getTime() - p.from!.getTime()).toBe(DAY * 1000);
    }
    // Again: nothing to do.
    expect(await ensureAttemptPartitions(db.dataSource)).toEqual([]);
  });

  it('moves attempts that fell into the DEFAULT partition into their day once it is created', async () => {
    const hook = await webhook();
    await delivery(hook, 'succeeded', 45);
    const [{ where }] = await q<{ where: string }>(
      `SELECT tableoid::regclass::text AS where FROM delivery_attempts`,
    );
    expect(where).toBe('delivery_attempts_default');
    const created = await ensureAttemptPartitions(
      db.dataSource,
      new Date(Date.now() - 46 * DAY * 1000),
    );
    expect(created.length).toBeGreaterThanOrEqual(46);
    const [{ where: now }] = await q<{ where: string }>(
      `SELECT tableoid::regclass::text AS where FROM delivery_attempts`,
    );
    expect(now).toMatch(/^delivery_attempts_p\d{8}$/);
    expect(await q(`SELECT 1 FROM delivery_attempts_default`)).toEqual([]);
  });

  it('removes what is older than the cut-off and keeps pending deliveries, recent rows and what they need', async () => {
    await ensureAttemptPartitions(db.dataSource, new Date(Date.now() - 40 * DAY * 1000));
    const hook = await webhook();
    const oldEvent = await event(35); // all its deliveries old and finished: goes
    const busyEvent = await event(35); // one delivery still pending: stays
    await event(35); // matched nothing: goes
    const newEvent = await event(1);
    // These three go: finished, and made before the cut-off.
    await delivery(hook, 'succeeded', 35, oldEvent);
    const retried = await delivery(hook, 'failed', 35, oldEvent);
    await delivery(hook, 'succeeded', 31, busyEvent);
    const pendingOld = await delivery(hook, 'pending', 35, busyEvent);
    const recent = [
      await delivery(hook, 'succeeded', 1, newEvent),
      await delivery(hook, 'failed', 29),
      await delivery(hook, 'pending', 0),
    ];
    // An attempt with no day of its own (100 days ago) sits in the DEFAULT partition.
    await q(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, created_at)
       VALUES ($1, $2, '', '', 0, 1, false, now() - interval '100 days')`,
      [hook, pendingOld],
    );
    // The failed one's last attempt was 10 days ago, in a day that stays: it goes with
    // its delivery.
    await q(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, created_at)
       VALUES ($1, $2, '', '', 0, 1, false, now() - interval '10 days')`,
      [hook, retried],
    );
    await q(
      `INSERT INTO idempotency_keys (key, fingerprint, status, body, expires_at) VALUES
         ('gone', '\\x00', 201, '{}', now() - interval '1 second'),
         ('live', '\\x00', 201, '{}', now() + interval '1 hour')`,
    );
    const partitionsBefore = (await attemptPartitions(db.dataSource)).length;
    const deliveriesBefore = await ids('deliveries');
    const attemptsBefore = await ids('delivery_attempts');

    const dry = await retention.run({ olderThanSeconds: 30 * DAY, dryRun: true });
    expect(dry!.deleted).toEqual({
      // Four old attempts in dropped days, the 100-day-old one; the 31-day-old delivery's
      // attempt goes with its partition too; the 10-day-old one with its delivery.
      delivery_attempts: 6,
      deliveries: 3,
      events: 2,
      idempotency_keys: 1,
    });
    // A dry run changes nothing.
    expect(await ids('deliveries')).toEqual(deliveriesBefore);
    expect(await ids('delivery_attempts')).toEqual(attemptsBefore);
    expect((await attemptPartitions(db.dataSource)).length).toBe(partitionsBefore);

    const report = await retention.run({ olderThanSeconds: 30 * DAY, batch: 1 });
    expect(report!.deleted).toEqual(dry!.deleted);
    expect(await ids('deliveries')).toEqual([pendingOld, ...recent].sort());
    expect(await ids('events')).toEqual([busyEvent, newEvent].sort());
    expect(await q(`SELECT key FROM idempotency_keys`)).toEqual([{ key: 'live' }]);
    // Attempts: those of the last 30 days, whatever their delivery (the pending one's old
    // attempts went with their days).
    const attempts = await q<{ delivery_id: string }>(
      `SELECT delivery_id::text FROM delivery_attempts ORDER BY delivery_id`,
    );
    expect(attempts.map((a) => a.delivery_id).sort()).toEqual([...recent].sort());
    // Every day whose end is before the cut-off is dropped whole; the rest are kept.
    const cutoff = report!.cutoff.getTime();
    const left = (await attemptPartitions(db.dataSource)).filter((p) => !p.isDefault);
    expect(left.every((p) => p.to!.getTime() > cutoff)).toBe(true);
    expect(report!.droppedPartitions.length).toBe(10);
    expect(left[0].from!.getTime()).toBeLessThanOrEqual(cutoff);
  });

  it('keeps an event whose payload a redelivery is taking up, while the redelivery commits', async () => {
    // A delivery of an event stores no payload: it reads the event's.
    const hook = await webhook();
    const eventId = await event(40);
    await q(`UPDATE events SET payload = '{"kept":true}' WHERE id = $1`, [eventId]);
    const [{ id: old }] = await q<{ id: string }>(
      `INSERT INTO deliveries (webhook_id, status, created_at, updated_at, event_id, event_type)
       VALUES ($1, 'failed', now() - interval '40 days', now() - interval '40 days', $2, 'e.t')
       RETURNING id`,
      [hook, eventId],
    );
    // The partitions made first: creating one waits for the open transaction's writes.
    await ensureAttemptPartitions(db.dataSource);
    const deliveries = new DeliveryRepository(db.dataSource);
    let copy: string | undefined;
    await db.dataSource.transaction(async (manager) => {
      copy = (await deliveries.redeliver(PLATFORM_SCOPE, old, new UnitOfWork(manager)))?.delivery
        .id;
      // Retention runs while the copy is not committed: the old delivery goes, its event
      // stays (the copy holds it).
      const report = await retention.run({ olderThanSeconds: 30 * DAY });
      expect(report?.deleted.deliveries).toBe(1);
      expect(report?.deleted.events).toBe(0);
    });
    expect(copy).toBeDefined();
    expect(await q(`SELECT id, payload FROM deliveries_full`)).toEqual([
      { id: copy, payload: '{"kept":true}' },
    ]);
    // With the copy committed, a run sees it and keeps the event again.
    expect((await retention.run({ olderThanSeconds: 30 * DAY }))?.deleted.events).toBe(0);
    expect(await ids('events')).toEqual([eventId]);
  });

  it('goes on removing old rows when the days ahead cannot be partitioned now, and says why', async () => {
    const hook = await webhook();
    await delivery(hook, 'succeeded', 40);
    const last = (await attemptPartitions(db.dataSource)).filter((p) => !p.isDefault).at(-1)!;
    await q(`DROP TABLE ${last.name}`);
    // A writer's transaction that stays open on webhooks: the partition DDL cannot lock it.
    const writer = new Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query('LOCK TABLE webhooks IN ROW EXCLUSIVE MODE');
      const report = await retention.run({ olderThanSeconds: 30 * DAY });
      expect(report?.partitionsFailure).toMatch(
        new RegExp(`^creating ${last.name}: the tables it locks stayed busy through`),
      );
      expect(report?.deleted).toEqual({
        delivery_attempts: 1,
        deliveries: 1,
        events: 0,
        idempotency_keys: 0,
      });
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    expect(await ids('deliveries')).toEqual([]);
    // The next upkeep makes the day.
    expect(await ensureAttemptPartitions(db.dataSource)).toContain(last.name);
  });

  it('runs in one process at a time: a run that finds another one going does nothing', async () => {
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(74061314)');
      expect(await retention.run({ olderThanSeconds: 0 })).toBeNull();
      await other.query('SELECT pg_advisory_unlock(74061314)');
      expect(await retention.run({ olderThanSeconds: 0 })).not.toBeNull();
    } finally {
      await other.end();
    }
  });

  it('with a cut-off of now leaves only pending deliveries, their events and unexpired keys', async () => {
    const hook = await webhook();
    const e = await event(0);
    await delivery(hook, 'succeeded', 0, e);
    const pending = await delivery(hook, 'pending', 0, e);
    await delivery(hook, 'failed', 0);
    const dry = await retention.run({ olderThanSeconds: 0, dryRun: true });
    const report = await retention.run({ olderThanSeconds: 0 });
    expect(report!.deleted.deliveries).toBe(2);
    // The two attempts of today's partition went with their deliveries: counted too, by
    // the dry run as well.
    expect(report!.deleted.delivery_attempts).toBe(2);
    expect(dry!.deleted).toEqual(report!.deleted);
    expect(await ids('deliveries')).toEqual([pending]);
    expect(await ids('events')).toEqual([e]);
    // Today's partition is not over yet: it stays, holding the pending delivery's attempt
    // (the others went with their deliveries).
    expect(await q(`SELECT delivery_id::text FROM delivery_attempts`)).toEqual([
      { delivery_id: pending },
    ]);
  });
});
