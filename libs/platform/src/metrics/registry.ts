import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per process, served at /metrics on the health port. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
