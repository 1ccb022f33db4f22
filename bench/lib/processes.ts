import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitForHttp } from './util';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');
const TS_NODE = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

export interface ReceiverStats {
  count: number;
  first: number;
  last: number;
  arrivals: [string, number][];
}

export class ReceiverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(
    options: { delayMs?: number; record?: boolean } = {},
  ): Promise<ReceiverProcess> {
    const child = fork(path.join(__dirname, 'receiver-process.ts'), [], {
      execArgv: TS_NODE,
      cwd: ROOT,
      env: {
        ...process.env,
        RECEIVER_DELAY_MS: String(options.delayMs ?? 0),
        RECEIVER_RECORD: options.record ? '1' : '0',
      },
    });
    const port = await new Promise<number>((resolve) =>
      child.once('message', (m: { port: number }) => resolve(m.port)),
    );
    return new ReceiverProcess(child, `http://127.0.0.1:${port}`);
  }

  stats(): Promise<ReceiverStats> {
    return new Promise((resolve) => {
      this.child.once('message', (m: ReceiverStats) => resolve(m));
      this.child.send('stats');
    });
  }

  async stop(): Promise<void> {
    this.child.disconnect();
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

/** A child process whose peak RSS (VmHWM) is read from /proc before it exits. */
export class Measured {
  private peakKb = 0;
  private readonly sampler: NodeJS.Timeout;
  readonly exited: Promise<number | null>;
  output = '';

  constructor(readonly child: ChildProcess) {
    child.stdout?.on(
      'data',
      (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)),
    );
    child.stderr?.on(
      'data',
      (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)),
    );
    this.sampler = setInterval(() => this.sample(), 250);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        clearInterval(this.sampler);
        resolve(code);
      }),
    );
  }

  /** Peak resident set size in MB so far. */
  peakRssMb(): number {
    this.sample();
    return Math.round(this.peakKb / 1024);
  }

  private sample(): void {
    try {
      const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) this.peakKb = Math.max(this.peakKb, Number(hwm[1]));
    } catch {
      // exited
    }
  }

  async stop(): Promise<void> {
    this.sample();
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Node's flags in the container image (Dockerfile ENTRYPOINT): the bench runs the same. */
export const IMAGE_NODE_ARGS = ['--max-semi-space-size=8'];

/** Runs `postmand <command>` (the built CLI) as a child process, as the image runs it. */
export function startPostmand(command: string, env: Record<string, string>): Measured {
  return new Measured(
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the process.
    spawn(
      process.execPath,
      [
        ...IMAGE_NODE_ARGS,
        ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
        // POSTMAND_BENCH_CLI=<another build's main.js> runs that build instead (A/B runs).
        process.env.POSTMAND_BENCH_CLI ?? CLI,
        command,
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          POSTMAND_LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
}

/** Runs a bench TypeScript module as a child process (peers, the bare app). */
export function startScript(file: string, env: Record<string, string>): Measured {
  return new Measured(
    spawn(process.execPath, [...TS_NODE, path.join(ROOT, file)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * Runs `postmand migrate` on `databaseUrl` to its end: the schema of the build that
 * startPostmand runs (POSTMAND_BENCH_CLI's, in an A/B), not this checkout's migrations.
 */
export async function migrateWith(databaseUrl: string): Promise<void> {
  const migrate = startPostmand('migrate', { POSTMAND_DATABASE_URL: databaseUrl });
  const code = await migrate.exited;
  if (code !== 0) throw new Error(`postmand migrate exited (${code}):\n${migrate.output}`);
}

/** A `postmand server` on `databaseUrl` (no health port), answering on `url`. */
export interface ApiServer {
  url: string;
  process: Measured;
}

/** Starts `postmand server` on a free port and waits until its API answers. */
export async function startServer(databaseUrl: string): Promise<ApiServer> {
  const port = await freePort();
  const server = startPostmand('server', {
    POSTMAND_DATABASE_URL: databaseUrl,
    POSTMAND_HTTP_PORT: String(port),
    POSTMAND_HEALTH_CHECK_HTTP_PORT: '0',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/v1/webhooks`);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url, process: server };
}
