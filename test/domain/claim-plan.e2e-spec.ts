import { CLAIM_SETTINGS, CLAIM_SQL, LEASE_MARGIN_SECONDS } from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The claim must walk the due index and stop after its batch, whatever the planner's
 * statistics say. A fresh table that autoanalyze has not visited yet — one webhook, tens
 * of thousands of due rows — once made it fetch and sort every pending row per claim.
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

  it('is an ordered scan of the due index with no sort, on unanalysed statistics', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(CLAIM_SETTINGS);
      const [row] = (await runner.query(`EXPLAIN (FORMAT JSON) ${CLAIM_SQL}`, [
        'plan-test',
        100,
        LEASE_MARGIN_SECONDS,
      ])) as { 'QUERY PLAN': [{ Plan: PlanNode }] }[];
      const all = nodes(row['QUERY PLAN'][0].Plan);
      expect(all.filter((n) => n['Node Type'] === 'Sort')).toEqual([]);
      expect(all.some((n) => n['Index Name'] === 'deliveries_due_idx')).toBe(true);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
