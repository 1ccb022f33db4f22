// The public surface of the domain library: apps import from '@app/domain' only.
export * from './common/list-query';
export * from './common/bounded-page';
export * from './database/data-source';
export * from './database/schema';
export * from './database/schema.health';
export * from './domain.module';
export * from './webhook/webhook.entity';
export * from './webhook/webhook.repository';
export * from './delivery/delivery.entity';
export * from './delivery/delivery.repository';
export * from './delivery/delivery-dispatch.repository';
export * from './delivery/delivery.rules';
export * from './delivery/delivery-waker';
export * from './delivery-attempt/delivery-attempt.entity';
export * from './delivery-attempt/delivery-attempt.repository';
export * from './webhook/webhook.rules';
