import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker's Prometheus metrics; no delivery ids in labels, so cardinality stays flat. */
export class WorkerMetrics {
  readonly claimed: Counter;
  readonly claimBatchSize: Histogram;
  readonly leaseReclaims: Counter;
  readonly attempts: Counter<'outcome'>;
  readonly attemptDuration: Histogram<'outcome'>;
  readonly inFlight: Gauge;
  readonly droppedOutcomes: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.claimed = new Counter({
      name: 'postmand_worker_deliveries_claimed_total',
      help: 'Deliveries leased for an attempt.',
      registers,
    });
    this.claimBatchSize = new Histogram({
      name: 'postmand_worker_claim_batch_size',
      help: 'Deliveries returned by one claim statement.',
      buckets: [0, 1, 5, 10, 25, 50, 100, 250, 500],
      registers,
    });
    this.leaseReclaims = new Counter({
      name: 'postmand_worker_lease_reclaims_total',
      help: 'Deliveries claimed after another lease on them had expired (a worker died or stalled).',
      registers,
    });
    this.attempts = new Counter({
      name: 'postmand_worker_attempts_total',
      help: 'Delivery attempts by outcome: success, retry (failed, will retry) or failed (last attempt).',
      labelNames: ['outcome'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'postmand_worker_attempt_duration_seconds',
      help: 'Duration of delivery attempts, request start to response end.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'postmand_worker_in_flight_requests',
      help: 'HTTP requests to endpoints in flight now.',
      registers,
    });
    this.droppedOutcomes = new Counter({
      name: 'postmand_worker_dropped_outcomes_total',
      help: 'Attempt outcomes not recorded because the delivery was deleted or its lease lost.',
      registers,
    });
  }
}
