import * as fs from 'node:fs';
import { dataSourceOptions, migrate } from '@app/domain';
import { EmbeddedPostgres, scratchDir } from '@app/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { freePort, pollHttp } from '../helpers/cli';
import { Receiver } from '../helpers/receiver';
import { eventually, until } from '../helpers/wait';
import { call, createWebhook, ledger, startService, type Service } from '../helpers/system';

const SPEC_ERROR = { code: expect.any(Number), message: expect.any(String) };

/**
 * The database goes away under load: first every connection is cut, then the server is
 * restarted. This runs on a PostgreSQL server of its own (embedded, on a free port), so
 * stopping it touches no one else's database.
 */
describe('system: database trouble under load', () => {
  let dir: string;
  let port: number;
  let pg: EmbeddedPostgres;
  let url: string;
  let receiver: Receiver;
  let server: Service;
  let worker: Service;

  beforeAll(async () => {
    dir = scratchDir('postmand-outage-');
    port = await freePort();
    pg = await EmbeddedPostgres.start({ dataDir: dir, port, ephemeral: true });
    url = pg.url.replace(/\/postgres$/, '/postmand');
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE postmand');
    await admin.end();
    const ds = new DataSource(
      dataSourceOptions({ url, poolSize: 2, applicationName: 'postmand-test' }),
    );
    await ds.initialize();
    await migrate(ds);
    await ds.destroy();
    receiver = await Receiver.start();
    server = await startService('server', url);
    worker = await startService('worker', url);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await server?.stop('SIGKILL');
    await receiver?.close();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 in the SPEC shape while down, tells the truth on /readyz, and recovers alone', async () => {
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, {
      retry_min_backoff: 1,
      retry_max_backoff: 1,
    });

    // Load: one delivery every ~10 ms for the whole test; every 201 must be delivered.
    const accepted: string[] = [];
    const answers = new Map<number, number>();
    const bad: unknown[] = [];
    let loading = true;
    const load = (async () => {
      let n = 0;
      while (loading) {
        const started = Date.now();
        const res = await call(server.apiUrl, 'POST', '/v1/deliveries', {
          webhook_id: webhookId,
          payload: JSON.stringify({ n: n++ }),
        }).catch((err: Error) => ({ status: -1, body: err.message }));
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        const body = res.body as { code?: unknown; message?: unknown } | undefined;
        if (res.status === 201) accepted.push(res.body.id as string);
        // Refused while the database is away: 503 code 1, never a 500.
        else if (res.status !== 503 || body?.code !== 1 || body.message !== 'service unavailable')
          bad.push(res);
        // Never hangs: an answer, even a refusal, comes quickly.
        if (Date.now() - started > 8_000) bad.push({ slow: Date.now() - started });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const delivered = (count: number): Promise<true> =>
      eventually(
        () =>
          new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size >= count
            ? true
            : undefined,
        60_000,
        `${count} deliveries to arrive`,
      );
    await until(() => accepted.length >= 50, 20_000, 'load');
    await delivered(40);

    // 1. Every connection of the database cut at once.
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = 'postmand' AND pid <> pg_backend_pid()`,
    );
    await admin.end();
    const afterCut = accepted.length;
    await until(() => accepted.length >= afterCut + 50, 30_000, 'API recovery');
    await delivered(afterCut + 40);

    // 2. The server stopped: the API refuses quickly, /readyz says so, /livez stays up.
    await pg.stop();
    for (const health of [server.healthUrl, worker.healthUrl]) {
      await pollHttp(`${health}/readyz`, (status) => status === 503, 20_000);
      expect((await call(health, 'GET', '/livez')).status).toBe(200);
      expect((await call(health, 'GET', '/healthz')).status).toBe(503);
    }
    const down = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: webhookId,
      payload: '{}',
    });
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ ...SPEC_ERROR, details: 'the database is unreachable' });
    const list = await call(server.apiUrl, 'GET', '/v1/deliveries');
    expect(list.status).toBe(503);
    // The load keeps hammering: many more refusals while the database is away.
    const refused = answers.get(503) ?? 0;
    await until(
      () => (answers.get(503) ?? 0) >= refused + 20,
      30_000,
      'the load refused meanwhile',
    );

    // 3. Back on the same port: both processes recover by themselves.
    pg = await EmbeddedPostgres.start({ dataDir: dir, port, ephemeral: true });
    for (const health of [server.healthUrl, worker.healthUrl]) {
      await pollHttp(`${health}/readyz`, (status) => status === 200, 30_000);
    }
    const afterRestart = accepted.length;
    await until(() => accepted.length >= afterRestart + 50, 30_000, 'API after restart');
    loading = false;
    await load;

    // Everything the API accepted is delivered, the processes never died.
    await delivered(accepted.length);
    expect(bad).toEqual([]);
    expect(answers.get(503) ?? 0).toBeGreaterThan(0);
    expect(server.cli.child.exitCode).toBeNull();
    expect(worker.cli.child.exitCode).toBeNull();

    const ds = new DataSource(
      dataSourceOptions({ url, poolSize: 2, applicationName: 'postmand-test' }),
    );
    await ds.initialize();
    try {
      await until(
        async () => {
          const [{ n }] = await ds.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM deliveries WHERE status <> 'succeeded'`,
          );
          return n === 0;
        },
        120_000,
        'every accepted delivery to succeed',
      );
      expect(await worker.stop()).toBe(0);
      const book = await ledger(ds, receiver.requests);
      expect(book.problems).toEqual([]);
      expect(book.deliveries).toBe(accepted.length);
      expect(book.byStatus).toEqual({ succeeded: accepted.length });
      // A request cut by the outage may be repeated, never lost or left unrecorded.
      expect(book.unrecorded).toBe(0);
    } finally {
      await ds.destroy();
    }
  }, 300_000);
});
