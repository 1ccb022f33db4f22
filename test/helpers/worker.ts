import { createLogger, loadConfig, type PostmandConfig } from '@app/platform';
import { Registry } from 'prom-client';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/worker.app';
import type { TestDatabase } from '../support/database';

export interface TestWorker extends WorkerApp {
  config: PostmandConfig;
  registry: Registry;
  stop(): Promise<void>;
}

/** The real worker app (dispatcher, listener, sender) on a test database. */
export async function startTestWorker(
  db: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestWorker> {
  const config = loadConfig({ POSTMAND_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
  const registry = new Registry();
  const worker = await createWorkerApp({
    config,
    dataSource: db.dataSource,
    logger: createLogger(config.logLevel),
    registry,
  });
  await worker.app.init();
  return { ...worker, config, registry, stop: () => worker.app.close() };
}
