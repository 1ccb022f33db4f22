import { parentPort, workerData } from 'node:worker_threads';
import { SchemaValidation } from './schema-validation';
import type { ThreadReply, ThreadRequest } from './schema-validator-pool';
import { currentThread } from './thread-cpu-time';

/**
 * A schema thread (SchemaValidatorPool): checks payloads against schemas, one at a time,
 * keeping each schema's validators by the hash of its JSON. The schema comes with the
 * first payload of its hash sent to this thread; one this thread let go since is asked
 * for again (`missing`). Its first message says it is ready, and which OS thread it is, so
 * that the pool can count the CPU time it spends on a validation (thread-cpu-time.ts).
 */
/** Schemas kept compiled: 1000, or what the pool says (PoolSettings.threadSchemas). */
const MAX_SCHEMAS = (workerData as { maxSchemas?: number } | undefined)?.maxSchemas ?? 1000;
const validations = new Map<string, SchemaValidation>();

parentPort?.on('message', (request: ThreadRequest) => {
  const reply = (message: ThreadReply): void => parentPort?.postMessage(message);
  let validation = validations.get(request.hash);
  if (!validation && request.schema !== undefined) {
    validation = new SchemaValidation(JSON.parse(request.schema) as Record<string, unknown>);
  }
  if (!validation) return reply({ id: request.id, missing: true });
  validations.delete(request.hash);
  validations.set(request.hash, validation);
  if (validations.size > MAX_SCHEMAS) validations.delete(validations.keys().next().value!);
  reply({ id: request.id, problems: validation.problems(request.payload) });
});

parentPort?.postMessage({ ready: true, thread: currentThread() } satisfies ThreadReply);
