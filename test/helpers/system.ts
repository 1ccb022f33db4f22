import * as fs from 'node:fs';
import type { DataSource } from 'typeorm';
import { freePort, pollHttp, runCli, type CliProcess } from './cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { Receiver, type ReceivedRequest } from './receiver';

/** A `postmand server` or `postmand worker` child process with its ports. */
export interface Service {
  cli: CliProcess;
  /** The API's base URL (server only). */
  apiUrl: string;
  healthUrl: string;
  /** Sends `signal` and resolves with the exit code or signal name. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** Resident set size now, in MB, read from /proc. */
  rssMb(): number;
}

/** How long a process may take to be ready: generous, a busy machine starts Node slowly. */
const READY_WITHIN_MS = 120_000;

/**
 * Starts `postmand <command>` on `databaseUrl` and waits for /readyz. Logs go to the
 * process output at `warn` unless the test asks for more.
 */
export async function startService(
  command: 'server' | 'worker',
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Service> {
  const [httpPort, healthPort] = [await freePort(), await freePort()];
  const cli = runCli(command, {
    POSTMAND_DATABASE_URL: databaseUrl,
    POSTMAND_HTTP_PORT: String(httpPort),
    POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
    POSTMAND_LOG_LEVEL: 'warn',
    ...env,
  });
  const service: Service = {
    cli,
    apiUrl: `http://127.0.0.1:${httpPort}`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    stop: async (signal = 'SIGTERM') => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal);
      return cli.exited;
    },
    rssMb: () => {
      const status = fs.readFileSync(`/proc/${cli.child.pid}/status`, 'utf8');
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    },
  };
  try {
    await Promise.race([
      pollHttp(`${service.healthUrl}/readyz`, (status) => status === 200, READY_WITHIN_MS),
      cli.exited.then((code) => {
        throw new Error(`postmand ${command} exited (${code}):\n${cli.output()}`);
      }),
    ]);
  } catch (err) {
    await service.stop('SIGKILL');
    throw err;
  }
  return service;
}

/** `count` worker processes on one database, started one after the other. */
export async function startWorkers(
  databaseUrl: string,
  count: number,
  env: Record<string, string> = {},
): Promise<Service[]> {
  const workers: Service[] = [];
  for (let i = 0; i < count; i++) workers.push(await startService('worker', databaseUrl, env));
  return workers;
}

/** The Prometheus text of a process's /metrics. */
export async function scrape(service: Service): Promise<string> {
  return (await fetch(`${service.healthUrl}/metrics`)).text();
}

/** Prometheus text → value of one sample, e.g. `name{label="x"}`; undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}

export interface JsonResponse {
  status: number;
  body: any;
}

/** One JSON request to the API; never throws on an HTTP status. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates a webhook through the API (SPEC defaults unless overridden); returns its id. */
export async function createWebhook(
  apiUrl: string,
  url: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const res = await call(apiUrl, 'POST', '/v1/webhooks', {
    name: 'system test',
    url,
    content_type: 'application/json',
    valid_status_codes: [200],
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`webhook not created: ${JSON.stringify(res)}`);
  return res.body.id as string;
}

/** Creates `count` deliveries through the API, `parallel` requests at a time; returns ids. */
export async function createDeliveries(
  apiUrl: string,
  webhookId: string,
  count: number,
  parallel = 16,
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const n = next++;
        const res = await call(apiUrl, 'POST', '/v1/deliveries', {
          webhook_id: webhookId,
          payload: JSON.stringify({ n }),
        });
        if (res.status !== 201) throw new Error(`delivery not created: ${JSON.stringify(res)}`);
        ids.push(res.body.id as string);
      }
    }),
  );
  return ids;
}

export interface Ledger {
  deliveries: number;
  byStatus: Record<string, number>;
  attempts: number;
  received: number;
  /** Requests the receiver saw beyond the attempts recorded for the same delivery. */
  unrecorded: number;
  /** Requests beyond the first for the same delivery (retries included). */
  repeats: number;
  problems: string[];
}

/**
 * Reconciles the database with the requests a receiver saw. Problems: a delivery whose
 * attempt counter disagrees with its attempt rows, more or fewer than one successful
 * attempt for a succeeded delivery (one for any other), a pending delivery still
 * leased once every worker has stopped, an attempt that points nowhere.
 */
export async function ledger(
  ds: DataSource,
  received: Pick<ReceivedRequest, 'headers'>[],
): Promise<Ledger> {
  const rows = await ds.query<
    {
      id: string;
      status: string;
      delivery_attempts: number;
      attempts: number;
      successes: number;
      leased: boolean;
    }[]
  >(
    `SELECT d.id, d.status, d.delivery_attempts, d.lease_owner IS NOT NULL AS leased,
            count(a.id)::int AS attempts, count(a.id) FILTER (WHERE a.success)::int AS successes
     FROM deliveries d LEFT JOIN delivery_attempts a ON a.delivery_id = d.id
     GROUP BY d.id`,
  );
  const [{ orphans }] = await ds.query<{ orphans: number }[]>(
    `SELECT count(*)::int AS orphans FROM delivery_attempts a
     WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id)`,
  );
  const seen = new Map<string, number>();
  for (const req of received) {
    const id = String(req.headers['webhook-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const result: Ledger = {
    deliveries: rows.length,
    byStatus: {},
    attempts: 0,
    received: received.length,
    unrecorded: 0,
    repeats: 0,
    problems: orphans > 0 ? [`${orphans} attempts without a delivery`] : [],
  };
  for (const row of rows) {
    result.byStatus[row.status] = (result.byStatus[row.status] ?? 0) + 1;
    result.attempts += row.attempts;
    const received = seen.get(row.id) ?? 0;
    result.unrecorded += Math.max(0, received - row.attempts);
    result.repeats += Math.max(0, received - 1);
    if (row.delivery_attempts !== row.attempts) {
      result.problems.push(`${row.id}: counter ${row.delivery_attempts}, rows ${row.attempts}`);
    }
    if (row.successes !== (row.status === 'succeeded' ? 1 : 0)) {
      result.problems.push(`${row.id}: ${row.status} with ${row.successes} successful attempts`);
    }
    if (row.leased) result.problems.push(`${row.id}: still leased`);
  }
  return result;
}

/** A test database, a receiver and a running `server`. */
export interface Stack {
  db: TestDatabase;
  receiver: Receiver;
  server: Service;
  /** Kills what still runs, closes the receiver, drops the database. */
  stop(): Promise<void>;
}

/** The stack with a running `worker` too (the first of `workers`). */
export interface StackWithWorker extends Stack {
  worker: Service;
  workers: Service[];
}

export interface StackOptions {
  /** For both processes. */
  env?: Record<string, string>;
  /** For the worker only; `false` starts none. */
  worker?: Record<string, string> | false;
  /** How many worker processes (1 by default). */
  workers?: number;
}

export async function startStack(options: StackOptions & { worker: false }): Promise<Stack>;
export async function startStack(options?: StackOptions): Promise<StackWithWorker>;
export async function startStack(options: StackOptions = {}): Promise<Stack | StackWithWorker> {
  const db = await createTestDatabase();
  const receiver = await Receiver.start();
  const server = await startService('server', db.url, options.env);
  const workers =
    options.worker === false
      ? []
      : await startWorkers(db.url, options.workers ?? 1, { ...options.env, ...options.worker });
  const stop = async (): Promise<void> => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await server.stop();
    await receiver.close();
    await db.drop();
  };
  return workers.length > 0
    ? { db, receiver, server, worker: workers[0], workers, stop }
    : { db, receiver, server, stop };
}
