import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/config';
import { serializeError } from './error-serializer';

/** Secrets never reach the log, wherever they sit in a logged object. */
export const REDACTED_PATHS = [
  'secret_token',
  'secretToken',
  '*.secret_token',
  '*.secretToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * The process's root logger: JSON lines on stdout at POSTMAND_LOG_LEVEL. Lines are
 * buffered (4 KiB, or half a second at most) rather than written one syscall each: at a
 * few thousand attempts per second a write per line costs more than the line. Call
 * `flushLogger` before exiting.
 */
export function createLogger(level: LogLevel): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = pino(
    {
      level,
      base: { service: 'postmand' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  setInterval(() => logger.flush(), 500).unref();
  destinations.set(logger, destination);
  return logger;
}

const destinations = new WeakMap<Logger, { flushSync(): void }>();

/** Writes out buffered lines synchronously (on exit, after a fatal error). */
export function flushLogger(logger: Logger): void {
  try {
    destinations.get(logger)?.flushSync();
  } catch {
    // nothing more to do on the way out
  }
}

/** Nest's start-up chatter (one line per module and route): useful only when debugging. */
const BOOTSTRAP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Lets Nest's own messages (bootstrap, errors) go through pino too. Nest keeps one
 * static logger per process, so every app of a process shares this one.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write(context && BOOTSTRAP_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, stringify(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string): void {
    this.logger[level]({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message);
}
