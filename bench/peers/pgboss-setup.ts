// What both pg-boss bench scripts (pgboss.ts, pgboss-fair.ts) start with: the settings
// from BENCH_SETTINGS, a started PgBoss with its "deliver" queue and the attempts table,
// and `count` jobs queued in batches of 5,000.
import PgBoss from 'pg-boss';

export interface PgBossSettings {
  batchSize?: number;
  pollingIntervalSeconds?: number;
  pool?: number;
  notify?: boolean;
}

export const settings = JSON.parse(process.env.BENCH_SETTINGS ?? '{}') as PgBossSettings;

/** pg-boss on `url`, started, with the "deliver" queue and bench_attempts. */
export async function startBoss(url: string): Promise<{ boss: PgBoss; db: PgBoss.Db }> {
  const boss = new PgBoss({
    connectionString: url,
    max: settings.pool ?? 10,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (err) => console.error(err));
  await boss.start();
  await boss.createQueue('deliver');
  const db = boss.getDb();
  await db.executeSql(
    `CREATE TABLE bench_attempts (id bigserial PRIMARY KEY, job_id uuid, status int,
       created_at timestamptz(3) NOT NULL DEFAULT now())`,
    [],
  );
  return { boss, db };
}

/** Queues `count` "deliver" jobs, each an order event's body. */
export async function queueJobs(boss: PgBoss, count: number): Promise<void> {
  for (let i = 0; i < count; i += 5000) {
    await boss.insert(
      Array.from({ length: Math.min(5000, count - i) }, (_, j) => ({
        name: 'deliver',
        data: {
          body: `{"event":"order.created","order_id":${i + j},"amount":4200,"currency":"EUR"}`,
        },
      })),
    );
  }
}
