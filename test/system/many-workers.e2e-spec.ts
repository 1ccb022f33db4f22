import type { TestDatabase } from '../support/database';
import { type Receiver } from '../helpers/receiver';
import { until } from '../helpers/wait';
import {
  createDeliveries,
  createWebhook,
  ledger,
  startService,
  type Service,
  startStack,
  type Stack,
  sample,
  scrape,
} from '../helpers/system';

describe('system: three workers on one database', () => {
  let stack: Stack;
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Service;
  let workers: Service[] = [];

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    ({ db, receiver, server } = stack);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await stack.stop();
  });

  it('delivers each of 5,000 deliveries exactly once, none left behind', async () => {
    // Exactly once is about the claim, not about timeouts: on a starved machine a 10 s attempt
    // timeout can pass while the receiver is still answering, and the retry that follows is
    // correct at-least-once behaviour. A minute leaves only the claim to test.
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, {
      delivery_attempt_timeout: 60,
    });
    // Half waits in the table before the workers start, half arrives while they run.
    const before = await createDeliveries(server.apiUrl, webhookId, 2_500);
    workers = await Promise.all([1, 2, 3].map(() => startService('worker', db.url)));
    const during = await createDeliveries(server.apiUrl, webhookId, 2_500);
    const ids = new Set([...before, ...during]);
    expect(ids.size).toBe(5_000);

    await until(
      async () => {
        const [{ n }] = await db.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM deliveries WHERE status = 'succeeded'`,
        );
        return n === 5_000;
      },
      240_000,
      '5,000 successes',
    );
    // Every worker took a share: SKIP LOCKED spreads the claims instead of serialising them.
    for (const worker of workers) {
      const claimed = sample(await scrape(worker), 'postmand_worker_deliveries_claimed_total');
      expect(claimed).toBeGreaterThan(0);
    }
    for (const worker of workers) expect(await worker.stop()).toBe(0);
    workers = [];

    const book = await ledger(db.dataSource, receiver.requests);
    // Failed attempts say why a delivery was sent twice, if one was.
    const failures = await db.dataSource.query<{ status: number; error: string; n: number }[]>(
      `SELECT response_status_code AS status, error, count(*)::int AS n
       FROM delivery_attempts WHERE NOT success GROUP BY 1, 2`,
    );
    expect(failures).toEqual([]);
    expect(book.problems).toEqual([]);
    expect(book.byStatus).toEqual({ succeeded: 5_000 });
    // Together, so a failure shows whether a repeat was recorded (a retry) or not (a lost lease).
    const { received, repeats, unrecorded } = book;
    expect({ received, repeats, unrecorded }).toEqual({
      received: 5_000,
      repeats: 0,
      unrecorded: 0,
    });
    const seen = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
    expect([...seen].sort()).toEqual([...ids].sort());
  }, 420_000);
});
