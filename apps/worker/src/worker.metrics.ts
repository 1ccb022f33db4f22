import { Injectable } from '@nestjs/common';
import { BacklogRepository, type DispatchBacklog } from '@app/domain';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The backlog is counted up to this many rows: beyond it, the gauge says "at least". */
export const BACKLOG_COUNT_CAP = 100_000;
/** Scrapes closer together than this share one sample. */
const BACKLOG_SAMPLE_MS = 10_000;

export type BacklogSample = DispatchBacklog;

/** The worker's Prometheus metrics; no delivery ids in labels, so cardinality stays flat. */
@Injectable()
export class WorkerMetrics {
  readonly claimed: Counter;
  readonly claimBatchSize: Histogram;
  readonly leaseReclaims: Counter;
  readonly attempts: Counter<'outcome'>;
  readonly attemptDuration: Histogram<'outcome'>;
  /**
   * The two attempt metrics' children per outcome, looked up once: prom-client hashes
   * the labels of every `inc({ outcome })` otherwise, for every attempt.
   */
  readonly byOutcome: Record<
    'success' | 'retry' | 'failed',
    { attempts: { inc(): void }; duration: { observe(value: number): void } }
  >;
  readonly inFlight: Gauge;
  readonly droppedOutcomes: Counter;
  readonly limitedClaims: Counter;
  readonly webhookTransitions: Counter<'kind'>;
  readonly openCircuits: Gauge;
  readonly disabledWebhooks: Gauge;
  readonly dueBacklog: Gauge;
  readonly oldestDueAge: Gauge;
  readonly retentionDeleted: Counter<'table'>;
  readonly retentionLastRun: Gauge;
  private sample: Promise<BacklogSample | undefined> | undefined;
  private sampledAt = 0;

  constructor(
    registry: Registry,
    private readonly repository: BacklogRepository,
  ) {
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
    const byOutcome = (outcome: string) => ({
      attempts: this.attempts.labels(outcome),
      duration: this.attemptDuration.labels(outcome),
    });
    this.byOutcome = {
      success: byOutcome('success'),
      retry: byOutcome('retry'),
      failed: byOutcome('failed'),
    };
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
    this.limitedClaims = new Counter({
      name: 'postmand_worker_limited_claims_total',
      help: 'Deliveries leased by the limited claim (webhooks with limits, FIFO or an open circuit).',
      registers,
    });
    this.webhookTransitions = new Counter({
      name: 'postmand_worker_webhook_transitions_total',
      help: 'Webhook state changes this worker recorded: circuit_opened, circuit_closed, disabled.',
      labelNames: ['kind'],
      registers,
    });
    const backlog = (): Promise<BacklogSample | undefined> => this.backlog();
    this.openCircuits = new Gauge({
      name: 'postmand_webhooks_circuit_open',
      help: 'Webhooks whose circuit is open or half-open (all workers).',
      registers,
      async collect() {
        const sample = await backlog();
        if (sample) this.set(sample.openCircuits);
      },
    });
    this.disabledWebhooks = new Gauge({
      name: 'postmand_webhooks_disabled',
      help: 'Webhooks postmand disabled (410 Gone, or failing for POSTMAND_DISABLE_AFTER).',
      registers,
      async collect() {
        const sample = await backlog();
        if (sample) this.set(sample.disabledWebhooks);
      },
    });
    this.retentionDeleted = new Counter({
      name: 'postmand_retention_deleted_total',
      help: 'Rows retention removed, by table (attempts in dropped partitions and of deleted deliveries included).',
      labelNames: ['table'],
      registers,
    });
    this.retentionLastRun = new Gauge({
      name: 'postmand_retention_last_run_timestamp_seconds',
      help: 'When this worker last completed a retention run (Unix seconds); 0 before the first.',
      registers,
    });
    this.dueBacklog = new Gauge({
      name: 'postmand_worker_due_backlog',
      help: `Deliveries due now and not in flight (all workers), counted up to ${BACKLOG_COUNT_CAP}; sampled at most every ${BACKLOG_SAMPLE_MS / 1000} s.`,
      registers,
      async collect() {
        const sample = await backlog();
        if (sample) this.set(sample.due);
      },
    });
    this.oldestDueAge = new Gauge({
      name: 'postmand_worker_oldest_due_age_seconds',
      help: 'How long the oldest due delivery has been waiting for its attempt; 0 when none is due.',
      registers,
      async collect() {
        const sample = await backlog();
        if (sample) this.set(sample.oldestDueSeconds);
      },
    });
  }

  /** One sample shared by both gauges and by scrapes within BACKLOG_SAMPLE_MS. */
  private backlog(): Promise<BacklogSample | undefined> {
    if (!this.sample || Date.now() - this.sampledAt >= BACKLOG_SAMPLE_MS) {
      this.sampledAt = Date.now();
      // The database away: the gauges keep their last values; /readyz tells the outage.
      this.sample = this.repository.backlog(BACKLOG_COUNT_CAP).catch(() => undefined);
    }
    return this.sample;
  }
}
