import { ensureAttemptPartitions } from '@app/domain';
import { runCli } from '../helpers/cli';
import { call, createWebhook, startStack, type StackWithWorker } from '../helpers/system';
import { until } from '../helpers/wait';

/**
 * SPEC §8 on real processes: a load at full speed (events fanned out to a webhook that
 * answers, one that fails until its deliveries fail for good, and one whose retries wait
 * an hour), then the clock moved through the data — everything so far made 40 days ago —
 * and a second load today. `postmand retention run`, forced while the worker goes on,
 * must leave exactly what the SPEC keeps. RETENTION_LOAD_SECONDS sets the first load
 * (8 s here; 600 for the ten-minute run).
 */
describe('system: retention keeps storage bounded under load', () => {
  let stack: StackWithWorker;
  const seconds = Number(process.env.RETENTION_LOAD_SECONDS ?? 8);

  beforeAll(async () => {
    // Failing webhooks keep their circuit closed: this test is about what their rows become.
    stack = await startStack({
      worker: { POSTMAND_POLLING_INTERVAL: '200', POSTMAND_CIRCUIT_FAILURES: '1000' },
    });
  });
  afterAll(() => stack.stop());

  const count = async (sql: string): Promise<number> =>
    (
      await stack.db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM (${sql}) s`)
    )[0].n;

  /** Publishes events (every 10th with an Idempotency-Key) from 8 loops until `until`. */
  const load = async (untilMs: number, tag: string): Promise<number> => {
    let published = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, loop) => {
        for (let i = 0; Date.now() < untilMs; i++) {
          const key: Record<string, string> =
            i % 10 === 0 ? { 'Idempotency-Key': `${tag}-${loop}-${i}` } : {};
          const res = await fetch(`${stack.server.apiUrl}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...key },
            body: JSON.stringify({ event_type: 'order.created', payload: `{"n":${i}}` }),
          });
          await res.text();
          if (res.status !== 201) throw new Error(`POST /v1/events answered ${res.status}`);
          published++;
        }
      }),
    );
    return published;
  };

  it(
    'leaves pending deliveries, their events, recent rows and live keys, and nothing older',
    async () => {
      const { server, receiver, db } = stack;
      // /ok answers 200; /fail and /wait 500, but one request in 50 succeeds there, so that
      // their circuits never open however long the load (a success resets the count).
      let answered = 0;
      receiver.respond = (req, res) => {
        const ok = req.url.startsWith('/ok') || ++answered % 50 === 0;
        res.writeHead(ok ? 200 : 500).end('x');
      };
      const hook = (path: string, overrides: object): Promise<string> =>
        createWebhook(server.apiUrl, `${receiver.url}${path}`, {
          event_types: ['order.*'],
          ...overrides,
        });
      await hook('/ok', {});
      await hook('/fail', { max_delivery_attempts: 2, retry_min_backoff: 1, retry_max_backoff: 1 });
      const waiting = await hook('/wait', { retry_min_backoff: 3600, retry_max_backoff: 3600 });

      const published = await load(Date.now() + seconds * 1000, 'old');
      expect(published).toBeGreaterThan(100);
      // Everything settles but the waiting webhook's deliveries (each has had one attempt).
      await until(
        async () =>
          (await count(
            `SELECT 1 FROM deliveries WHERE status = 'pending' AND
               (webhook_id <> '${waiting}' OR delivery_attempts = 0)`,
          )) === 0,
        120_000 + seconds * 1000,
        'every delivery settled but the waiting ones',
      );

      // The clock, through the data: all of it was made 40 days ago.
      const ds = db.dataSource;
      await ensureAttemptPartitions(ds, new Date(Date.now() - 42 * 86_400_000));
      await ds.query(`UPDATE delivery_attempts SET created_at = created_at - interval '40 days'`);
      await ds.query(`UPDATE deliveries SET created_at = created_at - interval '40 days'`);
      await ds.query(`UPDATE events SET created_at = created_at - interval '40 days'`);
      await ds.query(
        `UPDATE idempotency_keys SET created_at = created_at - interval '40 days',
           expires_at = expires_at - interval '40 days'`,
      );
      const oldPending = await count(`SELECT 1 FROM deliveries WHERE status = 'pending'`);
      const oldFinished = await count(`SELECT 1 FROM deliveries WHERE status <> 'pending'`);
      const oldEventsKept = await count(
        `SELECT DISTINCT event_id FROM deliveries WHERE status = 'pending'`,
      );
      // Events: ours, and postmand.delivery.failed ones (no webhook takes postmand.*).
      const oldEvents = await count(`SELECT 1 FROM events`);
      const oldAttempts = await count(`SELECT 1 FROM delivery_attempts`);
      expect(oldEvents).toBeGreaterThan(published);
      expect(oldPending).toBeGreaterThan(0);
      expect(oldPending + oldFinished).toBe(3 * published);
      expect(await count(`SELECT 1 FROM deliveries WHERE status = 'failed'`)).toBeGreaterThan(0);

      // Today's load, and the forced run while the worker keeps sending it.
      const fresh = await load(Date.now() + 2000, 'new');
      const run = runCli(['retention', 'run'], { POSTMAND_DATABASE_URL: db.url });
      expect(await run.exited).toBe(0);
      expect(run.output()).toMatch(new RegExp(`^deliveries\\tremoved ${oldFinished}$`, 'm'));
      // Every old attempt, whether its day was dropped or it went with its delivery.
      expect(run.output()).toMatch(new RegExp(`^delivery_attempts\\tremoved ${oldAttempts}$`, 'm'));
      expect(run.output()).toMatch(
        new RegExp(`^events\\tremoved ${oldEvents - oldEventsKept}$`, 'm'),
      );

      const cutoff = `now() - interval '30 days'`;
      // Old: only the pending deliveries, their events, and none of their attempts.
      expect(await count(`SELECT 1 FROM deliveries WHERE created_at < ${cutoff}`)).toBe(oldPending);
      expect(
        await count(
          `SELECT 1 FROM deliveries WHERE created_at < ${cutoff} AND status <> 'pending'`,
        ),
      ).toBe(0);
      expect(await count(`SELECT 1 FROM events WHERE created_at < ${cutoff}`)).toBe(oldEventsKept);
      expect(await count(`SELECT 1 FROM delivery_attempts WHERE created_at < ${cutoff}`)).toBe(0);
      expect(await count(`SELECT 1 FROM idempotency_keys WHERE expires_at <= now()`)).toBe(0);
      // No partition wholly before the cut-off is left.
      const [{ oldest }] = await ds.query<{ oldest: string | null }[]>(
        `SELECT min(c.relname) AS oldest FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'delivery_attempts'::regclass AND c.relname ~ '^delivery_attempts_p'`,
      );
      const day = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
      expect(oldest! >= `delivery_attempts_p${day.replaceAll('-', '')}`).toBe(true);
      // Today's rows are all there: the events, their deliveries and the live keys.
      expect(
        await count(
          `SELECT 1 FROM events WHERE created_at >= ${cutoff} AND event_type = 'order.created'`,
        ),
      ).toBe(fresh);
      expect(await count(`SELECT 1 FROM deliveries WHERE created_at >= ${cutoff}`)).toBe(3 * fresh);
      expect(await count(`SELECT 1 FROM idempotency_keys`)).toBeGreaterThan(0);
      // The API still serves it, old pending deliveries included.
      const listed = await call(
        server.apiUrl,
        'GET',
        `/v1/deliveries?webhook_id=${waiting}&limit=1000`,
      );
      expect(listed.status).toBe(200);
    },
    300_000 + seconds * 2000,
  );
});
