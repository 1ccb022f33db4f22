import type { INestApplication } from '@nestjs/common';
import { createLogger, loadConfig, type PostmandConfig } from '@app/platform';
import { Registry } from 'prom-client';
import { createApiApp } from '../../apps/api/src/api.app';
import type { TestDatabase } from '../support/database';

export interface TestApi {
  app: INestApplication;
  config: PostmandConfig;
  registry: Registry;
}

/** The real API app (pipes, filters, middleware, Swagger) on a test database. */
export async function createTestApi(
  db: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestApi> {
  const config = loadConfig({ POSTMAND_LOG_LEVEL: 'silent', ...env });
  const registry = new Registry();
  const app = await createApiApp({
    config,
    dataSource: db.dataSource,
    logger: createLogger(config.logLevel),
    registry,
  });
  await app.init();
  return { app, config, registry };
}
