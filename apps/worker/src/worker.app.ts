import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger, type PostmandConfig } from '@app/platform';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { DispatcherService } from './dispatcher/dispatcher.service';
import { dispatcherHealth } from './health/dispatcher.health';
import { WorkerModule } from './worker.module';

export interface WorkerAppOptions {
  config: PostmandConfig;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
}

export interface WorkerApp {
  app: INestApplicationContext;
  dispatcher: DispatcherService;
  /** Readiness checks for the health server: the dispatcher is running. */
  readinessChecks: HealthIndicatorFunction[];
}

/** Builds the worker (no HTTP server of its own); `init()` starts dispatching. */
export async function createWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const databaseUrl = (options.dataSource.options as PostgresConnectionOptions).url;
  if (!databaseUrl) throw new Error('the worker needs a database URL for its LISTEN connection');
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      ...options,
      databaseUrl,
      logger: options.logger.child({ component: 'worker' }),
    }),
    { logger: new NestPinoLogger(options.logger), abortOnError: false },
  );
  // A range of a whole family turns the private-network guard off for that family, a
  // tenant's webhooks included (docs/security.md): worth saying once, at start-up.
  for (const { network } of options.config.allowedNetworks.filter((r) => r.prefix === 0)) {
    options.logger.warn(
      `POSTMAND_ALLOWED_NETWORKS holds ${network}/0: every ${network.includes(':') ? 'IPv6' : 'IPv4'} ` +
        "address is exempt from the private-network guard, a tenant's webhooks' too",
    );
  }
  const dispatcher = app.get(DispatcherService);
  return { app, dispatcher, readinessChecks: [dispatcherHealth(dispatcher)] };
}
