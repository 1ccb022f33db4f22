import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DomainModule, type DomainModuleOptions } from '@app/domain';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { DispatcherModule } from './dispatcher/dispatcher.module';
import { HousekeepingModule } from './housekeeping/housekeeping.module';
import { WorkerMetrics } from './worker.metrics';
import { WORKER_DATABASE_URL, WORKER_LOGGER } from './worker.tokens';

export interface WorkerModuleOptions extends DomainModuleOptions {
  logger: Logger;
  registry: Registry;
  databaseUrl: string;
}

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [
        DomainModule.forRoot(options),
        ScheduleModule.forRoot(),
        DispatcherModule,
        HousekeepingModule,
      ],
      providers: [
        { provide: WORKER_LOGGER, useValue: options.logger },
        { provide: Registry, useValue: options.registry },
        { provide: WORKER_DATABASE_URL, useValue: options.databaseUrl },
        WorkerMetrics,
      ],
      exports: [WORKER_LOGGER, Registry, WORKER_DATABASE_URL, WorkerMetrics],
    };
  }
}
