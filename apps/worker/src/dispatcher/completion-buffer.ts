import { Inject, Injectable } from '@nestjs/common';
import { AttemptRecorder, type AttemptOutcome, type HealthTransition } from '@app/domain';
import type { Logger } from 'pino';
import { WorkerMetrics } from '../worker.metrics';
import { WORKER_LOGGER } from '../worker.tokens';

/** An outcome waiting to be written, and how to tell its sender whether it was. */
interface Entry {
  outcome: AttemptOutcome;
  settle: (recorded: boolean) => void;
}

const MAX_BATCH = 500;
/** Raw request and response text per write: large payloads go a few at a time. */
const MAX_BATCH_CHARS = 8 * 1024 * 1024;
const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * Hands outcomes to the database in batches: while one batch is being written, new
 * outcomes gather for the next, so a quiet worker writes each at once and a busy one
 * writes hundreds per transaction. A failed write (the database is away) is retried with
 * backoff, keeping the outcomes in memory; they are few (at most the in-flight count)
 * because nothing new is claimed while the database is unreachable.
 *
 * One way: the dispatcher hands over an outcome and gets back a promise of its
 * recording; the webhook state changes a batch causes are reported here (metric, log).
 */
@Injectable()
export class CompletionBuffer {
  private pending: Entry[] = [];
  private flushing: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly recorder: AttemptRecorder,
    private readonly metrics: WorkerMetrics,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Queues an outcome for writing; resolves once written: true, or false when its lease
   * was lost meanwhile (or the database refused it for its data). Never rejects.
   */
  add(outcome: AttemptOutcome): Promise<boolean> {
    return new Promise((settle) => {
      this.pending.push({ outcome, settle });
      this.flushing ??= this.flushLoop().finally(() => (this.flushing = undefined));
    });
  }

  /** Resolves when everything added so far has been written. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  get size(): number {
    return this.pending.length;
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, batchLength(this.pending));
      try {
        await this.write(batch);
        this.failures = 0;
      } catch (err) {
        this.pending.unshift(...batch);
        const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)];
        this.failures++;
        this.logger.warn(
          { err, outcomes: batch.length, retryInMs: delay },
          'could not record attempts; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Writes a batch; one the database refuses for its data is written in halves. */
  private async write(batch: Entry[]): Promise<void> {
    try {
      const { recorded, transitions } = await this.recorder.record(batch.map((e) => e.outcome));
      for (const { outcome, settle } of batch) settle(recorded.has(outcome.deliveryId));
      this.report(transitions);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (batch.length === 1) {
        this.logger.error(
          { err, deliveryId: batch[0].outcome.deliveryId },
          'the database refused this attempt outcome: dropped; the delivery is attempted again once its lease expires',
        );
        batch[0].settle(false);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.write(batch.slice(0, half));
      await this.write(batch.slice(half));
    }
  }

  /** The webhook state changes (circuit opened, webhook disabled…) a written batch caused. */
  private report(transitions: HealthTransition[]): void {
    for (const t of transitions) {
      this.metrics.webhookTransitions.inc({ kind: t.kind });
      this.logger.warn({ webhookId: t.webhookId, reason: t.reason }, `webhook ${t.kind}`);
    }
  }
}

/**
 * A batch the database refuses for its data (SQLSTATE class 22 or 23) would be refused
 * forever, and block every outcome behind it: it is split in halves and retried; a single
 * outcome still refused is dropped with an error (its lease expires, the delivery is
 * attempted again).
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** How many of the oldest outcomes go in the next write: up to 500, or 8 M characters. */
export function batchLength(pending: readonly { outcome: AttemptOutcome }[]): number {
  let chars = 0;
  for (let i = 0; i < Math.min(pending.length, MAX_BATCH); i++) {
    chars += pending[i].outcome.rawRequest.length + pending[i].outcome.rawResponse.length;
    if (chars > MAX_BATCH_CHARS) return Math.max(1, i);
  }
  return Math.min(pending.length, MAX_BATCH);
}
