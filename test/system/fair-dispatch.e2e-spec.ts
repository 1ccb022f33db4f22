import { setTimeout as sleep } from 'node:timers/promises';
import type { TestDatabase } from '../support/database';
import { type Receiver } from '../helpers/receiver';
import { until } from '../helpers/wait';
import {
  createDeliveries,
  createWebhook,
  startStack,
  startWorkers,
  type Service,
  type Stack,
} from '../helpers/system';

const BACKLOG = 200_000;
const CONCURRENCY = 50;
const WORKERS = 3;

/**
 * §4's fairness on three worker processes: webhook A has 200,000 due deliveries and a
 * receiver slow enough that they last; deliveries created for B and C meanwhile are sent
 * in the next claims, not after A's backlog. Judged by what the receiver saw, not by a
 * clock: how many of A's requests arrived between B's creation and B's last arrival. A
 * plain oldest-first claim sends all of A's backlog first (200,000); a fair one only what
 * was already in flight or claimed in the same passes. A then goes on at its pace.
 */
describe('system: one webhook’s backlog does not hold back another’s', () => {
  let stack: Stack;
  let db: TestDatabase;
  let receiver: Receiver;
  let workers: Service[] = [];

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    ({ db, receiver } = stack);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await stack.stop();
  });

  it('sends B and C’s new deliveries while A still has most of its backlog', async () => {
    const api = stack.server.apiUrl;
    const hook = (path: string) =>
      createWebhook(api, `${receiver.url}${path}`, { delivery_attempt_timeout: 60 });
    const [a, b, c] = [await hook('/a'), await hook('/b'), await hook('/c')];
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
       SELECT $1, '{"n":' || g || '}', now() - interval '1 hour' + g * interval '1 ms'
       FROM generate_series(1, ${BACKLOG}) g`,
      [a],
    );
    await db.dataSource.query(`ANALYZE deliveries`);
    receiver.respond = async (req, res) => {
      if (req.url === '/a') await sleep(50);
      res.writeHead(200).end('ok');
    };
    const from = (path: string) => receiver.requests.filter((r) => r.url === path).length;

    workers = await startWorkers(db.url, WORKERS, {
      POSTMAND_WORKER_CONCURRENCY: String(CONCURRENCY),
    });
    // Every worker busy with A: its slots full, its claims meeting A's backlog first.
    await until(() => from('/a') >= 2 * WORKERS * CONCURRENCY, 120_000, 'A under way');

    const aBefore = from('/a');
    await createDeliveries(api, b, 5, 5);
    await createDeliveries(api, c, 5, 5);
    await until(() => from('/b') === 5 && from('/c') === 5, 120_000, 'B and C sent');
    const aMeanwhile = from('/a') - aBefore;

    // What A sent meanwhile: its requests in flight when B's were created, and the shares
    // of the passes before B's came round — a few batches per worker, never its backlog.
    expect(aMeanwhile).toBeLessThan(20 * WORKERS * CONCURRENCY);
    const [{ pending }] = await db.dataSource.query<{ pending: number }[]>(
      `SELECT count(*)::int AS pending FROM deliveries WHERE webhook_id = $1 AND status = 'pending'`,
      [a],
    );
    expect(pending).toBeGreaterThan(BACKLOG / 2);

    // A alone again: it gets every slot back and goes on.
    const aAfter = from('/a');
    await until(() => from('/a') >= aAfter + 2 * WORKERS * CONCURRENCY, 120_000, 'A goes on');
    expect(receiver.requests.filter((r) => r.url === '/b' || r.url === '/c')).toHaveLength(10);
  }, 420_000);
});
