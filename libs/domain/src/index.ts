// The public surface of the domain library: apps import from '@app/domain' only, and only
// what is named here. SQL stays inside the library (a test that inspects a statement's
// plan imports it from '@app/domain/testing'); a name is added here when an app needs it.

// API keys (SPEC §9)
export { ApiKeyAuthenticator } from './access/api-key-authenticator';
export type { Principal } from './access/api-key-authenticator';
export { ApiKeyRepository } from './access/api-key.repository';
export {
  API_KEY_SCOPES,
  generateApiKey,
  isWellFormedApiKey,
  scopeAllows,
} from './access/api-key.rules';
export type { ApiKeyScope } from './access/api-key.rules';
export { ApiKeyError, ApiKeysService } from './access/api-keys.service';

// What repositories and services share
export { BoundedPage } from './common/bounded-page';
export {
  FanOutTooLargeError,
  FixedFieldError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidFieldError,
  NotFoundError,
  PayloadTooLargeError,
  SchemaCheckOverloadedError,
  SchemaMismatchError,
  TenantWebhookLimitError,
  TooManyMatchesError,
} from './common/domain-errors';
export type { MissingResource } from './common/domain-errors';
export { PAGE_LIMITS, decodeCursor, isNameKey, isNewestFirstKey } from './common/list-query';
export type { CreatedAtRange, Page } from './common/list-query';
export { UnitOfWork } from './common/unit-of-work';

// The database: data source, migrations, readiness
export { dataSourceOptions, openDataSource } from './database/data-source';
export { MIGRATIONS } from './database/migrations/index';
export {
  SchemaNotCurrentError,
  assertSchemaCurrent,
  migrate,
  pendingMigrations,
} from './database/schema';
export { schemaHealth } from './database/schema.health';

// Attempts
export { DeliveryAttempt } from './delivery-attempt/delivery-attempt.entity';
export { DeliveryAttemptRepository } from './delivery-attempt/delivery-attempt.repository';
export type { DeliveryAttemptListFilter } from './delivery-attempt/delivery-attempt.repository';
export { DeliveryAttemptsService } from './delivery-attempt/delivery-attempts.service';

// Deliveries
export { DeliveriesService } from './delivery/deliveries.service';
export { DeliveryWaker } from './delivery/delivery-waker';
export { DELIVERY_STATUSES, Delivery } from './delivery/delivery.entity';
export type { DeliveryStatus } from './delivery/delivery.entity';
export { DeliveryRepository } from './delivery/delivery.repository';
export type {
  DeliveryInput,
  DeliveryListFilter,
  RedeliverFilter,
} from './delivery/delivery.repository';
export { listenForWakeups } from './delivery/wakeup.sql';

// Dispatch: the claim, the completion, the backlog, the outcome rule
export { judgeAttempt } from './dispatch/attempt-outcome.rules';
export type { AttemptResult } from './dispatch/attempt-outcome.rules';
export { AttemptRecorder } from './dispatch/attempt-recorder.service';
export { BacklogRepository } from './dispatch/backlog.repository';
export type { DispatchBacklog } from './dispatch/backlog.repository';
export { ClaimRepository } from './dispatch/claim.repository';
export { LEASE_MARGIN_SECONDS } from './dispatch/claim.sql';
export { CompletionRepository } from './dispatch/completion.repository';
export type { AttemptOutcome, ClaimTurn, ClaimedDelivery } from './dispatch/dispatch.types';

// The Nest module
export { DomainModule } from './domain.module';
export type { DomainModuleOptions } from './domain.module';

// Endpoint health (circuit breaker, auto-disable)
export type { HealthReport, HealthTransition } from './endpoint-health/endpoint-health.rules';
export { WebhookHealthRepository } from './endpoint-health/webhook-health.repository';
export type { HealthSettings } from './endpoint-health/webhook-health.repository';

// Events and event types
export {
  EVENT_TYPE_LIMITS,
  RESERVED_PREFIX,
  isEventTypeName,
  isEventTypePattern,
  matchingPatterns,
} from './event/event-type.rules';
export { Event } from './event/event.entity';
export type { EventInput, EventListFilter } from './event/event.repository';
export { EventsService } from './event/events.service';

// Idempotency keys
export { IdempotencyRepository, idempotencyLockKey } from './idempotency/idempotency.repository';
export {
  IdempotencyService,
  requestFingerprint,
  tenantIdempotencyScope,
} from './idempotency/idempotency.service';

// Retention and attempt partitions (SPEC §8)
export {
  AttemptPartitionsRepository,
  PARTITION_DAYS_AHEAD,
  PARTITION_DDL_TRIES,
  attemptPartitions,
  ensureAttemptPartitions,
  partitionName,
} from './retention/attempt-partitions.repository';
export { RetentionRepository } from './retention/retention.repository';
export { RETENTION_TABLES, RetentionService } from './retention/retention.service';

// Live figures
export type { WebhookSuccess } from './stats/delivery-stats.repository';
export { DeliveryStatsService, SUCCESS_RATE_MAX_WEBHOOKS } from './stats/delivery-stats.service';
export type { AttemptFigures, DeliveryStats } from './stats/delivery-stats.service';

// Portal sessions (SPEC §12)
export { PortalSessionRepository } from './portal/portal-session.repository';
export type { ListedPortalSession } from './portal/portal-session.repository';
export {
  PORTAL_SESSION_LIMITS,
  PORTAL_TOKEN_PREFIX,
  isPortalToken,
  sessionAllows,
} from './portal/portal-session.rules';
export { PortalSessionsService } from './portal/portal-sessions.service';
export type { NewPortalSession, PortalAuthentication } from './portal/portal-sessions.service';

// The event type catalogue (SPEC §14)
export { EventType } from './event-type/event-type.entity';
export { EVENT_TYPE_CATALOGUE_LIMITS, isEventTypeKey } from './event-type/event-type.rules';
export type { EventTypeListFilter } from './event-type/event-type.repository';
export { EventTypesService } from './event-type/event-types.service';
export { SchemaValidatorPool } from './event-type/schema-validator-pool';
export type { EventTypeDraft } from './event-type/event-types.service';

// Tenants (SPEC §11)
export { PLATFORM_SCOPE, scopedTenant, tenantScope } from './tenant/scope';
export type { PlatformScope, Scope, TenantScope } from './tenant/scope';
export { Tenant } from './tenant/tenant.entity';
export { TenantRepository } from './tenant/tenant.repository';
export type { TenantInput, TenantListFilter } from './tenant/tenant.repository';
export {
  TENANT_ID_PATTERN,
  TENANT_ID_RULE,
  TENANT_LIMITS,
  isTenantId,
  isTenantKey,
  metadataProblem,
} from './tenant/tenant.rules';
export { TenantsService } from './tenant/tenants.service';
export type { TenantDraft } from './tenant/tenants.service';

// Webhooks
export { Webhook } from './webhook/webhook.entity';
export { compileFilter, filterProblem } from './webhook/filter/filter.jsonpath';
export { FILTER_LIMITS, FILTER_OPERATORS } from './webhook/filter/filter.rules';
export type { WebhookFilter } from './webhook/filter/filter.rules';
export { WEBHOOK_DEFAULTS, WEBHOOK_FIELDS, WEBHOOK_FIELD_ENTRIES } from './webhook/webhook.fields';
export type {
  OptionalWebhookField,
  RequiredWebhookField,
  WebhookFieldName,
  WebhookFieldSpec,
  WebhookSettings,
  WebhookWire,
  WebhookWireName,
} from './webhook/webhook.fields';
export { WebhookRepository } from './webhook/webhook.repository';
export type { NewWebhook, WebhookInput, WebhookListFilter } from './webhook/webhook.repository';
export {
  SECRET_ROTATION,
  WEBHOOK_URL_PATTERN,
  backoffOrderProblem,
  secretTokenProblem,
} from './webhook/webhook.rules';
export { WebhooksService } from './webhook/webhooks.service';
export type { WebhookDraft } from './webhook/webhooks.service';
