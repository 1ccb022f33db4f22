import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger, type PostmandConfig } from '@app/domain';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { WorkerModule } from './worker.module';

export interface WorkerAppOptions {
  config: PostmandConfig;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
}

export interface WorkerApp {
  app: INestApplicationContext;
  /** Readiness checks for the health server: the dispatcher is running. */
  readinessChecks: HealthIndicatorFunction[];
}

/** Builds the worker (no HTTP server of its own); `init()` starts dispatching. */
export async function createWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(options), {
    logger: new NestPinoLogger(options.logger),
    abortOnError: false,
  });
  return { app, readinessChecks: [] };
}
