import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import {
  ApiKeyError,
  ApiKeyRepository,
  ApiKeysService,
  assertSchemaCurrent,
  AttemptPartitionsRepository,
  IdempotencyRepository,
  migrate,
  PLATFORM_SCOPE,
  type ApiKeyScope,
  RETENTION_TABLES,
  RetentionRepository,
  RetentionService,
  schemaHealth,
  WebhookRepository,
} from '@app/domain';
import { createHealthApp, createRegistry, type PostmandConfig } from '@app/platform';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { connectDatabase, type Database } from './database';

/** What a long-running command leaves behind: stop it to shut down cleanly. */
export interface Running {
  stop(): Promise<void>;
  /** Resolves if something the process depends on dies (the embedded database). */
  crashed: Promise<Error>;
}

type Closable = INestApplication | INestApplicationContext;

export async function runMigrate(config: PostmandConfig, logger: Logger): Promise<void> {
  const db = await connectDatabase(config, logger, 'postmand-migrate', 'refuse');
  try {
    const applied = await migrate(db.dataSource);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema already current');
    await reportUnusableSecrets(db.dataSource, logger);
  } finally {
    await db.close();
  }
}

/**
 * Warns of each webhook whose `whsec_` token was accepted before the API checked it: it
 * signs with an empty or short key. By id, never the secret. Run by `migrate` and `all`.
 */
async function reportUnusableSecrets(dataSource: DataSource, logger: Logger): Promise<void> {
  for (const id of await new WebhookRepository(dataSource).unusableSecrets(PLATFORM_SCOPE)) {
    logger.warn(
      { webhook_id: id },
      `webhook ${id}: its secret_token starts with "whsec_" but is not standard base64 of 24 to 64 bytes, so its signatures are easy to forge; rotate it (POST /v1/webhooks/${id}/rotate-secret)`,
    );
  }
}

/** `postmand retention run`: one run now; prints what it removed, a line per table. */
export async function runRetention(
  config: PostmandConfig,
  logger: Logger,
  options: { dryRun: boolean; olderThanSeconds?: number },
  out: (line: string) => void,
): Promise<number> {
  const db = await connectDatabase(config, logger, 'postmand-retention', 'attach');
  try {
    await assertSchemaCurrent(db.dataSource);
    if (options.olderThanSeconds === undefined && config.retentionDays === 0) {
      out('retention is off (POSTMAND_RETENTION_DAYS=0); give --older-than SECONDS to run it');
      return 2;
    }
    const retention = new RetentionService(
      new RetentionRepository(db.dataSource),
      new AttemptPartitionsRepository(db.dataSource),
      new IdempotencyRepository(db.dataSource),
    );
    const report = await retention.run({
      olderThanSeconds: options.olderThanSeconds ?? config.retentionDays * 86_400,
      dryRun: options.dryRun,
    });
    if (!report) {
      out('another retention run is in progress; nothing done');
      return 1;
    }
    const verb = report.dryRun ? 'would remove' : 'removed';
    out(
      `retention ${report.dryRun ? 'dry run' : 'run'}: rows created before ${report.cutoff.toISOString()}`,
    );
    for (const table of RETENTION_TABLES) out(`${table}\t${verb} ${report.deleted[table]}`);
    for (const name of report.droppedPartitions) {
      out(`partition ${name}\t${report.dryRun ? 'would be dropped' : 'dropped'}`);
    }
    if (report.partitionsFailure !== undefined) {
      logger.warn(
        { reason: report.partitionsFailure },
        'creating attempt partitions failed; the rest of the run went on',
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

/** `postmand api-key …`, parsed. */
export type ApiKeyCommand =
  | { action: 'create'; name: string; scope: ApiKeyScope; keyEnv?: string }
  | { action: 'list' }
  | { action: 'revoke'; name: string };

/** Output lines of a command: `out` to stdout, `err` to stderr. */
export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const time = (d: Date | null): string => (d ? d.toISOString() : 'never');

/**
 * `postmand api-key create|list|revoke` (§9). Create prints the new key once, as its last
 * line; with `--key-env VAR` it stores the key held in that variable instead (a key that
 * lives in a deployment's secret store) and prints none, and running it again with the
 * same key is a no-op, so a bootstrap job may rerun. Exit 1 when refused.
 */
export async function runApiKey(
  config: PostmandConfig,
  logger: Logger,
  command: ApiKeyCommand,
  { out, err }: Output,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let given: string | undefined;
  if (command.action === 'create' && command.keyEnv !== undefined) {
    given = env[command.keyEnv]?.trim();
    if (!given) {
      err(`postmand api-key: ${command.keyEnv} is not set or empty`);
      return 2;
    }
  }
  const db = await connectDatabase(config, logger, 'postmand-api-key', 'attach');
  try {
    await assertSchemaCurrent(db.dataSource);
    const keys = new ApiKeysService(new ApiKeyRepository(db.dataSource));
    switch (command.action) {
      case 'create': {
        const { key, info, created } = await keys.create(command.name, command.scope, given);
        if (config.auth !== 'api_key') {
          err('note: POSTMAND_AUTH is "none": the API asks for keys once it is "api_key"');
        }
        if (given !== undefined) {
          out(
            created
              ? `stored API key "${info.name}" (scope ${info.scope}) from ${command.keyEnv}`
              : `API key "${info.name}" (scope ${info.scope}) is already stored; nothing changed`,
          );
          return 0;
        }
        out(`created API key "${info.name}" (scope ${info.scope}); it is shown only this once:`);
        out(key);
        return 0;
      }
      case 'list': {
        const all = await keys.list();
        if (all.length === 0) {
          out('no API keys (make one with: postmand api-key create --name NAME --scope write)');
          return 0;
        }
        const rows = [
          ['NAME', 'SCOPE', 'CREATED', 'LAST USED'],
          ...all.map((k) => [k.name, k.scope, time(k.createdAt), time(k.lastUsedAt)]),
        ];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const row of rows) {
          out(
            row
              .map((cell, i) => cell.padEnd(widths[i]))
              .join('  ')
              .trimEnd(),
          );
        }
        return 0;
      }
      case 'revoke': {
        const info = await keys.revoke(command.name);
        out(`revoked API key "${info.name}"; every API process refuses it within 5 seconds`);
        return 0;
      }
    }
  } catch (e) {
    if (!(e instanceof ApiKeyError)) throw e;
    err(`postmand api-key: ${e.message}`);
    return 1;
  } finally {
    await db.close();
  }
}

export type ServeMode = 'server' | 'worker' | 'all';

/** The apps a mode runs. */
interface Apps {
  createApiApp?: typeof import('../../api/src/api.app').createApiApp;
  createWorkerApp?: typeof import('../../worker/src/worker.app').createWorkerApp;
}

/**
 * Loads only the apps `mode` runs: a worker never loads the API's stack (Swagger,
 * validation, the controllers), nor a server the worker's. Loading is most of a boot.
 */
async function loadApps(mode: ServeMode): Promise<Apps> {
  return {
    createApiApp:
      mode === 'worker' ? undefined : (await import('../../api/src/api.app')).createApiApp,
    createWorkerApp:
      mode === 'server' ? undefined : (await import('../../worker/src/worker.app')).createWorkerApp,
  };
}

/**
 * `server`, `worker` and `all`: the apps the mode needs plus one health server, on one
 * pool. `server` and `worker` refuse an old schema; `all` migrates it first. The health
 * server is built first and listens last, right after the worker starts: it answers
 * nothing before then, and the signal handlers are installed once this returns, so the
 * time between a worker's first claim and them stays as short as a listen.
 */
export async function runServe(
  mode: ServeMode,
  config: PostmandConfig,
  logger: Logger,
): Promise<Running> {
  const db = await connectDatabase(
    config,
    logger,
    `postmand-${mode}`,
    mode === 'all' ? 'start' : 'refuse',
  );
  const started: Closable[] = [];
  // Stop in reverse: the worker drains while the API and health still answer.
  const stopAll = async (): Promise<void> => {
    for (const app of started.reverse()) await app.close().catch(() => undefined);
    await db.close();
  };
  try {
    if (mode === 'all') {
      const applied = await migrate(db.dataSource);
      if (applied.length) logger.info({ applied }, 'migrations applied');
      await reportUnusableSecrets(db.dataSource, logger);
    } else {
      await assertSchemaCurrent(db.dataSource);
    }
    const { createApiApp, createWorkerApp } = await loadApps(mode);
    const registry = createRegistry();
    const shared = { config, dataSource: db.dataSource, logger, registry };
    const readinessChecks: HealthIndicatorFunction[] = [schemaHealth(db.dataSource)];

    const health = await createHealthApp({ ...shared, readinessChecks });
    started.push(health); // stops last

    if (createApiApp) {
      const api = await createApiApp(shared);
      started.push(api);
      await api.listen(config.httpPort, config.httpHost);
      logger.info(
        {
          host: config.httpHost,
          port: config.httpPort,
          dashboard: `http://localhost:${config.httpPort}/ui`,
        },
        'API listening',
      );
    }
    if (createWorkerApp) {
      const worker = await createWorkerApp(shared);
      readinessChecks.push(...worker.readinessChecks);
      started.push(worker.app);
      await worker.app.init();
      logger.info({ concurrency: config.workerConcurrency }, 'worker started');
    }
    await health.listen(config.healthCheckHttpPort, config.httpHost);
    logger.info(
      { host: config.httpHost, port: config.healthCheckHttpPort },
      'health server listening',
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { stop: stopAll, crashed: embeddedCrash(db) };
}

function embeddedCrash(db: Database): Promise<Error> {
  return new Promise((resolve) => {
    db.embedded?.onExit((code) =>
      resolve(new Error(`the embedded PostgreSQL exited unexpectedly (code ${code})`)),
    );
  });
}
