import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmbeddedPostgresError } from './postgres-binaries';

/**
 * The file in the data folder naming the process that started the server running there:
 * the server is that process's child until it dies, and is then re-parented (to init).
 */
const OWNER_FILE = 'postmand.pid';

/** Records this process as the one that runs the server on `dataDir`. */
export function recordOwner(dataDir: string): void {
  fs.writeFileSync(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

/** Forgets the record, unless another process has written its own since. */
export function forgetOwner(dataDir: string): void {
  const file = path.join(dataDir, OWNER_FILE);
  try {
    if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // a folder gone or closed: nothing left to forget
  }
}

/**
 * Makes way for a new server on `pgdata` when its postmaster.pid names a live process.
 * The server that a killed postmand left running (its parent gone, so it belongs to no
 * one) is stopped with a fast shutdown, as a clean `postmand all` stops it. The server of
 * a postmand that still runs is an error. Any other process is left alone and its pid
 * returned: PostgreSQL then decides, as it always does, whether the file is stale (no
 * such process, or one it may not signal) or blocks the start (see `blockedStartError`).
 */
export async function stopLeftoverServer(
  dataDir: string,
  pgdata: string,
  warn: (message: string) => void,
): Promise<number | undefined> {
  const pid = readPid(path.join(pgdata, 'postmaster.pid'));
  if (pid === undefined || !isRunning(pid)) return undefined;
  if (!runsPostmasterOf(pid, pgdata)) return pid;
  const owner = readPid(path.join(dataDir, OWNER_FILE));
  if (owner !== undefined && owner !== process.pid && parentOf(pid) === owner && isRunning(owner)) {
    throw new EmbeddedPostgresError(
      `postmand (pid ${owner}) is already running on ${dataDir}: stop it first, or set ` +
        'POSTMAND_DATA_DIR to another folder.',
    );
  }
  warn(
    `stopping the embedded PostgreSQL (pid ${pid}) that an earlier postmand left running on ` +
      `${dataDir}`,
  );
  // Fast shutdown: sessions are rolled back and the data flushed; the server removes its
  // pid file last. Immediate shutdown (SIGQUIT, recovered on the next start) if it hangs.
  for (const [signal, waitMs] of [
    ['SIGINT', 60_000],
    ['SIGQUIT', 30_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL (pid ${pid}) that an earlier postmand left running on ` +
          `${dataDir} cannot be stopped by this user (${(err as Error).message}): run as ` +
          'the user that started it, or stop it yourself.',
      );
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isRunning(pid)) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL (pid ${pid}) that an earlier postmand left running on ` +
      `${dataDir} did not stop within 90 s of SIGINT and SIGQUIT`,
  );
}

/**
 * What to say when PostgreSQL refused to start because its pid file names `pid`, a live
 * process that is not a server of this folder (a pid reused since the server died, or a
 * server started some other way); undefined for any other failure.
 */
export function blockedStartError(
  failure: unknown,
  dataDir: string,
  pgdata: string,
  pid: number,
): EmbeddedPostgresError | undefined {
  if (!String(failure).includes('lock file "postmaster.pid" already exists')) return undefined;
  const pidFile = path.join(pgdata, 'postmaster.pid');
  return new EmbeddedPostgresError(
    `${pidFile} names process ${pid}, which is not the embedded PostgreSQL of ${dataDir}, ` +
      'so PostgreSQL will not start; postmand stops no process it did not start. If no ' +
      'PostgreSQL uses this folder, delete the file; otherwise stop that server, or set ' +
      'POSTMAND_DATA_DIR to another folder.',
  );
}

/** The first line of a pid file as a pid; PostgreSQL writes a single-user backend's negated. */
function readPid(file: string): number | undefined {
  let first: string;
  try {
    first = fs.readFileSync(file, 'utf8').split('\n')[0].trim();
  } catch {
    return undefined;
  }
  if (!/^-?\d+$/.test(first)) return undefined;
  const pid = Math.abs(Number(first));
  return pid > 0 ? pid : undefined;
}

/** Whether `pid` runs (as any user); a zombie has exited and only awaits its reaper. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat) return stat.state !== 'Z';
  return !fs.existsSync('/proc/self/stat'); // with /proc, no entry means it has gone
}

/** Whether `pid` is a postmaster started as we start one: `…/postgres -D <pgdata> …`. */
function runsPostmasterOf(pid: number, pgdata: string): boolean {
  const command = commandLine(pid);
  if (command === undefined) return false;
  const folders = new Set([pgdata]);
  try {
    folders.add(fs.realpathSync(pgdata));
  } catch {
    // not there: the name given is all there is to compare
  }
  for (const folder of folders) {
    const at = `${command} `.indexOf(` -D ${folder} `);
    if (at < 0) continue;
    const binary = command.slice(0, at);
    if (binary === 'postgres' || binary.endsWith('/postgres')) return true;
  }
  return false;
}

/** The process's arguments joined by spaces, from /proc or else from `ps`. */
function commandLine(pid: number): string | undefined {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (args.at(-1) === '') args.pop();
    return args.join(' ');
  } catch {
    // no /proc (macOS): ask ps
  }
  const ps = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() || undefined : undefined;
}

function parentOf(pid: number): number | undefined {
  const stat = procStat(pid);
  if (stat) return stat.ppid;
  const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
  const ppid = Number(ps.stdout?.trim());
  return ps.status === 0 && ppid > 0 ? ppid : undefined;
}

/** State and parent from /proc/<pid>/stat (after the name, which may hold spaces and ')'). */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}
