import { BacklogRepository, ClaimRepository, LEASE_MARGIN_SECONDS } from '@app/domain';
import { CLAIM_SETTINGS, CLAIM_SQL, WALK_STEPS } from '@app/domain/testing';
import { createTestDatabase, type TestDatabase } from '../support/database';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The claim must walk its indexes and stop after its batch, whatever the planner's
 * statistics say. A fresh table that autoanalyze has not visited yet — one webhook, tens
 * of thousands of due rows — once made it fetch and sort every pending row per claim. It
 * sorts only the batch's candidates (a webhook's first before any webhook's second).
 */
describe('claim query plan', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    const [{ id }] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ('plan', 'http://127.0.0.1:9/', 'application/json', '{200}', 1, 1, 1, 1)
       RETURNING id`,
    );
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
       SELECT $1, '{}', now() - g * interval '1 ms' FROM generate_series(1, 30000) g`,
      [id],
    );
  });
  afterAll(() => db.drop());

  /** The claim's plan, as the worker's walk from just after `cursor` would run it. */
  async function planOf(cursor = '00000000-0000-0000-0000-000000000000'): Promise<PlanNode[]> {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(CLAIM_SETTINGS);
      const [row] = (await runner.query(`EXPLAIN (FORMAT JSON) ${CLAIM_SQL}`, [
        'plan-test',
        100,
        LEASE_MARGIN_SECONDS,
        cursor,
        WALK_STEPS,
      ])) as { 'QUERY PLAN': [{ Plan: PlanNode }] }[];
      return nodes(row['QUERY PLAN'][0].Plan);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  /** Sorts only the batch's candidates, never rows it reads; each scan through its index. */
  function expectOrderedScans(all: PlanNode[]): void {
    const sortsOfRows = all
      .filter((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Incremental Sort')
      .filter((sort) => nodes(sort).some((n) => n['Relation Name'] === 'deliveries'));
    expect(sortsOfRows).toEqual([]);
    const scans = all.filter((n) => n['Relation Name'] === 'deliveries');
    expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    const indexes = new Set(scans.map((n) => n['Index Name']));
    expect([...indexes].sort()).toEqual([
      'deliveries_due_idx',
      'deliveries_unparked_webhook_id_scheduled_at_idx',
    ]);
  }

  it('is ordered scans of its indexes, sorting no deliveries it reads, on unanalysed statistics', async () => {
    expectOrderedScans(await planOf());
  });

  // With many webhooks in the statistics, the planner once read the busiest webhook's
  // whole backlog through another index and sorted it incrementally (600 ms a claim).
  it('stays so with a thousand small webhooks beside the backlog, analysed', async () => {
    await db.dataSource.query(
      `WITH hooks AS (
         INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
           delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
         SELECT 'small ' || g, 'http://127.0.0.1:9/', 'application/json', '{200}', 1, 1, 1, 1
         FROM generate_series(1, 1000) g
         RETURNING id)
       INSERT INTO deliveries (webhook_id, payload)
       SELECT h.id, '{}' FROM hooks h, generate_series(1, 3)`,
    );
    await db.dataSource.query(`ANALYZE deliveries`);
    // A walk that starts just before the backlog's webhook, so that it offers its share.
    const [{ cursor }] = await db.dataSource.query<{ cursor: string }[]>(
      `SELECT coalesce((SELECT w.id FROM webhooks w
                        WHERE w.id < (SELECT id FROM webhooks WHERE name = 'plan')
                        ORDER BY w.id DESC LIMIT 1),
                       '00000000-0000-0000-0000-000000000000') AS cursor`,
    );
    expectOrderedScans(await planOf(cursor));
  });
});

describe('BacklogRepository.backlog', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  async function webhook(active: boolean): Promise<string> {
    const [{ id }] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, active,
         max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ('backlog', 'http://127.0.0.1:9/', 'application/json', '{200}', $1, 1, 1, 1, 1)
       RETURNING id`,
      [active],
    );
    return id;
  }

  it('counts what a claim would take — due, not in flight, webhook active — up to the cap', async () => {
    const repo = new BacklogRepository(db.dataSource);
    expect(await repo.backlog(100)).toEqual({
      due: 0,
      oldestDueSeconds: 0,
      openCircuits: 0,
      disabledWebhooks: 0,
    });

    const on = await webhook(true);
    const off = await webhook(false);
    const insert = (webhookId: string, scheduled: string, extra = ''): Promise<unknown> =>
      db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload, scheduled_at${extra ? ', status' : ''})
         VALUES ($1, '{}', now() + $2::interval${extra ? `, '${extra}'` : ''})`,
        [webhookId, scheduled],
      );
    for (let i = 0; i < 5; i++) await insert(on, `-${60 + i} seconds`); // due, oldest 64 s
    await insert(on, '1 hour'); // not yet due
    await insert(on, '-2 hours', 'succeeded'); // done
    await insert(off, '-3 hours'); // webhook inactive
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at, lease_owner, lease_expires_at)
       VALUES ($1, '{}', now() - interval '4 hours', 'w/1', now() + interval '1 minute')`,
      [on],
    ); // in flight

    const sample = await repo.backlog(100);
    expect(sample.due).toBe(5);
    expect(sample.oldestDueSeconds).toBeGreaterThanOrEqual(64);
    expect(sample.oldestDueSeconds).toBeLessThan(70);
    expect((await repo.backlog(3)).due).toBe(3);

    // A lease that ran out is due again (its worker died): it counts, and it is the oldest.
    await db.dataSource.query(`UPDATE deliveries SET lease_expires_at = now() - interval '1 s'
                               WHERE lease_owner = 'w/1'`);
    const after = await repo.backlog(100);
    expect(after.due).toBe(6);
    expect(after.oldestDueSeconds).toBeGreaterThanOrEqual(4 * 3600);
  });
});

describe('ClaimRepository.msUntilNextDue', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('sees the next claimable delivery, one that just became due included, never one in flight', async () => {
    const repo = new ClaimRepository(db.dataSource);
    expect(await repo.msUntilNextDue()).toBeNull();
    const hook = async (active: boolean): Promise<string> =>
      (
        await db.dataSource.query<{ id: string }[]>(
          `INSERT INTO webhooks (name, url, content_type, valid_status_codes, active,
             max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
           VALUES ('next', 'http://127.0.0.1:9/', 'application/json', '{200}', $1, 1, 1, 1, 1)
           RETURNING id`,
          [active],
        )
      )[0].id;
    const [on, off] = [await hook(true), await hook(false)];
    const insert = (webhookId: string, at: string, leased = false): Promise<unknown> =>
      db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload, scheduled_at, lease_owner, lease_expires_at)
         VALUES ($1, '{}', now() + $2::interval, $3::text, CASE WHEN $3::text IS NULL THEN NULL
                                                     ELSE now() + interval '1 minute' END)`,
        [webhookId, at, leased ? 'w/1' : null],
      );
    await insert(on, '30 seconds');
    const ms = await repo.msUntilNextDue();
    expect(ms).toBeGreaterThan(29_000);
    expect(ms).toBeLessThanOrEqual(30_000);
    // In flight, or of an inactive webhook: nothing to wake for.
    await insert(on, '-5 seconds', true);
    await insert(off, '-5 seconds');
    expect(await repo.msUntilNextDue()).toBeGreaterThan(29_000);
    // Due a moment ago and not yet claimed (a timer that fired early): wake now.
    await insert(on, '-2 seconds');
    expect(await repo.msUntilNextDue()).toBeLessThanOrEqual(0);
  });
});
