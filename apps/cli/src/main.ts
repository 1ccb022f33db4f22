#!/usr/bin/env -S node --max-semi-space-size=8
import 'reflect-metadata';
import {
  ConfigError,
  createLogger,
  flushLogger,
  loadConfig,
  POSTMAND_VERSION,
} from '@app/platform';
import { API_KEY_SCOPES, type ApiKeyScope } from '@app/domain';
import {
  runApiKey,
  runMigrate,
  runRetention,
  runServe,
  type ApiKeyCommand,
  type Running,
} from './commands';

const USAGE = `postmand ${POSTMAND_VERSION}: self-hosted webhook delivery

Usage: postmand <command>

Commands:
  migrate   apply pending database migrations, then exit
  server    run the HTTP API and its health server
  worker    run the delivery worker and its health server
  all       migrate, then API + worker + health in one process (embedded
            PostgreSQL when POSTMAND_DATABASE_URL is unset)
  retention run [--dry-run] [--older-than SECONDS]
            run retention once, now (the workers run it hourly): drop attempt
            partitions and delete finished deliveries, cleaned events and
            expired idempotency keys older than POSTMAND_RETENTION_DAYS (or
            SECONDS); --dry-run prints what it would remove
  api-key create --name NAME --scope read|write [--key-env VAR]
            make an API key (POSTMAND_AUTH=api_key) and print it once, as the
            last line; --key-env stores the key held in VAR instead (a key from
            a secret store; rerunning with the same key changes nothing)
  api-key list
            every key's name, scope, creation and last use (never the key)
  api-key revoke NAME
            delete a key: every API process refuses it within 5 seconds

Without POSTMAND_DATABASE_URL, retention and api-key use the embedded
PostgreSQL that a running "postmand all" started in POSTMAND_DATA_DIR.

Configuration comes from POSTMAND_* environment variables and ./.env;
see docs/operations.md ("Configuration") for the full list.
`;

const COMMANDS = ['migrate', 'server', 'worker', 'all', 'retention', 'api-key'] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${POSTMAND_VERSION}\n`);
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    process.stderr.write(`postmand: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }

  let retention: { dryRun: boolean; olderThanSeconds?: number } | undefined;
  if (command === 'retention') {
    const parsed = parseRetentionArgs(argv.slice(1));
    if (typeof parsed === 'string') {
      process.stderr.write(`postmand retention: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    retention = parsed;
  }
  let apiKey: ApiKeyCommand | undefined;
  if (command === 'api-key') {
    const parsed = parseApiKeyArgs(argv.slice(1));
    if (typeof parsed === 'string') {
      process.stderr.write(`postmand api-key: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    apiKey = parsed;
  }

  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`postmand: ${err.message}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  try {
    if (command === 'migrate') {
      await runMigrate(config, logger);
      return 0;
    }
    if (retention) {
      return await runRetention(config, logger, retention, (line) =>
        process.stdout.write(`${line}\n`),
      );
    }
    if (apiKey) {
      return await runApiKey(config, logger, apiKey, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
    }
    const running = await runServe(
      command as Exclude<Command, 'migrate' | 'retention' | 'api-key'>,
      config,
      logger,
    );
    return await untilStopped(running, logger);
  } catch (err) {
    logger.fatal({ err }, `postmand ${command} failed: ${(err as Error).message}`);
    return 1;
  } finally {
    flushLogger(logger);
  }
}

/** `run [--dry-run] [--older-than SECONDS]`, or what is wrong with the arguments. */
function parseRetentionArgs(
  args: string[],
): { dryRun: boolean; olderThanSeconds?: number } | string {
  if (args[0] !== 'run') return 'the only subcommand is "run"';
  const options: { dryRun: boolean; olderThanSeconds?: number } = { dryRun: false };
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--dry-run') options.dryRun = true;
    else if (args[i] === '--older-than') {
      const value = args[++i];
      if (value === undefined || !/^\d{1,10}$/.test(value)) {
        return '--older-than needs a whole number of seconds (0 or more)';
      }
      options.olderThanSeconds = Number(value);
    } else return `unknown option "${args[i]}"`;
  }
  return options;
}

/** `create --name N --scope S [--key-env VAR]`, `list` or `revoke NAME`, or what is wrong. */
function parseApiKeyArgs(args: string[]): ApiKeyCommand | string {
  const [action, ...rest] = args;
  if (action === 'list') return rest.length === 0 ? { action } : `unexpected "${rest[0]}"`;
  if (action === 'revoke') {
    if (rest.length !== 1 || rest[0].startsWith('-')) return 'revoke takes one key name';
    return { action, name: rest[0] };
  }
  if (action !== 'create') return 'the subcommands are create, list and revoke';
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (!['--name', '--scope', '--key-env'].includes(flag)) return `unknown option "${flag}"`;
    if (value === undefined || value.startsWith('--')) return `${flag} needs a value`;
    options[flag] = value;
  }
  const name = options['--name'];
  const scope = options['--scope'];
  if (name === undefined) return 'create needs --name NAME';
  if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
    return `create needs --scope ${API_KEY_SCOPES.join(' or ')}`;
  }
  return { action, name, scope: scope as ApiKeyScope, keyEnv: options['--key-env'] };
}

/** Waits for SIGTERM/SIGINT (then stops gracefully) or a crash of a dependency. */
function untilStopped(running: Running, logger: import('pino').Logger): Promise<number> {
  return new Promise((resolve) => {
    let stoppingSince: number | undefined;
    const stop = (reason: string, code: number): void => {
      if (stoppingSince !== undefined) {
        // A Ctrl-C under `npm start` reaches us twice at once (terminal and npm): only a
        // signal sent well after the first one means "stop waiting".
        if (Date.now() - stoppingSince < 2000) return;
        logger.warn('second signal: exiting without waiting');
        flushLogger(logger);
        process.exit(1);
      }
      stoppingSince = Date.now();
      logger.info({ reason }, 'shutting down');
      running.stop().then(
        () => resolve(code),
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM', 0));
    process.on('SIGINT', () => stop('SIGINT', 0));
    void running.crashed.then((err) => {
      logger.fatal({ err }, err.message);
      stop('dependency crashed', 1);
    });
  });
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`postmand: unhandled rejection: ${String(reason)}\n`);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Pools, timers and sockets are closed by now; exit even if a library left a handle.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`postmand: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
