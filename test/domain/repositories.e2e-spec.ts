import { randomUUID } from 'node:crypto';
import {
  PLATFORM_SCOPE,
  type BoundedPage,
  DeliveriesService,
  DeliveryAttemptRepository,
  DeliveryRepository,
  DeliveryWaker,
  NotFoundError,
  PayloadTooLargeError,
  WebhookRepository,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryAttemptListFilter,
  type DeliveryListFilter,
  type DeliveryInput,
  type Webhook,
} from '@app/domain';
import { loadConfig } from '@app/platform';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { until } from '../helpers/wait';
import { webhookInput } from '../helpers/fixtures';

/** Every row of a page with its bodies set as text, as the API's JSON shows them. */
async function pageToArray<T extends { id: string }>(page: BoundedPage<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const { row, bodies } of page) {
    bodies.forEach((body, i) => {
      const text = typeof body === 'string' ? body : Buffer.concat(body).toString('utf8');
      (row as Record<string, unknown>)[page.bodyProperties[i]] = text;
    });
    all.push(row);
  }
  return all;
}

describe('repositories', () => {
  let db: TestDatabase;
  let webhooks: WebhookRepository;
  let deliveries: DeliveryRepository;
  let attempts: DeliveryAttemptRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    webhooks = new WebhookRepository(db.dataSource);
    deliveries = new DeliveryRepository(db.dataSource);
    attempts = new DeliveryAttemptRepository(db.dataSource);
  });
  afterAll(() => db.drop());
  beforeEach(() => db.dataSource.query('TRUNCATE webhooks, events, idempotency_keys CASCADE'));

  const page = { limit: 50, offset: 0 };
  /** How many transactions wrote the deliveries now stored (rows of one share its xmin). */
  const insertTransactions = async (): Promise<number> => {
    const [{ n }] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(DISTINCT xmin::text)::int AS n FROM deliveries`,
    );
    return n;
  };
  const listDeliveries = async (filter: DeliveryListFilter): Promise<Delivery[]> =>
    pageToArray(await deliveries.page(PLATFORM_SCOPE, filter));
  const listAttempts = async (filter: DeliveryAttemptListFilter): Promise<DeliveryAttempt[]> =>
    pageToArray(await attempts.page(PLATFORM_SCOPE, filter));
  /** The new delivery (its webhook must exist). */
  const create = async (input: DeliveryInput): Promise<Delivery> =>
    (await deliveries.create(input))!.delivery;
  const redeliver = async (id: string): Promise<Delivery> =>
    (await deliveries.redeliver(PLATFORM_SCOPE, id))!.delivery;

  describe('WebhookRepository', () => {
    it('creates, finds, replaces and deletes', async () => {
      const created = await webhooks.create(webhookInput({ validStatusCodes: [202, 200] }));
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.validStatusCodes).toEqual([202, 200]);
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await webhooks.findById(PLATFORM_SCOPE, created.id)).toEqual(created);

      await new Promise((resolve) => setTimeout(resolve, 5)); // times are milliseconds
      const replaced = await webhooks.replace(
        PLATFORM_SCOPE,
        created.id,
        webhookInput({ name: 'renamed', active: false, secretToken: 's3cret' }),
      );
      expect(replaced).toMatchObject({ id: created.id, name: 'renamed', active: false });
      expect(replaced!.createdAt).toEqual(created.createdAt);
      expect(replaced!.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());

      expect(await webhooks.replace(PLATFORM_SCOPE, randomUUID(), webhookInput())).toBeNull();
      expect(await webhooks.delete(PLATFORM_SCOPE, created.id)).toBe(true);
      expect(await webhooks.delete(PLATFORM_SCOPE, created.id)).toBe(false);
      expect(await webhooks.findById(PLATFORM_SCOPE, created.id)).toBeNull();
    });

    it('lists by name then id, filtered by active and created_at, paged', async () => {
      const made: Webhook[] = [];
      for (const [name, active] of [
        ['charlie', true],
        ['alpha', false],
        ['bravo', true],
        ['alpha', true],
      ] as const) {
        made.push(await webhooks.create(webhookInput({ name, active })));
      }
      const all = (await webhooks.list(PLATFORM_SCOPE, page)).rows;
      const expected = [...made].sort((a, b) =>
        a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1,
      );
      expect(all.map((w) => w.id)).toEqual(expected.map((w) => w.id));
      expect(
        (await webhooks.list(PLATFORM_SCOPE, { ...page, active: false })).rows.map((w) => w.id),
      ).toEqual([made[1].id]);
      expect(
        (await webhooks.list(PLATFORM_SCOPE, { limit: 2, offset: 1 })).rows.map((w) => w.id),
      ).toEqual(expected.slice(1, 3).map((w) => w.id));
      const bound = made[0].createdAt;
      expect(
        (await webhooks.list(PLATFORM_SCOPE, { ...page, createdAt: { lt: bound } })).rows,
      ).toEqual([]);
      expect(
        (await webhooks.list(PLATFORM_SCOPE, { ...page, createdAt: { lte: bound } })).rows.length,
      ).toBeGreaterThan(0);
    });
  });

  describe('DeliveryRepository', () => {
    it('folds concurrent creates into shared statements, each caller getting its own row', async () => {
      const [a, b] = await Promise.all([
        webhooks.create(webhookInput()),
        webhooks.create(webhookInput()),
      ]);
      const inputs = Array.from({ length: 300 }, (_, n) => ({
        webhookId: n % 10 === 9 ? randomUUID() : n % 2 ? a.id : b.id,
        payload: `{"n":${n}}`,
        scheduledAt: n % 7 === 0 ? new Date(Date.now() + 60_000) : undefined,
      }));
      const created = await Promise.all(inputs.map((input) => deliveries.create(input)));
      inputs.forEach((input, n) => {
        if (n % 10 === 9) return expect(created[n]).toBeNull();
        expect(created[n]!.delivery).toMatchObject({
          webhookId: input.webhookId,
          payload: input.payload,
        });
        if (n % 7 === 0) expect(created[n]!.dueInMs).toBeGreaterThan(50_000);
        else expect(created[n]!.dueInMs).toBe(0);
      });
      const stored = await db.dataSource.query<{ payload: string }[]>(
        'SELECT payload FROM deliveries ORDER BY payload',
      );
      expect(stored.map((r) => r.payload).sort()).toEqual(
        inputs
          .filter((_, n) => n % 10 !== 9)
          .map((i) => i.payload)
          .sort(),
      );
      // Fewer transactions than rows: they shared INSERTs.
      expect(await insertTransactions()).toBeLessThan(stored.length);
    });

    it('fails only the bad row of a shared statement', async () => {
      const hook = await webhooks.create(webhookInput());
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, n) =>
          deliveries.create({
            webhookId: hook.id,
            payload: `{"n":${n}}`,
            // Past what timestamptz holds: the database refuses it (SQLSTATE 22008).
            scheduledAt: n === 17 ? '294277-01-01T00:00:00Z' : undefined,
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      expect(results[17]).toMatchObject({ status: 'rejected', reason: { code: '22008' } });
      const [{ count }] = await db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM deliveries',
      );
      expect(count).toBe(39);
    });

    it('creates for an existing webhook only', async () => {
      const hook = await webhooks.create(webhookInput());
      const delivery = await create({ webhookId: hook.id, payload: '{"ok":true}' });
      expect(delivery).toMatchObject({
        webhookId: hook.id,
        payload: '{"ok":true}',
        status: 'pending',
        deliveryAttempts: 0,
      });
      expect(delivery.scheduledAt.getTime()).toBe(delivery.createdAt.getTime());
      expect(await deliveries.create({ webhookId: randomUUID(), payload: 'x' })).toBeNull();
    });

    it('DeliveriesService wakes the workers after creating, with the time until due', async () => {
      const service = new DeliveriesService(
        deliveries,
        new DeliveryWaker(db.dataSource),
        loadConfig({ POSTMAND_MAX_PAYLOAD_BYTES: '16' }),
      );
      const hook = await webhooks.create(webhookInput());
      const listener = new Client({ connectionString: db.url });
      await listener.connect();
      const payloads: number[] = [];
      listener.on('notification', (n) => payloads.push(Number(n.payload)));
      await listener.query('LISTEN postmand_wakeup');
      try {
        const now = await service.create({ webhookId: hook.id, payload: 'now' });
        await until(() => Promise.resolve(payloads.length === 1));
        expect(payloads[0]).toBe(0);
        await service.create({
          webhookId: hook.id,
          payload: 'later',
          scheduledAt: new Date(Date.now() + 60_000),
        });
        await until(() => Promise.resolve(payloads.length === 2));
        expect(payloads[1]).toBeGreaterThan(50_000);
        expect(payloads[1]).toBeLessThanOrEqual(60_000);
        await service.redeliver(PLATFORM_SCOPE, now.id);
        await until(() => Promise.resolve(payloads.length === 3));
        expect(payloads[2]).toBe(0);
      } finally {
        await listener.end();
      }
      await expect(service.create({ webhookId: randomUUID(), payload: 'x' })).rejects.toEqual(
        new NotFoundError('webhook'),
      );
      await expect(service.redeliver(PLATFORM_SCOPE, randomUUID())).rejects.toEqual(
        new NotFoundError('delivery'),
      );
      await expect(service.create({ webhookId: hook.id, payload: 'é'.repeat(9) })).rejects.toEqual(
        new PayloadTooLargeError(18, 16),
      );
    });

    it('keeps a requested scheduled_at and the payload byte for byte', async () => {
      const hook = await webhooks.create(webhookInput());
      const when = new Date('2031-05-06T07:08:09.123Z');
      const payload = 'ünïcødé \u{1F680} \r\n\t "quoted" \\ back';
      const delivery = await create({ webhookId: hook.id, payload, scheduledAt: when });
      const found = await deliveries.findById(PLATFORM_SCOPE, delivery.id);
      expect(found!.scheduledAt.toISOString()).toBe('2031-05-06T07:08:09.123Z');
      expect(found!.payload).toBe(payload);
    });

    it('redelivers as a new pending delivery and deletes with attempts', async () => {
      const hook = await webhooks.create(webhookInput());
      const first = await create({ webhookId: hook.id, payload: 'p' });
      await db.dataSource.query(
        `UPDATE deliveries SET status = 'failed', delivery_attempts = 5 WHERE id = $1`,
        [first.id],
      );
      const again = await redeliver(first.id);
      expect(again).toMatchObject({ webhookId: hook.id, payload: 'p', status: 'pending' });
      expect(again.id).not.toBe(first.id);
      expect(again.deliveryAttempts).toBe(0);
      expect(await deliveries.redeliver(PLATFORM_SCOPE, randomUUID())).toBeNull();
      expect(await deliveries.delete(first.id)).toBe(true);
      expect(await deliveries.findById(PLATFORM_SCOPE, first.id)).toBeNull();
      expect(await deliveries.delete(first.id)).toBe(false);
    });

    it('lists newest first, filtered by webhook, status and created_at', async () => {
      const a = await webhooks.create(webhookInput({ name: 'aaa' }));
      const b = await webhooks.create(webhookInput({ name: 'bbb' }));
      const made = [];
      for (const hook of [a, b, a]) made.push(await create({ webhookId: hook.id, payload: 'x' }));
      await db.dataSource.query(`UPDATE deliveries SET status = 'succeeded' WHERE id = $1`, [
        made[2].id,
      ]);

      const all = await listDeliveries(page);
      expect(all).toHaveLength(3);
      for (let i = 1; i < all.length; i++) {
        const [prev, cur] = [all[i - 1], all[i]];
        const ordered =
          prev.createdAt > cur.createdAt ||
          (+prev.createdAt === +cur.createdAt && prev.id > cur.id);
        expect(ordered).toBe(true);
      }
      const ofA = await listDeliveries({ ...page, webhookId: a.id });
      expect(ofA.map((d) => d.id).sort()).toEqual([made[0].id, made[2].id].sort());
      const done = await listDeliveries({ ...page, webhookId: a.id, status: 'succeeded' });
      expect(done.map((d) => d.id)).toEqual([made[2].id]);
      expect(await listDeliveries({ ...page, status: 'failed' })).toEqual([]);
      const after = await listDeliveries({ ...page, createdAt: { gt: made[2].createdAt } });
      expect(after).toEqual([]);
      const upTo = await listDeliveries({ ...page, createdAt: { gte: made[0].createdAt } });
      expect(upTo).toHaveLength(3);
    });
  });

  describe('DeliveryAttemptRepository', () => {
    it('finds and lists attempts filtered by webhook, delivery and success', async () => {
      const hook = await webhooks.create(webhookInput());
      const d1 = await create({ webhookId: hook.id, payload: '1' });
      const d2 = await create({ webhookId: hook.id, payload: '2' });
      const insert = (deliveryId: string, success: boolean): Promise<{ id: string }[]> =>
        db.dataSource.query(
          `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
             response_status_code, execution_duration, success, error)
           VALUES ($1, $2, 'POST / HTTP/1.1', '', $3, 12, $4, $5) RETURNING id`,
          [hook.id, deliveryId, success ? 200 : 0, success, success ? '' : 'connection refused'],
        );
      const [[ok], [bad], [other]] = [
        await insert(d1.id, true),
        await insert(d1.id, false),
        await insert(d2.id, true),
      ];

      const found = await attempts.findById(PLATFORM_SCOPE, bad.id);
      expect(found).toMatchObject({
        id: bad.id,
        deliveryId: d1.id,
        webhookId: hook.id,
        responseStatusCode: 0,
        executionDuration: 12,
        success: false,
        error: 'connection refused',
      });
      expect(await attempts.findById(PLATFORM_SCOPE, randomUUID())).toBeNull();
      const ids = async (filter: object): Promise<string[]> =>
        (await listAttempts({ ...page, ...filter })).map((a) => a.id).sort();
      expect(await ids({ deliveryId: d1.id })).toEqual([ok.id, bad.id].sort());
      expect(await ids({ webhookId: hook.id, success: true })).toEqual([ok.id, other.id].sort());
      expect(await ids({ success: false })).toEqual([bad.id]);
      expect(await ids({ webhookId: randomUUID() })).toEqual([]);
    });
  });
});
