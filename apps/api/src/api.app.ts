import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestPinoLogger, type PostmandConfig } from '@app/platform';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { apiMetrics } from './api.metrics';
import { ApiModule } from './api.module';
import { securityHeaders } from './http/http-hardening';
import { requestLog } from './http/request-log';
import { RouteTable } from './http/route-table';
import { setupOpenApi } from './openapi/openapi';
import { portalPage } from './portal/portal-page';

export interface ApiAppOptions {
  config: PostmandConfig;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
}

/** Builds the REST API app; the caller listens on POSTMAND_HTTP_PORT. */
export async function createApiApp(options: ApiAppOptions): Promise<INestApplication> {
  const logger = options.logger.child({ component: 'api' });
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot({ ...options, logger }),
    { logger: new NestPinoLogger(options.logger), abortOnError: false, bodyParser: false },
  );
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // First, so that a request the body parser refuses is logged with its id too.
  app.use(requestLog(logger));
  app.use(securityHeaders(options.config.portal));
  // The customer portal's page (§13), before the API's routes; its calls go to /v1.
  const portal = portalPage(options.config.portal);
  if (portal) app.use(portal);
  else logger.warn('the portal (/portal) is not built: run npm run build');
  const routes = app.get(RouteTable);
  app.use(apiMetrics(options.registry, (path) => routes.match(path)?.template));
  setupOpenApi(app);
  return app;
}
