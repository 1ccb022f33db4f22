import type { TestDatabase } from '../support/database';
import type { Receiver } from '../helpers/receiver';
import { until } from '../helpers/wait';
import {
  createDeliveries,
  createWebhook,
  ledger,
  startService,
  type Service,
  startStack,
  type Stack,
} from '../helpers/system';

/** Resolves with the exit code, or fails if the process has not exited within `ms`. */
function exitsWithin(exited: Promise<number | string>, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running ${ms} ms after the signal`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function allFinal(db: TestDatabase, count: number): Promise<boolean> {
  const [{ n }] = await db.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM deliveries WHERE status = 'succeeded'`,
  );
  return n === count;
}

describe('system: a worker stopped mid-flight', () => {
  let stack: Stack;
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Service;
  const workers: Service[] = [];

  beforeEach(async () => {
    stack = await startStack({ worker: false });
    ({ db, receiver, server } = stack);
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop('SIGKILL');
    await stack.stop();
  });

  it('SIGKILL: a new worker finishes everything; repeats at most the requests in flight', async () => {
    const gate = receiver.hold();
    // Lease = attempt timeout (3 s) + 30 s: the killed worker's deliveries come back then.
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, {
      delivery_attempt_timeout: 3,
    });
    const first = await createDeliveries(server.apiUrl, webhookId, 40);
    const doomed = await startService('worker', db.url);
    await receiver.waitForRequests(40).catch(async (err: unknown) => {
      await doomed.stop('SIGKILL');
      throw err;
    });
    const inFlight = receiver.requests.length;
    expect(await doomed.stop('SIGKILL')).toBe('SIGKILL');
    gate.open();

    // Created after the crash: not leased, delivered at once by the next worker.
    const later = await createDeliveries(server.apiUrl, webhookId, 20);
    workers.push(await startService('worker', db.url));
    await until(() => allFinal(db, 60), 120_000, 'every delivery to succeed');
    for (const worker of workers.splice(0)) expect(await worker.stop()).toBe(0);

    const book = await ledger(db.dataSource, receiver.requests);
    expect(book.problems).toEqual([]);
    expect(book.byStatus).toEqual({ succeeded: first.length + later.length });
    // The killed worker's requests were seen but never recorded: exactly the repeats.
    expect(book.unrecorded).toBe(inFlight);
    expect(book.repeats).toBeLessThanOrEqual(inFlight);
    expect(book.attempts).toBe(60);
  }, 300_000);

  it('SIGTERM: stops claiming, finishes and records what it started, exits 0 in time', async () => {
    const gate = receiver.hold();
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, {
      delivery_attempt_timeout: 5,
    });
    await createDeliveries(server.apiUrl, webhookId, 200);
    const worker = await startService('worker', db.url, {
      POSTMAND_WORKER_CONCURRENCY: '50',
      POSTMAND_LOG_LEVEL: 'info',
    });
    workers.push(worker);
    await receiver.waitForRequests(50);

    const exited = worker.stop('SIGTERM');
    // The in-flight requests complete once the worker has taken the signal: it must wait
    // for them, and then exit by itself (well before its leases would run out, 35 s).
    await worker.cli.waitForOutput(/waiting for in-flight attempts/);
    gate.open();
    expect(await exitsWithin(exited, 30_000)).toBe(0);
    workers.splice(0);

    const book = await ledger(db.dataSource, receiver.requests);
    expect(book.problems).toEqual([]);
    expect(book.unrecorded).toBe(0);
    expect(book.attempts).toBe(receiver.requests.length);
    expect(book.byStatus.succeeded).toBe(receiver.requests.length);
    // Nothing claimed after the signal: the rest waits, unleased, for the next worker.
    expect(book.byStatus.pending).toBe(200 - receiver.requests.length);

    workers.push(await startService('worker', db.url));
    await until(() => allFinal(db, 200), 120_000, 'the rest to be delivered');
  });

  it('SIGTERM with endpoints that never answer: exits 0 once the attempts time out', async () => {
    receiver.hold(); // never opened
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, {
      delivery_attempt_timeout: 2,
      retry_min_backoff: 60,
    });
    await createDeliveries(server.apiUrl, webhookId, 10);
    const worker = await startService('worker', db.url);
    workers.push(worker);
    await receiver.waitForRequests(10);

    // It exits by itself once the attempts time out (2 s; the errors below say so), not
    // when their leases would run out (32 s).
    expect(await exitsWithin(worker.stop('SIGTERM'), 30_000)).toBe(0);
    workers.splice(0);

    const book = await ledger(db.dataSource, receiver.requests);
    expect(book.problems).toEqual([]);
    expect(book.unrecorded).toBe(0);
    expect(book.byStatus).toEqual({ pending: 10 }); // retries due in 60 s
    const errors = await db.dataSource.query<{ error: string }[]>(
      `SELECT DISTINCT error FROM delivery_attempts`,
    );
    expect(errors).toEqual([{ error: 'timeout: no complete response within 2 s' }]);
  });
});
