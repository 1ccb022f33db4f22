import { createBenchDatabase, createWebhook, insertDeliveries } from '../lib/database';
import { ReceiverProcess, startPostmand } from '../lib/processes';

export interface SustainedResult {
  minutes: number;
  perMinute: number[];
  firstMinutePerSecond: number;
  lastMinutePerSecond: number;
  ratio: number;
  peakRssMb: number;
}

/**
 * One worker kept saturated for `minutes`: a feeder tops the backlog up to 50,000 due
 * deliveries every second. Dead index entries of updated rows pile up meanwhile (what
 * slows naive claim queries); the per-minute rates show whether this one slows down.
 */
export async function sustained(serverUrl: string, minutes: number): Promise<SustainedResult> {
  const receiver = await ReceiverProcess.start();
  const db = await createBenchDatabase(serverUrl);
  try {
    const webhookId = await createWebhook(db, `${receiver.url}/hook`);
    await insertDeliveries(db, webhookId, 50_000);
    const worker = startPostmand('worker', {
      POSTMAND_DATABASE_URL: db.url,
      POSTMAND_HEALTH_CHECK_HTTP_PORT: '0',
    });
    const started = Date.now();
    const end = started + minutes * 60_000;
    while (Date.now() < end) {
      const [{ pending }] = await db.dataSource.query<{ pending: number }[]>(
        `SELECT count(*)::int AS pending FROM deliveries WHERE status = 'pending'`,
      );
      if (pending < 50_000) await insertDeliveries(db, webhookId, 50_000 - pending);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const peakRssMb = worker.peakRssMb();
    await worker.stop();
    const rows = await db.dataSource.query<{ minute: number; n: number }[]>(
      `SELECT floor(extract(epoch FROM created_at - $1::timestamptz) / 60)::int AS minute, count(*)::int AS n
       FROM delivery_attempts WHERE success GROUP BY 1 ORDER BY 1`,
      [new Date(started)],
    );
    const perMinute = Array.from(
      { length: minutes },
      (_, m) => rows.find((r) => r.minute === m)?.n ?? 0,
    );
    const first = perMinute[0] / 60;
    const last = perMinute[minutes - 1] / 60;
    return {
      minutes,
      perMinute,
      firstMinutePerSecond: Math.round(first),
      lastMinutePerSecond: Math.round(last),
      ratio: Math.round((last / first) * 100) / 100,
      peakRssMb,
    };
  } finally {
    await db.drop();
    await receiver.stop();
  }
}
