import { Client } from 'pg';
import {
  ensureAttemptPartitions,
  PARTITION_DDL_TRIES,
  attemptPartitions,
  partitionName,
} from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { until } from '../helpers/wait';

const DAY_MS = 86_400_000;

/**
 * A day's partition created while attempts of that day keep arriving in the DEFAULT
 * partition (no partition was ready for it): the rows already there move into the new
 * partition, and the inserts going on meanwhile neither break the creation ("updated
 * partition constraint for default partition … would be violated") nor fail themselves
 * (the bound of the DEFAULT partition shrinks under them); each lands exactly once.
 */
describe('attempt partitions', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase({ poolSize: 12 });
  });
  afterEach(() => db.drop());

  it('gives up after a bounded number of tries while a writer holds a table, and never cancels the writer', async () => {
    const ds = db.dataSource;
    await ensureAttemptPartitions(ds);
    const [{ today }] = await ds.query<{ today: Date }[]>(
      `SELECT date_trunc('day', now(), 'UTC') AS today`,
    );
    const yesterday = new Date(today.getTime() - DAY_MS);
    // A writer's transaction that stays open: it holds deliveries ROW EXCLUSIVE.
    const writer = new Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE deliveries SET updated_at = now()`);
      const outcome = await ensureAttemptPartitions(ds, yesterday).then(
        () => 'created',
        (err: Error) => err.message,
      );
      expect(outcome).toBe(
        `creating ${partitionName(yesterday)}: the tables it locks stayed busy through ` +
          `${PARTITION_DDL_TRIES} tries; the next upkeep tries again`,
      );
      // Each try was rolled back whole; the writer was never cancelled and goes on.
      expect((await attemptPartitions(ds)).map((p) => p.name)).not.toContain(
        partitionName(yesterday),
      );
      expect(await ds.query(`SELECT to_regclass($1) AS t`, [partitionName(yesterday)])).toEqual([
        { t: null },
      ]);
      await writer.query(`UPDATE deliveries SET updated_at = now()`);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    // The table free again, the next upkeep makes it.
    expect(await ensureAttemptPartitions(ds, yesterday)).toEqual([partitionName(yesterday)]);
  });

  it('moves a day out of the DEFAULT partition while attempts keep arriving for it', async () => {
    const ds = db.dataSource;
    const [{ webhook, delivery }] = await ds.query<{ webhook: string; delivery: string }[]>(
      `WITH w AS (
         INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
           delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
         VALUES ('hook', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60)
         RETURNING id)
       INSERT INTO deliveries (webhook_id, payload, status, scheduled_at)
       SELECT id, '{}', 'pending', now() FROM w RETURNING webhook_id AS webhook, id AS delivery`,
    );
    const [{ today }] = await ds.query<{ today: Date }[]>(
      `SELECT date_trunc('day', now(), 'UTC') AS today`,
    );
    // Today and the days ahead first; then yesterday, the day before, ...: each round
    // creates exactly one partition.
    await ensureAttemptPartitions(ds);
    for (let round = 1; round <= 3; round++) {
      const day = new Date(today.getTime() - round * DAY_MS);
      let stop = false;
      let inserted = 0;
      const errors: string[] = [];
      const inserters = Promise.all(
        Array.from({ length: 6 }, async () => {
          while (!stop) {
            try {
              await ds.query(
                `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
                   response_status_code, execution_duration, success, created_at)
                 VALUES ($1, $2, '', '', 0, 1, false, $3::timestamptz + random() * interval '1 day')`,
                [webhook, delivery, day],
              );
              inserted++;
            } catch (err) {
              errors.push(String(err));
            }
          }
        }),
      );
      let created: string[] | string | undefined;
      try {
        await until(() => inserted >= 50, 60_000, 'attempts in the DEFAULT partition');
        created = await ensureAttemptPartitions(ds, day).catch((err: unknown) => String(err));
        const after = inserted;
        await until(() => inserted >= after + 50, 60_000, 'attempts after the creation');
      } finally {
        stop = true;
        await inserters;
      }
      const where = await ds.query<{ partition: string; n: number }[]>(
        `SELECT tableoid::regclass::text AS partition, count(*)::int AS n
         FROM delivery_attempts
         WHERE created_at >= $1 AND created_at < $1::timestamptz + interval '1 day'
         GROUP BY 1`,
        [day],
      );
      expect({ created, errors: errors.slice(0, 3), where }).toEqual({
        created: [partitionName(day)],
        errors: [],
        where: [{ partition: partitionName(day), n: inserted }],
      });
    }
  });
});
