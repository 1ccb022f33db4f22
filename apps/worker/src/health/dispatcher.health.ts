import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { DispatcherService } from '../dispatcher/dispatcher.service';

/** Failed claims in a row after which the worker stops calling itself ready. */
const FAILING_AFTER = 3;

/** Readiness of a worker: its dispatcher runs and its claims reach the database. */
export function dispatcherHealth(dispatcher: DispatcherService): () => HealthIndicatorResult {
  return () => {
    const state = dispatcher.health();
    const up = state.running && state.claimFailures < FAILING_AFTER;
    return {
      dispatcher: {
        status: up ? 'up' : 'down',
        running: state.running,
        inFlight: state.inFlight,
        ...(state.claimFailures
          ? { claimFailures: state.claimFailures, lastError: state.lastError }
          : {}),
      },
    };
  };
}
