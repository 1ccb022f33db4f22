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
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const WEBHOOK_COLUMNS = `name, url, content_type, valid_status_codes, max_delivery_attempts,
  delivery_attempt_timeout, retry_min_backoff, retry_max_backoff`;

/** Every migration's name, oldest first. */
const ALL = [
  'InitialSchema1764374400000',
  'Events1764979200000',
  'EventFanOutWithoutForeignKey1765065600000',
  'EndpointProtection1765152000000',
  'PendingDeliveriesByWebhook1765152000001',
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
    const tables = await db.dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'deliveries',
      'delivery_attempts',
      'events',
      'idempotency_keys',
      'migrations',
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
