import { ClaimRepository, type ClaimedDelivery } from '@app/domain';
import { WALK_STEPS } from '@app/domain/testing';
import { ClaimTurns } from '../../apps/worker/src/dispatcher/claim-turns';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Webhook ids in a known order, so that the walk's round can be told. */
const LOW = '10000000-0000-4000-8000-000000000000';
const MID = '50000000-0000-4000-8000-000000000000';
const HIGH = '90000000-0000-4000-8000-000000000000';

/**
 * The plain claim's fairness (§4, CLAIM_SQL): each pass shares its batch between the
 * webhooks that have due work, and each worker's walk of them goes round, so every
 * webhook's turn comes, whatever the backlog ahead of it in time or in id order.
 */
describe('the fair claim (§4)', () => {
  let db: TestDatabase;
  let worker: ClaimTurns;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE webhooks CASCADE');
    worker = new ClaimTurns(new ClaimRepository(db.dataSource));
  });

  async function webhook(id: string): Promise<void> {
    await db.dataSource.query(
      `INSERT INTO webhooks (id, name, url, content_type, valid_status_codes,
         max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ($1, 'fair', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60)`,
      [id],
    );
  }

  /** `count` deliveries of `webhookId`, due `ageSeconds` ago onwards (negative: not yet). */
  async function deliveries(webhookId: string, count: number, ageSeconds: number): Promise<void> {
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
       SELECT $1, '{}', now() - make_interval(secs => $3 - g * 0.001)
       FROM generate_series(1, $2) g`,
      [webhookId, count, ageSeconds],
    );
  }

  const byWebhook = (claimed: ClaimedDelivery[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const c of claimed) counts[c.webhook.id] = (counts[c.webhook.id] ?? 0) + 1;
    return counts;
  };

  it('shares a batch between the webhooks with due work, behind any backlog', async () => {
    for (const id of [LOW, MID, HIGH]) await webhook(id);
    // MID's backlog is older than everything else: an oldest-first claim takes only it.
    // Each gets a third; what LOW cannot use goes to the oldest (MID's).
    await deliveries(MID, 5_000, 3_600);
    await deliveries(LOW, 3, 1);
    await deliveries(HIGH, 20, 1);
    expect(byWebhook(await worker.claim('w', 30))).toEqual({ [LOW]: 3, [MID]: 17, [HIGH]: 10 });
  });

  it('gives a webhook alone the whole batch', async () => {
    await webhook(MID);
    await deliveries(MID, 500, 60);
    expect(byWebhook(await worker.claim('w', 100))).toEqual({ [MID]: 100 });
  });

  it('goes round the webhooks from where its last walk ended, wrapping at the end', async () => {
    for (const id of [LOW, MID, HIGH]) await webhook(id);
    await deliveries(HIGH, 5_000, 3_600);
    await deliveries(LOW, 10, 60);
    await deliveries(MID, 10, 60);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push(...Object.keys(byWebhook(await worker.claim('w', 1))));
    expect(order).toEqual([LOW, MID, HIGH, LOW, MID, HIGH]);
  });

  it('walks past webhooks whose deliveries all wait for later', async () => {
    // More such webhooks than a batch, all ahead of B in id order, and a backlog older
    // than B's delivery: B is found in the first pass all the same.
    await db.dataSource.query(
      `WITH hooks AS (
         INSERT INTO webhooks (id, name, url, content_type, valid_status_codes,
           max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
         SELECT ('20000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'later',
                'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60
         FROM generate_series(1, $1) g
         RETURNING id)
       INSERT INTO deliveries (webhook_id, payload, scheduled_at)
       SELECT id, '{}', now() + interval '1 hour' FROM hooks`,
      [WALK_STEPS / 2],
    );
    await webhook(LOW);
    await webhook(HIGH);
    await deliveries(LOW, 5_000, 3_600);
    await deliveries(HIGH, 1, 1);
    expect(byWebhook(await worker.claim('w', 10))[HIGH]).toBe(1);
  });
});
