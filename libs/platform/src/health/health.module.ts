import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController, READINESS_CHECKS } from './health.controller';

export interface HealthModuleOptions {
  dataSource: DataSource;
  /** The process's metrics registry, served at /metrics. */
  registry: Registry;
  readinessChecks?: HealthIndicatorFunction[];
}

/**
 * The health server's module (its own Nest app on POSTMAND_HEALTH_CHECK_HTTP_PORT):
 * /healthz, /livez, /readyz and /metrics.
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        DatabaseHealthIndicator,
        { provide: DataSource, useValue: options.dataSource },
        { provide: Registry, useValue: options.registry },
        { provide: READINESS_CHECKS, useValue: options.readinessChecks ?? [] },
      ],
    };
  }
}
