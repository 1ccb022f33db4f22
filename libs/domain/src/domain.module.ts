import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { DeliveryAttemptRepository } from './delivery-attempt/delivery-attempt.repository';
import { DeliveryWaker } from './delivery/delivery-waker';
import { BacklogRepository } from './dispatch/backlog.repository';
import { ClaimRepository } from './dispatch/claim.repository';
import { CompletionRepository } from './dispatch/completion.repository';
import { DeliveryRepository } from './delivery/delivery.repository';
import { WebhookRepository } from './webhook/webhook.repository';
import { WebhooksService } from './webhook/webhooks.service';
import { DeliveriesService } from './delivery/deliveries.service';
import { DeliveryAttemptsService } from './delivery-attempt/delivery-attempts.service';
import { EventRepository } from './event/event.repository';
import { EventsService } from './event/events.service';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { IdempotencyService } from './idempotency/idempotency.service';
import { WebhookHealthRepository } from './endpoint-health/webhook-health.repository';
import { AttemptRecorder } from './dispatch/attempt-recorder.service';
import { AttemptPartitionsRepository } from './retention/attempt-partitions.repository';
import { RetentionRepository } from './retention/retention.repository';
import { RetentionService } from './retention/retention.service';
import { ApiKeyRepository } from './access/api-key.repository';
import { ApiKeysService } from './access/api-keys.service';
import { DeliveryStatsRepository } from './stats/delivery-stats.repository';
import { DeliveryStatsService } from './stats/delivery-stats.service';
import { PortalSessionRepository } from './portal/portal-session.repository';
import { PortalSessionsService } from './portal/portal-sessions.service';
import { TenantRepository } from './tenant/tenant.repository';
import { TenantsService } from './tenant/tenants.service';
import { EventTypeCatalog } from './event-type/event-type-catalog';
import { SchemaValidatorPool } from './event-type/schema-validator-pool';
import { EventTypeRepository } from './event-type/event-type.repository';
import { EventTypesService } from './event-type/event-types.service';

const PROVIDERS = [
  DeliveryWaker,
  WebhookRepository,
  DeliveryRepository,
  DeliveryAttemptRepository,
  ClaimRepository,
  CompletionRepository,
  BacklogRepository,
  WebhooksService,
  DeliveriesService,
  DeliveryAttemptsService,
  EventRepository,
  EventsService,
  IdempotencyRepository,
  IdempotencyService,
  WebhookHealthRepository,
  AttemptRecorder,
  AttemptPartitionsRepository,
  RetentionRepository,
  RetentionService,
  ApiKeyRepository,
  ApiKeysService,
  DeliveryStatsRepository,
  DeliveryStatsService,
  PortalSessionRepository,
  PortalSessionsService,
  TenantRepository,
  TenantsService,
  EventTypeRepository,
  EventTypeCatalog,
  SchemaValidatorPool,
  EventTypesService,
];

export interface DomainModuleOptions {
  config: PostmandConfig;
  /** Opened (and migrated) by the caller: one pool per process, shared by its apps. */
  dataSource: DataSource;
}

/** The domain of every app: the shared DataSource, the config, repositories and services. */
@Module({})
export class DomainModule {
  static forRoot(options: DomainModuleOptions): DynamicModule {
    return {
      module: DomainModule,
      global: true,
      providers: [
        { provide: DataSource, useValue: options.dataSource },
        { provide: POSTMAND_CONFIG, useValue: options.config },
        ...PROVIDERS,
      ],
      exports: [DataSource, POSTMAND_CONFIG, ...PROVIDERS],
    };
  }
}
