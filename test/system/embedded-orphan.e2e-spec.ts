import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '@app/platform';
import { freePort, pollHttp, runCli, type CliProcess } from '../helpers/cli';
import { call, createWebhook } from '../helpers/system';
import { until } from '../helpers/wait';

/** Whether `pid` names a running process (a zombie has exited: it only awaits its reaper). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(0) is all there is
  }
}

describe('embedded PostgreSQL left behind by a killed postmand all', () => {
  const dataDir = path.join(scratchDir('postmand-orphan-'), 'data');
  const pidFile = path.join(dataDir, 'pgdata', 'postmaster.pid');
  const started: CliProcess[] = [];
  const others: ChildProcess[] = [];
  /** The postmasters seen, stopped in the end if a failed test left one running. */
  const servers: number[] = [];
  const postmaster = (): number => {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    servers.push(pid);
    return pid;
  };

  /** `postmand all` on the shared data folder, on free ports. */
  async function startAll(): Promise<{ cli: CliProcess; apiUrl: string; healthUrl: string }> {
    const [apiPort, healthPort] = [await freePort(), await freePort()];
    const cli = runCli('all', {
      POSTMAND_DATA_DIR: dataDir,
      POSTMAND_HTTP_PORT: String(apiPort),
      POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
    });
    started.push(cli);
    return {
      cli,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      healthUrl: `http://127.0.0.1:${healthPort}`,
    };
  }

  afterAll(async () => {
    for (const cli of started) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
      await cli.exited;
    }
    for (const other of others) other.kill('SIGKILL');
    for (const pid of servers) if (running(pid)) process.kill(pid, 'SIGQUIT');
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('stops the PostgreSQL a SIGKILLed run left behind and starts on the same data', async () => {
    const first = await startAll();
    await pollHttp(`${first.healthUrl}/readyz`, (s) => s === 200, 120_000);
    const hook = await createWebhook(first.apiUrl, 'http://127.0.0.1:9/hook');
    first.cli.child.kill('SIGKILL');
    expect(await first.cli.exited).toBe('SIGKILL');

    // The server, in its own process group, outlives the process that started it.
    const orphan = postmaster();
    expect(running(orphan)).toBe(true);

    const second = await startAll();
    await second.cli.waitForOutput(/health server listening/, 120_000);
    await pollHttp(`${second.healthUrl}/readyz`, (s) => s === 200, 120_000);
    expect(second.cli.output()).toContain(
      `stopping the embedded PostgreSQL (pid ${orphan}) that an earlier postmand left running`,
    );
    expect(running(orphan)).toBe(false);
    const got = await call(second.apiUrl, 'GET', `/v1/webhooks/${hook}`);
    expect([got.status, (got.body as { id: string }).id]).toEqual([200, hook]);

    // A server that a live postmand runs is that postmand's: a second start leaves it be.
    const serving = postmaster();
    const third = await startAll();
    expect(await third.cli.exited).toBe(1);
    expect(third.cli.output()).toContain(
      `postmand (pid ${second.cli.child.pid}) is already running on ${dataDir}`,
    );
    expect(running(serving)).toBe(true);
    expect((await call(second.apiUrl, 'GET', `/v1/webhooks/${hook}`)).status).toBe(200);

    second.cli.child.kill('SIGTERM');
    expect(await second.cli.exited).toBe(0);
    expect(fs.existsSync(pidFile)).toBe(false);
  }, 300_000);

  /** A cluster in the folder, made by a clean run when this test runs on its own. */
  async function ensureCluster(): Promise<void> {
    if (fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))) return;
    const init = await startAll();
    await init.cli.waitForOutput(/health server listening/, 120_000);
    init.cli.child.kill('SIGTERM');
    expect(await init.cli.exited).toBe(0);
  }

  /** `sleep`, as `user` (a uid and gid) when given; its pid once it runs. */
  async function sleeper(user?: { uid: number; gid: number }): Promise<number> {
    const child = spawn('sleep', ['600'], { stdio: 'ignore', ...user });
    others.push(child);
    await until(() => running(child.pid!), 20_000, 'sleep to run');
    return child.pid!;
  }

  /** A postmaster.pid as PostgreSQL writes it, naming `pid`. */
  function writePidFile(pid: number): void {
    const pgdata = path.join(dataDir, 'pgdata');
    // pid, data folder, start time, port, socket folder, listen address, shmem key, status
    const lines = [pid, pgdata, Math.floor(Date.now() / 1000), 5432, '', '127.0.0.1', '0 0'];
    fs.writeFileSync(pidFile, `${lines.join('\n')}\nready   \n`);
  }

  /** Starts `postmand all`; resolves with its exit code, or 'started' once it serves. */
  async function startOutcome(cli: CliProcess): Promise<number | string> {
    return Promise.race([
      cli.exited,
      cli.waitForOutput(/health server listening/, 120_000).then(
        () => 'started',
        () => 'no start',
      ),
    ]);
  }

  it('leaves alone a live process that postmaster.pid names but that is not our server', async () => {
    await ensureCluster();
    // The server's own user (`postgres` under root): PostgreSQL may signal it, so it
    // takes the file for a live server's and refuses to start.
    const serverUser = process.getuid?.() === 0 ? postgresUser() : undefined;
    const pid = await sleeper(serverUser);
    writePidFile(pid);

    const blocked = await startAll();
    expect(await startOutcome(blocked.cli)).toBe(1);
    expect(blocked.cli.output()).toContain(
      `${pidFile} names process ${pid}, which is not the embedded PostgreSQL of ${dataDir}`,
    );
    expect(running(pid)).toBe(true);
    expect(fs.existsSync(pidFile)).toBe(true);
  }, 300_000);

  // Only root can run a process as another user than the server's.
  (process.getuid?.() === 0 ? it : it.skip)(
    "starts over a pid file naming another user's process, as PostgreSQL itself does, and leaves that process alone",
    async () => {
      await ensureCluster();
      const pid = await sleeper(); // root's, not the `postgres` user's: a pid reused
      writePidFile(pid);

      const run = await startAll();
      expect(await startOutcome(run.cli)).toBe('started');
      expect(running(pid)).toBe(true);
      run.cli.child.kill('SIGTERM');
      expect(await run.cli.exited).toBe(0);
      expect(running(pid)).toBe(true);
    },
    300_000,
  );
});

/** The uid and gid of the `postgres` user that the embedded server runs as under root. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}
