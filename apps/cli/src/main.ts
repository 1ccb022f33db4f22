#!/usr/bin/env -S node --max-semi-space-size=8
import 'reflect-metadata';
import {
  ConfigError,
  createLogger,
  flushLogger,
  loadConfig,
  POSTMAND_VERSION,
} from '@app/platform';
import { runMigrate, runRetention, runServe, type Running } from './commands';

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

Configuration comes from POSTMAND_* environment variables and ./.env;
see the README for the full list.
`;

const COMMANDS = ['migrate', 'server', 'worker', 'all', 'retention'] as const;
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
    const running = await runServe(
      command as Exclude<Command, 'migrate' | 'retention'>,
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
