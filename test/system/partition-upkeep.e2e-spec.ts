import { DataSource } from 'typeorm';
import {
  AttemptPartitionsRepository,
  dataSourceOptions,
  ensureAttemptPartitions,
  IdempotencyRepository,
  PARTITION_DAYS_AHEAD,
  partitionName,
  RetentionRepository,
  RetentionService,
} from '@app/domain';
import { createWebhook, startStack, type StackWithWorker } from '../helpers/system';
import { until } from '../helpers/wait';

const DAY_MS = 86_400_000;

/**
 * The test's own drop of the last partition ahead (empty: no attempt is dated then), made
 * so as never to deadlock itself: the parent locked first, waiting 100 ms at most, and
 * tried again until it gets it.
 */
async function dropLastDayAhead(ds: DataSource): Promise<void> {
  const name = partitionName(new Date(Date.now() + PARTITION_DAYS_AHEAD * DAY_MS));
  for (;;) {
    try {
      await ds.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '100ms'`);
        await tx.query(`LOCK TABLE ONLY delivery_attempts IN ACCESS EXCLUSIVE MODE`);
        await tx.query(`DROP TABLE IF EXISTS ${name}`);
      });
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
    }
  }
}

/**
 * Attempt partitions are created and dropped while the API takes deliveries and events as
 * fast as it can and the worker sends and records them (issue 25 item 2): a partition's
 * DDL must never deadlock with those writes, and no client ever sees a 5xx for it. The
 * DDL runs a fixed number of rounds, however fast the machine, and the load goes on until
 * they are done; deadlocks are counted by PostgreSQL (pg_stat_database.deadlocks, read
 * once every process has closed its connections, which is when their counts are flushed).
 */
describe('system: partition upkeep under write load', () => {
  let stack: StackWithWorker;
  const ROUNDS = Number(process.env.PARTITION_UPKEEP_ROUNDS ?? 12);

  beforeAll(async () => {
    stack = await startStack({
      worker: { POSTMAND_POLLING_INTERVAL: '100' },
    });
  });
  afterAll(() => stack.stop());

  it(
    'creates and drops partitions in a loop with no deadlock and no 5xx',
    async () => {
      const { server, worker, receiver, db } = stack;
      const hooks = [
        await createWebhook(server.apiUrl, `${receiver.url}/a`, { event_types: ['order.*'] }),
        await createWebhook(server.apiUrl, `${receiver.url}/b`, { event_types: ['order.*'] }),
        await createWebhook(server.apiUrl, `${receiver.url}/c`, { event_types: ['order.*'] }),
      ];
      const stats = async (): Promise<number> =>
        (
          await db.dataSource.query<{ deadlocks: number }[]>(
            `SELECT pg_stat_clear_snapshot(), deadlocks::int AS deadlocks
             FROM pg_stat_database WHERE datname = current_database()`,
          )
        )[0].deadlocks;
      const deadlocksBefore = await stats();

      // The load: deliveries created one at a time and events fanned out to three webhooks,
      // from 16 loops, until the DDL is done; every answer but a 201 is kept.
      let done = false;
      let created = 0;
      const failures: string[] = [];
      const load = Promise.all(
        Array.from({ length: 16 }, async (_, loop) => {
          for (let i = 0; !done; i++) {
            const [path, body] =
              loop % 4 === 0
                ? ['/v1/events', { event_type: 'order.created', payload: `{"n":${i}}` }]
                : ['/v1/deliveries', { webhook_id: hooks[i % 3], payload: `{"n":${i}}` }];
            try {
              const res = await fetch(`${server.apiUrl}${path}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(body),
              });
              const text = await res.text();
              if (res.status === 201) created++;
              else failures.push(`${path} ${res.status} ${text.slice(0, 200)}`);
            } catch (err) {
              failures.push(`${path} ${String(err)}`);
            }
          }
        }),
      );

      // The DDL, on its own connections. Each round drops the last day ahead and has
      // `ensureAttemptPartitions` create it again, as every worker does hourly; then it
      // creates the partition of two days ago (a day that has begun: attempts of it could
      // be arriving), which a retention run drops.
      const ddl = new DataSource(
        dataSourceOptions({ url: db.url, poolSize: 2, applicationName: 'partition-upkeep' }),
      );
      await ddl.initialize();
      const retention = new RetentionService(
        new RetentionRepository(ddl),
        new AttemptPartitionsRepository(ddl),
        new IdempotencyRepository(ddl),
      );
      const ddlErrors: string[] = [];
      let creations = 0;
      let drops = 0;
      try {
        // Some load first, so that every round meets it.
        await until(() => created >= 200 && receiver.requests.length >= 200, 120_000, 'load');
        for (let round = 0; round < ROUNDS; round++) {
          try {
            await dropLastDayAhead(ddl);
            creations += (await ensureAttemptPartitions(ddl)).length;
            const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
            creations += (await ensureAttemptPartitions(ddl, twoDaysAgo)).length;
            const report = await retention.run({ olderThanSeconds: 86_400 });
            drops += report?.droppedPartitions.length ?? 0;
          } catch (err) {
            ddlErrors.push(String(err));
          }
        }
      } finally {
        done = true;
        await load;
        await ddl.destroy();
      }

      // The processes end, which flushes their statistics, and the deadlocks PostgreSQL
      // counted are read.
      const workerOutput = worker.cli.output();
      await worker.stop();
      await server.stop();
      await until(
        async () =>
          (
            await db.dataSource.query<{ n: number }[]>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND application_name <> 'postmand-test'`,
            )
          )[0].n === 0,
        60_000,
        'the processes to close their connections',
      );
      const deadlocks = (await stats()) - deadlocksBefore;

      expect({ ddlErrors, failed: failures.length, some: failures.slice(0, 5), deadlocks }).toEqual(
        {
          ddlErrors: [],
          failed: 0,
          some: [],
          deadlocks: 0,
        },
      );
      expect(workerOutput).not.toMatch(/could not record attempts/);
      expect(creations).toBeGreaterThanOrEqual(2 * ROUNDS);
      expect(drops).toBeGreaterThanOrEqual(ROUNDS);
      expect(created).toBeGreaterThan(200);
    },
    15 * 60_000,
  );
});
