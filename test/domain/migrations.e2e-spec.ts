import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  assertSchemaCurrent,
  migrate,
  MIGRATIONS,
  pendingMigrations,
  SchemaNotCurrentError,
} from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { migratedBefore, WEBHOOK_COLUMNS } from '../helpers/migrations';

/** Every migration's name, oldest first. */
const ALL = [
  'InitialSchema1764374400000',
  'Events1764979200000',
  'EventFanOutWithoutForeignKey1765065600000',
  'EndpointProtection1765152000000',
  'PendingDeliveriesByWebhook1765152000001',
  'PartitionedAttempts1765238400000',
  'AccessControl1765324800000',
  'EventPayloadOnce1765411200000',
  'Tenants1765497600000',
  'TenantIndexes1765497600001',
  'TenantOwnership1765584000000',
  'TenantFanOut1765670400000',
  'TenantFanOutIndexes1765670400001',
  'EventTypes1765756800000',
  'EventTypesValidate1765756800001',
  'SubscriptionFilters1765756800010',
  'TenantStatusIndexes1765756800020',
  'JsonDocFunctionSafety1765756800030',
  'FairClaimIndex1765843200000',
];

describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.drop());

  const insertWebhook = (overrides: Record<string, unknown> = {}): Promise<unknown> => {
    const row = {
      name: 'hook',
      url: 'https://example.com/hook',
      content_type: 'application/json',
      valid_status_codes: [200],
      max_delivery_attempts: 5,
      delivery_attempt_timeout: 10,
      retry_min_backoff: 10,
      retry_max_backoff: 60,
      ...overrides,
    };
    return db.dataSource.query(
      `INSERT INTO webhooks (${WEBHOOK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING id`,
      Object.values(row),
    );
  };

  it('refuses to serve an empty database and names what is pending', async () => {
    expect(await pendingMigrations(db.dataSource)).toEqual(ALL);
    await expect(assertSchemaCurrent(db.dataSource)).rejects.toThrow(SchemaNotCurrentError);
    await expect(assertSchemaCurrent(db.dataSource)).rejects.toThrow(/postmand migrate/);
  });

  it('applies the schema on an empty database, and only once', async () => {
    expect(await migrate(db.dataSource)).toEqual(ALL);
    expect(await migrate(db.dataSource)).toEqual([]);
    await expect(assertSchemaCurrent(db.dataSource)).resolves.toBeUndefined();
    // Tables and views, leaving out partitions (their names carry the day).
    const tables = await db.dataSource.query<{ table_name: string }[]>(
      `SELECT t.table_name FROM information_schema.tables t
       JOIN pg_class c ON c.relname = t.table_name AND NOT c.relispartition
       WHERE t.table_schema = 'public' ORDER BY t.table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'api_keys',
      'deliveries',
      'deliveries_full',
      'delivery_attempts',
      'delivery_attempts_full',
      'event_types',
      'events',
      'idempotency_keys',
      'migrations',
      'portal_sessions',
      'tenants',
      'webhook_event_types',
      'webhook_leases',
      'webhooks',
    ]);
  });

  it('serialises concurrent migrate calls', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const second = new DataSource(fresh.dataSource.options);
      await second.initialize();
      const results = await Promise.all([migrate(fresh.dataSource), migrate(second)]);
      await second.destroy();
      expect(results.flat()).toEqual(ALL);
    } finally {
      await fresh.drop();
    }
  });

  it.each([
    ['a name shorter than 3 characters', { name: 'ab' }],
    ['a URL that is not http(s)', { url: 'mailto:ops@example.com' }],
    ['an empty content type', { content_type: '' }],
    ['no valid status codes', { valid_status_codes: [] }],
    ['a status code out of range', { valid_status_codes: [200, 600] }],
    ['zero attempts', { max_delivery_attempts: 0 }],
    ['a timeout over 300 s', { delivery_attempt_timeout: 301 }],
    ['a max backoff below the min', { retry_min_backoff: 60, retry_max_backoff: 10 }],
  ])('rejects a webhook with %s', async (_, overrides) => {
    await expect(insertWebhook(overrides)).rejects.toThrow(/violates check constraint/);
  });

  it('rejects a bad delivery status, a half lease and an unknown webhook', async () => {
    const [{ id }] = (await insertWebhook()) as { id: string }[];
    await expect(
      db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload, status) VALUES ($1, '', 'done')`,
        [id],
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload, lease_owner) VALUES ($1, '', 'w1')`,
        [id],
      ),
    ).rejects.toThrow(/deliveries_lease_check/);
    await expect(
      db.dataSource.query(`INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '')`, [
        randomUUID(),
      ]),
    ).rejects.toThrow(/foreign key/);
  });

  it('stores times with millisecond precision and durations over 32 s', async () => {
    const [{ id }] = (await insertWebhook()) as { id: string }[];
    const [delivery] = await db.dataSource.query<{ id: string; scheduled_at: Date }[]>(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
       VALUES ($1, 'x', '2021-03-08T20:41:25.433671Z') RETURNING id, scheduled_at`,
      [id],
    );
    expect(delivery.scheduled_at.toISOString()).toBe('2021-03-08T20:41:25.434Z');
    await db.dataSource.query(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success)
       VALUES ($1, $2, '', '', 0, 300000, false)`,
      [id, delivery.id],
    );
  });

  it('deletes deliveries and attempts with their webhook', async () => {
    const [{ id }] = (await insertWebhook()) as { id: string }[];
    const [delivery] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO deliveries (webhook_id, payload) VALUES ($1, 'x') RETURNING id`,
      [id],
    );
    await db.dataSource.query(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success) VALUES ($1, $2, '', '', 200, 5, true)`,
      [id, delivery.id],
    );
    await db.dataSource.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
    const [counts] = await db.dataSource.query<{ deliveries: number; attempts: number }[]>(
      `SELECT (SELECT count(*) FROM deliveries WHERE id = $1)::int AS deliveries,
              (SELECT count(*) FROM delivery_attempts WHERE delivery_id = $1)::int AS attempts`,
      [delivery.id],
    );
    expect(counts).toEqual({ deliveries: 0, attempts: 0 });
  });

  it('notifies listeners when a webhook is re-activated', async () => {
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => payloads.push(n.payload ?? ''));
    await listener.query('LISTEN postmand_wakeup');
    try {
      const [{ id }] = (await insertWebhook()) as { id: string }[];
      await db.dataSource.query(`UPDATE webhooks SET active = false WHERE id = $1`, [id]);
      await db.dataSource.query(`UPDATE webhooks SET name = 'renamed' WHERE id = $1`, [id]);
      await db.dataSource.query(`UPDATE webhooks SET active = true WHERE id = $1`, [id]);
      await listener.query('SELECT 1'); // notifications arrive before this round trip ends
      expect(payloads).toEqual(['webhook']);
    } finally {
      await listener.end();
    }
  });

  it('upgrades a v1 database with rows in it: its webhooks receive every event', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const v1 = new DataSource({ ...fresh.dataSource.options, migrations: [MIGRATIONS[0]] });
      await v1.initialize();
      await v1.runMigrations({ transaction: 'each' });
      const [{ id }] = await v1.query<{ id: string }[]>(
        `INSERT INTO webhooks (id, name, url, content_type, valid_status_codes, max_delivery_attempts,
           delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
         VALUES (gen_random_uuid(), 'old', 'http://old.example/hook', 'application/json', '{200}',
           5, 10, 10, 3600) RETURNING id`,
      );
      await v1.query(
        `INSERT INTO deliveries (id, webhook_id, payload, scheduled_at)
                      VALUES (gen_random_uuid(), $1, '{}', now())`,
        [id],
      );
      await v1.destroy();
      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(1));
      expect(await fresh.dataSource.query(`SELECT event_types FROM webhooks`)).toEqual([
        { event_types: ['*'] },
      ]);
      expect(
        await fresh.dataSource.query(`SELECT event_id, event_type, payload FROM deliveries`),
      ).toEqual([{ event_id: null, event_type: null, payload: '{}' }]);
    } finally {
      await fresh.drop();
    }
  });

  it('partitions a delivery_attempts table with rows in it without rewriting it', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const { old, webhookId, before } = await migratedBefore(
        fresh,
        'PartitionedAttempts1765238400000',
      );
      const [{ id: deliveryId }] = await old.query<{ id: string }[]>(
        `INSERT INTO deliveries (webhook_id, payload) VALUES ($1, '{"n":1}') RETURNING id`,
        [webhookId],
      );
      await old.query(
        `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
           response_status_code, execution_duration, success, created_at)
         SELECT $1, $2, 'POST / HTTP/1.1' || chr(13) || chr(10) || chr(13) || chr(10) || '{"n":1}',
                'HTTP/1.1 200 OK', 200, 3, true, now() - make_interval(days => g)
         FROM generate_series(0, 39) g`,
        [webhookId, deliveryId],
      );
      const [{ file }] = await old.query<{ file: string }[]>(
        `SELECT pg_relation_filenode('delivery_attempts')::text AS file`,
      );
      await old.destroy();

      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(before));
      const q = fresh.dataSource;
      // The old table is the first partition, the same file: nothing was rewritten.
      const partitions = await q.query<{ name: string; bound: string; file: string }[]>(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
                pg_relation_filenode(c.oid)::text AS file
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'delivery_attempts'::regclass ORDER BY c.relname`,
      );
      expect(partitions.map((p) => p.name)).toEqual([
        'delivery_attempts_default',
        'delivery_attempts_legacy',
        expect.stringMatching(/^delivery_attempts_p\d{8}$/),
        expect.stringMatching(/^delivery_attempts_p\d{8}$/),
        expect.stringMatching(/^delivery_attempts_p\d{8}$/),
      ]);
      const legacy = partitions.find((p) => p.name === 'delivery_attempts_legacy')!;
      expect(legacy.file).toBe(file);
      expect(legacy.bound).toMatch(/^FOR VALUES FROM \(MINVALUE\) TO \('.+'\)$/);
      // Every row is there and reads as before, through the API's view.
      const rows = await q.query<{ n: number; whole: boolean }[]>(
        `SELECT count(*)::int AS n, bool_and(raw_request LIKE '%{"n":1}') AS whole
         FROM delivery_attempts_full WHERE delivery_id = $1`,
        [deliveryId],
      );
      expect(rows).toEqual([{ n: 40, whole: true }]);
      // New rows go where their day is, the key still unique per partition.
      await q.query(
        `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
           response_status_code, execution_duration, success, request_body_omitted, created_at)
         VALUES ($1, $2, 'POST / HTTP/1.1' || chr(13) || chr(10) || chr(13) || chr(10), '', 0, 1,
                 false, true, date_trunc('day', now(), 'UTC') + interval '2 days 1 hour')`,
        [webhookId, deliveryId],
      );
      const [{ partition, request }] = await q.query<{ partition: string; request: string }[]>(
        `SELECT a.tableoid::regclass::text AS partition, f.raw_request AS request
         FROM delivery_attempts a JOIN delivery_attempts_full f ON f.id = a.id
         WHERE a.request_body_omitted`,
      );
      expect(partition).toMatch(/^delivery_attempts_p\d{8}$/);
      expect(request).toBe('POST / HTTP/1.1\r\n\r\n{"n":1}');
    } finally {
      await fresh.drop();
    }
  });

  it('stores new event payloads once, leaves older event deliveries as they were, and reverts by copying them back', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const { old, webhookId, before } = await migratedBefore(
        fresh,
        'EventPayloadOnce1765411200000',
      );
      const [oldEvent, newEvent] = [randomUUID(), randomUUID()];
      await old.query(
        `INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count)
         VALUES ($1, 'a.b', '{"old":1}', now(), 1)`,
        [oldEvent],
      );
      const [{ id: oldDelivery }] = await old.query<{ id: string }[]>(
        `INSERT INTO deliveries (webhook_id, payload, event_id, event_type)
         VALUES ($1, '{"old":1}', $2, 'a.b') RETURNING id`,
        [webhookId, oldEvent],
      );
      await old.destroy();

      expect(await migrate(fresh.dataSource)).toEqual(ALL.slice(before));
      const q = fresh.dataSource;
      // Left as it was: its own copy.
      expect(await q.query(`SELECT payload FROM deliveries WHERE id = $1`, [oldDelivery])).toEqual([
        { payload: '{"old":1}' },
      ]);
      // A new delivery of an event stores no payload and reads the event's.
      await q.query(
        `INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count)
         VALUES ($1, 'a.b', '{"new":2}', now(), 1)`,
        [newEvent],
      );
      const [{ id: newDelivery }] = await q.query<{ id: string }[]>(
        `INSERT INTO deliveries (webhook_id, event_id, event_type) VALUES ($1, $2, 'a.b')
         RETURNING id`,
        [webhookId, newEvent],
      );
      expect(await q.query(`SELECT id, payload FROM deliveries_full ORDER BY payload`)).toEqual([
        { id: newDelivery, payload: '{"new":2}' },
        { id: oldDelivery, payload: '{"old":1}' },
      ]);
      // Neither a payload nor an event: refused.
      await expect(
        q.query(`INSERT INTO deliveries (webhook_id) VALUES ($1)`, [webhookId]),
      ).rejects.toThrow(/deliveries_payload_or_event/);

      // Back to before EventPayloadOnce (and the migrations that came after it).
      for (let i = before; i < ALL.length; i++) {
        await q.undoLastMigration({ transaction: 'each' });
      }
      expect(await q.query(`SELECT id, payload FROM deliveries ORDER BY payload`)).toEqual([
        { id: newDelivery, payload: '{"new":2}' },
        { id: oldDelivery, payload: '{"old":1}' },
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it('reverts cleanly, and applies again after that', async () => {
    for (let i = 0; i < ALL.length; i++)
      await db.dataSource.undoLastMigration({ transaction: 'each' });
    const [{ count }] = await db.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM information_schema.tables
       WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(count).toBe(0);
    expect(await migrate(db.dataSource)).toEqual(ALL);
  });
});
