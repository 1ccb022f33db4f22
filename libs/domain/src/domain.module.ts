import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { DeliveryAttemptRepository } from './delivery-attempt/delivery-attempt.repository';
import { DeliveryWaker } from './delivery/delivery-waker';
import { DeliveryDispatchRepository } from './delivery/delivery-dispatch.repository';
import { DeliveryRepository } from './delivery/delivery.repository';
import { WebhookRepository } from './webhook/webhook.repository';

const REPOSITORIES = [
  DeliveryWaker,
  WebhookRepository,
  DeliveryRepository,
  DeliveryAttemptRepository,
  DeliveryDispatchRepository,
];

export interface DomainModuleOptions {
  config: PostmandConfig;
  /** Opened (and migrated) by the caller: one pool per process, shared by its apps. */
  dataSource: DataSource;
}

/** The data layer of every app: the shared DataSource, the config and the repositories. */
@Module({})
export class DomainModule {
  static forRoot(options: DomainModuleOptions): DynamicModule {
    return {
      module: DomainModule,
      global: true,
      providers: [
        { provide: DataSource, useValue: options.dataSource },
        { provide: POSTMAND_CONFIG, useValue: options.config },
        ...REPOSITORIES,
      ],
      exports: [DataSource, POSTMAND_CONFIG, ...REPOSITORIES],
    };
  }
}
