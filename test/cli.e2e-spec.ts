import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '@app/platform';
import { freePort, pollHttp, runCli } from './helpers/cli';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startService } from './helpers/system';

describe('postmand CLI', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.drop());

  it('prints usage and rejects unknown commands', async () => {
    const help = runCli('--help');
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: postmand <command>');
    const unknown = runCli('serve');
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toContain('unknown command "serve"');
  });

  it('stops on a bad variable, naming it', async () => {
    const cli = runCli('migrate', {
      POSTMAND_DATABASE_URL: db.url,
      POSTMAND_WORKER_CONCURRENCY: 'lots',
    });
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('POSTMAND_WORKER_CONCURRENCY: must be a whole number');
  });

  it('needs POSTMAND_DATABASE_URL for migrate, server and worker', async () => {
    for (const command of ['migrate', 'server', 'worker']) {
      const cli = runCli(command);
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain('POSTMAND_DATABASE_URL is not set');
    }
  });

  it('refuses to serve an un-migrated schema, then serves once migrated', async () => {
    const [httpPort, healthPort] = [await freePort(), await freePort()];
    const env = {
      POSTMAND_DATABASE_URL: db.url,
      POSTMAND_HTTP_PORT: String(httpPort),
      POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
    };
    for (const command of ['server', 'worker']) {
      const refused = runCli(command, env);
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toMatch(/schema is not up to date.*Run \\"postmand migrate\\"/);
    }

    const migrate = runCli('migrate', env);
    expect(await migrate.exited).toBe(0);
    expect(migrate.output()).toContain('migrations applied');
    const again = runCli('migrate', env);
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain('schema already current');

    const server = runCli('server', env);
    try {
      const health = await pollHttp(`http://127.0.0.1:${healthPort}/healthz`, (s) => s === 200);
      expect(health.body).toMatchObject({ success: true });
      const ready = await pollHttp(`http://127.0.0.1:${healthPort}/readyz`, (s) => s === 200);
      expect(ready.body).toMatchObject({ success: true, info: { schema: { status: 'up' } } });
      const live = await pollHttp(`http://127.0.0.1:${healthPort}/livez`, (s) => s === 200);
      expect(live.body).toEqual({ success: true, status: 'ok' });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('migrate names each webhook whose whsec_ secret cannot sign safely, never the secret', async () => {
    const env = { POSTMAND_DATABASE_URL: db.url };
    expect(await runCli('migrate', env).exited).toBe(0);
    // Tokens the API took before it checked them (§3), and good ones beside them.
    const tokens = {
      empty: 'whsec_',
      bangs: 'whsec_!!!!!!!!',
      short: `whsec_${Buffer.from('sixteen-byte-key').toString('base64')}`,
      good: `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`,
      plain: 'my-secret-token',
    };
    const ids: Record<string, string> = {};
    for (const [name, token] of Object.entries(tokens)) {
      const [{ id }] = await db.dataSource.query<{ id: string }[]>(
        `INSERT INTO webhooks (name, url, content_type, valid_status_codes, secret_token,
           max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
         VALUES ($1, 'http://127.0.0.1:9/', 'application/json', '{200}', $2, 5, 10, 10, 60)
         RETURNING id`,
        [`secret ${name}`, token],
      );
      ids[name] = id;
    }
    try {
      const migrate = runCli('migrate', env);
      expect(await migrate.exited).toBe(0);
      const output = migrate.output();
      const warned = output.split('\n').filter((line) => line.includes('"level":"warn"'));
      for (const name of ['empty', 'bangs', 'short']) {
        expect(warned.filter((line) => line.includes(ids[name]))).toHaveLength(1);
      }
      expect(warned).toHaveLength(3);
      expect(warned[0]).toContain('rotate-secret');
      for (const token of Object.values(tokens)) {
        if (token !== 'whsec_') expect(output).not.toContain(token.slice(6));
      }
      // `postmand all` (npm start) migrates by itself, and says the same.
      const [httpPort, healthPort] = [await freePort(), await freePort()];
      const all = runCli('all', {
        ...env,
        POSTMAND_HTTP_PORT: String(httpPort),
        POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
      });
      try {
        await pollHttp(`http://127.0.0.1:${healthPort}/readyz`, (status) => status === 200);
      } finally {
        all.child.kill('SIGTERM');
      }
      expect(await all.exited).toBe(0);
      for (const name of ['empty', 'bangs', 'short', 'good', 'plain']) {
        const lines = all
          .output()
          .split('\n')
          .filter((line) => line.includes('"level":"warn"') && line.includes(ids[name]));
        expect([name, lines.length]).toEqual([name, ['good', 'plain'].includes(name) ? 0 : 1]);
      }
    } finally {
      await db.dataSource.query('DELETE FROM webhooks WHERE id = ANY($1::uuid[])', [
        Object.values(ids),
      ]);
    }
  });

  it('runs retention once: a dry run first, then the run, with what it removed per table', async () => {
    const env = { POSTMAND_DATABASE_URL: db.url };
    expect(await runCli('migrate', env).exited).toBe(0);
    const [{ id }] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ('old', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60)
       RETURNING id`,
    );
    await db.dataSource.query(
      `INSERT INTO deliveries (webhook_id, payload, status, created_at)
       SELECT $1, '{}', s, now() - interval '2 hours'
       FROM unnest(ARRAY['succeeded', 'failed', 'pending']) s`,
      [id],
    );
    const dry = runCli(['retention', 'run', '--dry-run', '--older-than', '3600'], env);
    expect(await dry.exited).toBe(0);
    expect(dry.output()).toMatch(/^deliveries\twould remove 2$/m);
    const run = runCli(['retention', 'run', '--older-than', '3600'], env);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/^deliveries\tremoved 2$/m);
    expect(run.output()).toMatch(/^delivery_attempts\tremoved 0$/m);
    const [{ left }] = await db.dataSource.query<{ left: string }[]>(
      `SELECT string_agg(status, ',') AS left FROM deliveries`,
    );
    expect(left).toBe('pending');
    const bad = runCli(['retention', 'run', '--older-than', 'soon'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--older-than needs a whole number of seconds');
    const off = runCli(['retention', 'run'], { ...env, POSTMAND_RETENTION_DAYS: '0' });
    expect(await off.exited).toBe(2);
    expect(off.output()).toContain('retention is off');
  });

  it('makes, lists and revokes API keys, printing a key once and storing only its hash', async () => {
    const env = { POSTMAND_DATABASE_URL: db.url };
    expect(await runCli('migrate', env).exited).toBe(0);
    const apiKey = async (args: string[], extra: Record<string, string> = {}) => {
      const cli = runCli(['api-key', ...args], { ...env, ...extra });
      return { code: await cli.exited, output: cli.output() };
    };
    const created = await apiKey(['create', '--name', 'ci', '--scope', 'write']);
    expect(created.code).toBe(0);
    const key = created.output.trimEnd().split('\n').at(-1)!;
    expect(key).toMatch(/^pmk_[A-Za-z0-9_-]{43}$/);
    expect(created.output).toContain('created API key "ci" (scope write)');
    const [row] = await db.dataSource.query<{ hashed: boolean; text: string }[]>(
      `SELECT key_hash = sha256(convert_to($1, 'UTF8')) AS hashed, row_to_json(k)::text AS text
       FROM api_keys k WHERE name = 'ci'`,
      [key],
    );
    expect(row.hashed).toBe(true);
    expect(row.text).not.toContain(key.slice(4));

    const taken = await apiKey(['create', '--name', 'ci', '--scope', 'read']);
    expect(taken).toEqual({
      code: 1,
      output: expect.stringContaining('an API key named "ci" already exists'),
    });
    for (const args of [
      ['create', '--name', 'x', '--scope', 'admin'],
      ['create', '--scope', 'read'],
      ['create', '--name', 'x', '--scope', 'read', '--colour', 'red'],
      ['revoke'],
      ['rotate'],
    ]) {
      expect((await apiKey(args)).code).toBe(2);
    }
    expect((await apiKey(['create', '--name', 'bad name!', '--scope', 'read'])).code).toBe(1);

    // A key from a secret store: stored, not printed; the same again changes nothing.
    const stored = 'pmk_' + 'A'.repeat(43);
    for (const expected of ['stored API key "bootstrap"', 'is already stored; nothing changed']) {
      const run = await apiKey(
        ['create', '--name', 'bootstrap', '--scope', 'write', '--key-env', 'BOOT'],
        { BOOT: stored },
      );
      expect(run.code).toBe(0);
      expect(run.output).toContain(expected);
      expect(run.output).not.toContain(stored);
    }
    const other = await apiKey(
      ['create', '--name', 'bootstrap', '--scope', 'write', '--key-env', 'BOOT'],
      { BOOT: 'pmk_' + 'B'.repeat(43) },
    );
    expect(other.code).toBe(1);
    expect(
      (
        await apiKey(['create', '--name', 'b2', '--scope', 'write', '--key-env', 'BOOT'], {
          BOOT: 'short',
        })
      ).code,
    ).toBe(1);
    expect(
      (await apiKey(['create', '--name', 'b3', '--scope', 'write', '--key-env', 'UNSET'])).code,
    ).toBe(2);

    const listed = await apiKey(['list']);
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(/^NAME\s+SCOPE\s+CREATED\s+LAST USED$/m);
    expect(listed.output).toMatch(/^bootstrap\s+write\s+\S+Z\s+never$/m);
    expect(listed.output).toMatch(/^ci\s+write\s+\S+Z\s+never$/m);
    expect(listed.output).not.toContain('pmk_');

    expect((await apiKey(['revoke', 'ci'])).code).toBe(0);
    const again = await apiKey(['revoke', 'ci']);
    expect(again).toEqual({ code: 1, output: expect.stringContaining('no API key is named "ci"') });
    expect((await apiKey(['list'])).output).not.toMatch(/^ci\s/m);
  });

  it('binds POSTMAND_HTTP_HOST only, every interface by default', async () => {
    // Every 127/8 address reaches loopback on Linux: a socket bound to 127.0.0.1 answers
    // there only, one bound to 0.0.0.0 answers on 127.0.0.2 as well.
    const reachable = async (url: string): Promise<boolean> =>
      fetch(url).then(
        () => true,
        () => false,
      );
    const migrated = await createTestDatabase();
    for (const host of [undefined, '127.0.0.1']) {
      const env: Record<string, string> = host ? { POSTMAND_HTTP_HOST: host } : {};
      const server = await startService('server', migrated.url, env);
      try {
        const other = (url: string): string => url.replace('127.0.0.1', '127.0.0.2');
        expect(await reachable(`${server.apiUrl}/v1/webhooks`)).toBe(true);
        expect(await reachable(other(`${server.apiUrl}/v1/webhooks`))).toBe(host === undefined);
        expect(await reachable(other(`${server.healthUrl}/livez`))).toBe(host === undefined);
      } finally {
        await server.stop();
      }
    }
    await migrated.drop();
  });

  it('runs everything on an embedded PostgreSQL when no URL is given, and reuses its data', async () => {
    const dataDir = path.join(scratchDir('postmand-cli-'), 'data');
    try {
      for (const run of [1, 2]) {
        const healthPort = await freePort();
        const apiPort = await freePort();
        const all = runCli('all', {
          POSTMAND_DATA_DIR: dataDir,
          POSTMAND_AUTH: 'api_key',
          POSTMAND_HTTP_PORT: String(apiPort),
          POSTMAND_HEALTH_CHECK_HTTP_PORT: String(healthPort),
        });
        try {
          const ready = await pollHttp(`http://127.0.0.1:${healthPort}/readyz`, (s) => s === 200);
          expect(ready.body).toMatchObject({ success: true });
          // Logs are buffered for up to half a second; the last start-up line marks the end.
          await all.waitForOutput(/health server listening/);
          expect(all.output()).toContain('embedded PostgreSQL started');
          // The first run creates the schema; the second finds it in the same folder.
          expect(all.output().includes('migrations applied')).toBe(run === 1);
          if (run === 1) {
            // An admin command finds the embedded server that `all` started.
            const make = runCli(['api-key', 'create', '--name', 'local', '--scope', 'read'], {
              POSTMAND_DATA_DIR: dataDir,
            });
            expect([await make.exited, make.output()]).toEqual([0, expect.stringMatching(/pmk_/)]);
            const key = make.output().trimEnd().split('\n').at(-1)!;
            const res = await fetch(`http://127.0.0.1:${apiPort}/v1/webhooks`, {
              headers: { authorization: `Bearer ${key}` },
            });
            expect(res.status).toBe(200);
            expect((await fetch(`http://127.0.0.1:${apiPort}/v1/webhooks`)).status).toBe(401);
          }
        } finally {
          all.child.kill('SIGTERM');
        }
        expect(await all.exited).toBe(0);
        // The embedded server stopped with the process.
        expect(fs.existsSync(path.join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);
      }
    } finally {
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});
