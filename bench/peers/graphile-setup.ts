// What both graphile-worker bench scripts (graphile.ts, graphile-fair.ts) start with: the
// settings from BENCH_SETTINGS, a pool with the attempts table and graphile's schema, and
// `count` jobs queued in batches of 5,000.
import { makeWorkerUtils } from 'graphile-worker';
import { Pool } from 'pg';

export interface GraphileSettings {
  concurrency?: number;
  localQueueSize?: number;
  pool?: number;
}

export const settings = JSON.parse(process.env.BENCH_SETTINGS ?? '{}') as GraphileSettings;

type WorkerUtils = Awaited<ReturnType<typeof makeWorkerUtils>>;

/** A pool of `settings.pool` on `url`, with bench_attempts and graphile's schema. */
export async function preparePool(url: string): Promise<{ pool: Pool; utils: WorkerUtils }> {
  const pool = new Pool({ connectionString: url, max: settings.pool ?? 10 });
  await pool.query(`CREATE TABLE bench_attempts (id bigserial PRIMARY KEY, job_id bigint, status int,
    created_at timestamptz(3) NOT NULL DEFAULT now())`);
  const utils = await makeWorkerUtils({ pgPool: pool });
  await utils.migrate();
  return { pool, utils };
}

/** Queues `count` "deliver" jobs, each an order event's body. */
export async function queueJobs(utils: WorkerUtils, count: number): Promise<void> {
  for (let i = 0; i < count; i += 5000) {
    await utils.addJobs(
      Array.from({ length: Math.min(5000, count - i) }, (_, j) => ({
        identifier: 'deliver',
        payload: {
          body: `{"event":"order.created","order_id":${i + j},"amount":4200,"currency":"EUR"}`,
        },
      })),
    );
  }
}
