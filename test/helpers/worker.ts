import { createLogger, loadConfig, type PostmandConfig } from '@app/platform';
import { Registry } from 'prom-client';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/worker.app';
import type { TestDatabase } from '../support/database';
import { Receiver } from './receiver';

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

/** What useReceiverAndWorker gives a test: its receiver, and its worker once started. */
export interface ReceiverAndWorker {
  receiver: Receiver;
  worker: TestWorker | undefined;
  startWorker(env?: Record<string, string>): Promise<TestWorker>;
}

/**
 * Per test: a real local receiver, started before it, and the real worker once the test
 * starts it (after its setup, so nothing is sent early); both stopped after the test.
 */
export function useReceiverAndWorker(db: () => TestDatabase): ReceiverAndWorker {
  const io: ReceiverAndWorker = {
    receiver: undefined as unknown as Receiver,
    worker: undefined,
    async startWorker(env = {}) {
      io.worker = await startTestWorker(db(), env);
      return io.worker;
    },
  };
  beforeEach(async () => {
    io.receiver = await Receiver.start();
  });
  afterEach(async () => {
    await io.worker?.stop();
    io.worker = undefined;
    await io.receiver.close();
  });
  return io;
}
