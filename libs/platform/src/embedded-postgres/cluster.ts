import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  EmbeddedPostgresError,
  locatePostgresBinaries,
  type PostgresBinaries,
} from './postgres-binaries';

/*
 * The cluster on disk, before any server runs on it: the user the server runs as, the
 * data folder, its password, initdb and the version check. EmbeddedPostgres (the
 * server's lifecycle) starts from what `prepareCluster` returns.
 */

/** The user and group the server runs as, under root; undefined otherwise. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** A cluster ready to be started: where it is, its password, what runs it, as whom. */
export interface PreparedCluster {
  binaries: PostgresBinaries;
  runAs: RunAs | undefined;
  /** The folder of the cluster and its password (`dataDir`, or the fallback). */
  dataDir: string;
  /** `<dataDir>/pgdata`. */
  pgdata: string;
  password: string;
}

/**
 * Finds the binaries (and, as root, the `postgres` user that runs them), picks the data
 * folder (the fallback when the `postgres` user cannot reach `dataDir`), makes sure that
 * user can write it, and initialises the cluster on first use (a cluster of another major
 * version is an error).
 */
export async function prepareCluster(
  options: { dataDir: string; fallbackDataDir?: string; ephemeral?: boolean },
  onLog: (line: string) => void,
): Promise<PreparedCluster> {
  const runAs = process.getuid?.() === 0 ? ensurePostgresUser() : undefined;
  const binaries = locatePostgresBinaries(runAs);
  let dataDir = path.resolve(options.dataDir);
  if (runAs && options.fallbackDataDir && !canReach(path.dirname(dataDir), runAs)) {
    onLog(`${dataDir} is closed to the 'postgres' user; using ${options.fallbackDataDir}`);
    dataDir = path.resolve(options.fallbackDataDir);
  }
  prepareDataDir(dataDir, runAs);

  const pgdata = path.join(dataDir, 'pgdata');
  const password = readOrCreatePassword(dataDir, runAs);
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await initdb(binaries, pgdata, path.join(dataDir, 'password'), runAs, options.ephemeral);
  } else {
    checkClusterVersion(pgdata, binaries);
  }
  return { binaries, runAs, dataDir, pgdata, password };
}

/** Finds or creates the unprivileged `postgres` user that the server runs as under root. */
function ensurePostgresUser(): RunAs {
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  const created = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    { encoding: 'utf8' },
  );
  const user = lookup();
  if (!user) {
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root and no 'postgres' user could be created ` +
        `(${(created.stderr || String(created.error ?? '')).trim()}). ` +
        'Create one, run as another user, or set POSTMAND_DATABASE_URL.',
    );
  }
  return user;
}

/** Whether `runAs` may list and write `dir` (every parent needs the search bit). */
function canReach(dir: string, runAs: RunAs | undefined, mode: '-w' | '-x' = '-x'): boolean {
  if (!runAs) return true;
  const probe = spawnSync('/bin/sh', ['-c', `test ${mode} "$1"`, 'sh', dir], runAs);
  return probe.status === 0;
}

function prepareDataDir(dataDir: string, runAs: RunAs | undefined): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!runAs) return;
  fs.chownSync(dataDir, runAs.uid, runAs.gid);
  if (!canReach(dataDir, runAs, '-w')) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL runs as the 'postgres' user (it refuses root), and that user ` +
        `cannot reach ${dataDir}: a parent folder is closed to other users. Set ` +
        'POSTMAND_DATA_DIR to a folder outside it (for example /var/lib/postmand), or set ' +
        'POSTMAND_DATABASE_URL to use your own PostgreSQL.',
    );
  }
}

function readOrCreatePassword(dataDir: string, runAs: RunAs | undefined): string {
  const file = path.join(dataDir, 'password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  if (runAs) fs.chownSync(file, runAs.uid, runAs.gid);
  return password;
}

async function initdb(
  binaries: PostgresBinaries,
  pgdata: string,
  passwordFile: string,
  runAs: RunAs | undefined,
  ephemeral = false,
): Promise<void> {
  const args = [`--pgdata=${pgdata}`, '--username=postgres', '--auth=scram-sha-256'];
  args.push(`--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C');
  if (ephemeral) args.push('--no-sync');
  const result = await run(binaries.initdb, args, runAs);
  if (result.code !== 0) {
    // A half-made cluster would block the next try; nothing in it is worth keeping.
    fs.rmSync(pgdata, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`initdb failed (exit ${result.code}): ${result.output}`);
  }
}

function checkClusterVersion(pgdata: string, binaries: PostgresBinaries): void {
  const clusterMajor = fs.readFileSync(path.join(pgdata, 'PG_VERSION'), 'utf8').trim();
  if (clusterMajor !== binaries.major) {
    throw new EmbeddedPostgresError(
      `${pgdata} holds a PostgreSQL ${clusterMajor} cluster but the embedded binaries are ` +
        `PostgreSQL ${binaries.major}; dump it with pg_dump ${clusterMajor} or choose another ` +
        'POSTMAND_DATA_DIR.',
    );
  }
}

function run(
  file: string,
  args: string[],
  runAs: RunAs | undefined,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err) => resolve({ code: -1, output: err.message }));
    child.once('close', (code) => resolve({ code: code ?? -1, output: output.trim() }));
  });
}
