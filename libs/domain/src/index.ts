// The public surface of the domain library: apps import from '@app/domain' only.
export * from './config/config';
export * from './common/list-query';
export * from './database/data-source';
export * from './database/embedded-postgres';
export * from './database/schema';
export * from './domain.module';
export * from './webhook/webhook.entity';
export * from './webhook/webhook.repository';
export * from './delivery/delivery.entity';
export * from './delivery/delivery.repository';
export * from './delivery-attempt/delivery-attempt.entity';
export * from './delivery-attempt/delivery-attempt.repository';
export * from './logging/logger';
export * from './health/database.health';
export * from './health/health.module';
export * from './health/health.app';
export * from './version';
