import {
  DeliveryAttemptRepository,
  DeliveryRepository,
  PLATFORM_SCOPE,
  tenantScope,
  WebhookRepository,
} from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { webhookInput } from '../helpers/fixtures';

/**
 * The repositories' scope (§11, §12): a tenant's scope finds its own rows and none of
 * another's, by id, in lists, and in the writes addressed by id; the platform's finds all.
 * (Events, whose repository is not on the domain's surface, are the API tests'.)
 */
describe('tenant scope in the repositories', () => {
  let db: TestDatabase;
  let webhooks: WebhookRepository;
  let deliveries: DeliveryRepository;
  let attempts: DeliveryAttemptRepository;
  const a = tenantScope('a');
  const b = tenantScope('b');
  const page = { limit: 50, offset: 0 };

  beforeAll(async () => {
    db = await createTestDatabase();
    webhooks = new WebhookRepository(db.dataSource);
    deliveries = new DeliveryRepository(db.dataSource);
    attempts = new DeliveryAttemptRepository(db.dataSource);
  });
  afterAll(() => db.drop());
  beforeEach(() => db.dataSource.query('TRUNCATE tenants, webhooks, events CASCADE'));

  /** A webhook of tenant `t` with a failed delivery and an attempt; their ids. */
  const seed = async (t: string) => {
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [t]);
    const hook = await webhooks.create(webhookInput({ name: `hook ${t}`, active: false }));
    await db.dataSource.query(`UPDATE webhooks SET tenant_id = $2 WHERE id = $1`, [hook.id, t]);
    const created = await deliveries.create({ webhookId: hook.id, payload: t });
    const delivery = created!.delivery;
    await db.dataSource.query(
      `UPDATE deliveries SET tenant_id = $2, status = 'failed' WHERE id = $1`,
      [delivery.id, t],
    );
    const [{ id: attempt }] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, tenant_id, raw_request, raw_response,
         response_status_code, execution_duration, success, error)
       VALUES ($1, $2, $3, 'POST / HTTP/1.1', '', 0, 1, false, 'refused') RETURNING id`,
      [hook.id, delivery.id, t],
    );
    return { webhook: hook.id, delivery: delivery.id, attempt };
  };

  it('finds a tenant’s own rows and none of another’s; the platform finds both', async () => {
    const ra = await seed('a');
    const rb = await seed('b');
    expect((await webhooks.findById(a, ra.webhook))?.id).toBe(ra.webhook);
    expect(await webhooks.findById(a, rb.webhook)).toBeNull();
    expect((await webhooks.findById(PLATFORM_SCOPE, rb.webhook))?.id).toBe(rb.webhook);
    expect((await deliveries.findById(a, ra.delivery))?.id).toBe(ra.delivery);
    expect(await deliveries.findById(a, rb.delivery)).toBeNull();
    expect(await deliveries.exists(a, rb.delivery)).toBe(false);
    expect(await deliveries.exists(PLATFORM_SCOPE, rb.delivery)).toBe(true);
    expect(await attempts.findById(a, rb.attempt)).toBeNull();
    expect((await attempts.findById(b, rb.attempt))?.id).toBe(rb.attempt);

    expect((await webhooks.list(a, page)).rows.map((w) => w.id)).toEqual([ra.webhook]);
    expect((await webhooks.list(PLATFORM_SCOPE, page)).rows).toHaveLength(2);
    // A filter naming another tenant within a tenant's scope finds nothing.
    expect((await webhooks.list(a, { ...page, tenantId: 'b' })).rows).toEqual([]);
    expect((await webhooks.list(PLATFORM_SCOPE, { ...page, tenantId: 'b' })).rows).toHaveLength(1);
    const ids = async (p: AsyncIterable<{ row: { id: string } }>) => {
      const all: string[] = [];
      for await (const { row } of p) all.push(row.id);
      return all;
    };
    expect(await ids(await deliveries.page(a, page))).toEqual([ra.delivery]);
    expect(await ids(await attempts.page(b, page))).toEqual([rb.attempt]);
  });

  it('writes addressed by id leave another tenant’s rows alone, as unknown ones', async () => {
    const ra = await seed('a');
    const rb = await seed('b');
    expect(await webhooks.replace(a, rb.webhook, webhookInput({ name: 'taken' }))).toBeNull();
    expect(await webhooks.rotateSecret(a, rb.webhook, 'whsk_x', 0)).toBeNull();
    expect(await webhooks.delete(a, rb.webhook)).toBe(false);
    expect(await deliveries.redeliver(a, rb.delivery)).toBeNull();
    expect(await deliveries.redeliverMatching(a, { status: 'failed' }, true)).toEqual({
      matched: 1,
      created: 0,
    });
    expect(
      await deliveries.redeliverMatching(a, { status: 'failed', webhookId: rb.webhook }, false),
    ).toEqual({ matched: 0, created: 0 });
    const b1 = await webhooks.findById(PLATFORM_SCOPE, rb.webhook);
    expect(b1?.name).toBe('hook b');
    expect(await webhooks.replace(a, ra.webhook, webhookInput({ name: 'renamed' }))).not.toBeNull();
    expect(await webhooks.delete(b, rb.webhook)).toBe(true);
  });
});
