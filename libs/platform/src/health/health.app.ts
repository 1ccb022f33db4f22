import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PostmandConfig } from '../config/config';
import { NestPinoLogger } from '../logging/logger';

export interface HealthAppOptions {
  config: PostmandConfig;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
  readinessChecks?: HealthIndicatorFunction[];
}

@Module({})
class HealthAppModule {}

/**
 * The health server as its own small Nest app, so probes never queue behind API traffic.
 * Its module (terminus; and, through the Swagger plugin's controller metadata,
 * @nestjs/swagger) is loaded only here, so a worker can load it after its first claim.
 */
export async function createHealthApp(options: HealthAppOptions): Promise<INestApplication> {
  const { HealthModule } = await import('./health.module');
  const module: DynamicModule = {
    module: HealthAppModule,
    imports: [
      HealthModule.forRoot({
        dataSource: options.dataSource,
        registry: options.registry,
        readinessChecks: options.readinessChecks,
      }),
    ],
  };
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: new NestPinoLogger(options.logger),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  return app;
}
