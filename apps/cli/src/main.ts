#!/usr/bin/env -S node --max-semi-space-size=8
import 'reflect-metadata';
import {
  ConfigError,
  createLogger,
  flushLogger,
  loadConfig,
  POSTMAND_VERSION,
} from '@app/platform';
import { runMigrate, runServe, type Running } from './commands';

const USAGE = `postmand ${POSTMAND_VERSION}: self-hosted webhook delivery

Usage: postmand <command>

Commands:
  migrate   apply pending database migrations, then exit
  server    run the HTTP API and its health server
  worker    run the delivery worker and its health server
  all       migrate, then API + worker + health in one process (embedded
            PostgreSQL when POSTMAND_DATABASE_URL is unset)

Configuration comes from POSTMAND_* environment variables and ./.env;
see the README for the full list.
`;

const COMMANDS = ['migrate', 'server', 'worker', 'all'] as const;
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
    const running = await runServe(command as Exclude<Command, 'migrate'>, config, logger);
    return await untilStopped(running, logger);
  } catch (err) {
    logger.fatal({ err }, `postmand ${command} failed: ${(err as Error).message}`);
    return 1;
  } finally {
    flushLogger(logger);
  }
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
