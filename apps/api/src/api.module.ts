import {
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { ApiKeyAuthenticator, DomainModule, type DomainModuleOptions } from '@app/domain';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AccessControl, AccessGuard, AuthenticationMiddleware } from './access/access-control';
import { DeliveryLoopGuard } from './access/delivery-loop.guard';
import { PortalAccessGuard } from './access/portal-access.guard';
import { PortalMetrics } from './access/portal-metrics';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { CrossSiteMiddleware } from './http/cross-site.middleware';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { API_LOGGER } from './http/request-log';
import { RouteTable } from './http/route-table';
import { QueryParamsGuard } from './validation/query-params.guard';
import { ApiValidationPipe } from './validation/validation.pipe';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { DeliveryAttemptsModule } from './delivery-attempts/delivery-attempts.module';
import { EventsModule } from './events/events.module';
import { StatsModule } from './stats/stats.module';
import { TenantsModule } from './tenants/tenants.module';
import { EventTypesModule } from './event-types/event-types.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { dashboardModule } from './dashboard/dashboard';

export interface ApiModuleOptions extends DomainModuleOptions {
  logger: Logger;
  registry: Registry;
}

/** The REST API. Guards, pipe and filter are providers (APP_*), so tests get them too. */
@Module({})
export class ApiModule implements NestModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const dashboard = dashboardModule();
    if (!dashboard) options.logger.warn('the dashboard (/ui) is not built: run npm run build');
    return {
      module: ApiModule,
      // Global: the controllers of the resource modules count portal sessions too.
      global: true,
      exports: [PortalMetrics],
      imports: [
        DomainModule.forRoot(options),
        DiscoveryModule,
        WebhooksModule,
        DeliveriesModule,
        DeliveryAttemptsModule,
        EventsModule,
        StatsModule,
        TenantsModule,
        EventTypesModule,
        ...(dashboard ? [dashboard] : []),
      ],
      providers: [
        RouteTable,
        ApiKeyAuthenticator,
        AccessControl,
        { provide: API_LOGGER, useValue: options.logger },
        { provide: PortalMetrics, useValue: new PortalMetrics(options.registry) },
        // In this order: who the caller is comes before what the request is.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: PortalAccessGuard },
        { provide: APP_GUARD, useClass: DeliveryLoopGuard },
        { provide: APP_GUARD, useClass: QueryParamsGuard },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // A browser's cross-site request is refused before anything else reads it.
    consumer
      .apply(CrossSiteMiddleware, AuthenticationMiddleware, JsonBodyMiddleware)
      .forRoutes('*path');
  }
}
