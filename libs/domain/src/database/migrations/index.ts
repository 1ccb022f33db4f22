import { InitialSchema1764374400000 } from './1764374400000-InitialSchema';
import { Events1764979200000 } from './1764979200000-Events';
import { EventFanOutWithoutForeignKey1765065600000 } from './1765065600000-EventFanOutWithoutForeignKey';
import { EndpointProtection1765152000000 } from './1765152000000-EndpointProtection';
import { PendingDeliveriesByWebhook1765152000001 } from './1765152000001-PendingDeliveriesByWebhook';
import { PartitionedAttempts1765238400000 } from './1765238400000-PartitionedAttempts';
import { AccessControl1765324800000 } from './1765324800000-AccessControl';
import { EventPayloadOnce1765411200000 } from './1765411200000-EventPayloadOnce';
import { Tenants1765497600000 } from './1765497600000-Tenants';
import { TenantIndexes1765497600001 } from './1765497600001-TenantIndexes';
import { TenantOwnership1765584000000 } from './1765584000000-TenantOwnership';
import { TenantFanOut1765670400000 } from './1765670400000-TenantFanOut';
import { TenantFanOutIndexes1765670400001 } from './1765670400001-TenantFanOutIndexes';
import { EventTypes1765756800000 } from './1765756800000-EventTypes';
import { EventTypesValidate1765756800001 } from './1765756800001-EventTypesValidate';
import { SubscriptionFilters1765756800010 } from './1765756800010-SubscriptionFilters';
import { TenantStatusIndexes1765756800020 } from './1765756800020-TenantStatusIndexes';
import { JsonDocFunctionSafety1765756800030 } from './1765756800030-JsonDocFunctionSafety';
import { FairClaimIndex1765843200000 } from './1765843200000-FairClaimIndex';

/** Every migration, oldest first. Listed explicitly so built code and tests load the same set. */
export const MIGRATIONS = [
  InitialSchema1764374400000,
  Events1764979200000,
  EventFanOutWithoutForeignKey1765065600000,
  EndpointProtection1765152000000,
  PendingDeliveriesByWebhook1765152000001,
  PartitionedAttempts1765238400000,
  AccessControl1765324800000,
  EventPayloadOnce1765411200000,
  Tenants1765497600000,
  TenantIndexes1765497600001,
  TenantOwnership1765584000000,
  TenantFanOut1765670400000,
  TenantFanOutIndexes1765670400001,
  EventTypes1765756800000,
  EventTypesValidate1765756800001,
  SubscriptionFilters1765756800010,
  TenantStatusIndexes1765756800020,
  JsonDocFunctionSafety1765756800030,
  FairClaimIndex1765843200000,
];
