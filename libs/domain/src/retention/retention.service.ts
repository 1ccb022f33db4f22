import { Injectable } from '@nestjs/common';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { AttemptPartitionsRepository } from './attempt-partitions.repository';
import { RetentionRepository } from './retention.repository';

/** The tables retention removes rows from, as `postmand_retention_deleted_total` labels them. */
export const RETENTION_TABLES = [
  'delivery_attempts',
  'deliveries',
  'events',
  'idempotency_keys',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

export interface RetentionReport {
  /** Rows older than this were removed (or would be, on a dry run). */
  cutoff: Date;
  dryRun: boolean;
  /** Rows removed (or that would be) per table. */
  deleted: Record<RetentionTable, number>;
  /** Attempt partitions dropped whole (or that would be). */
  droppedPartitions: string[];
  /**
   * Why making today's and the days' ahead partitions failed, when it did (their tables
   * stayed busy): the rest of the run went on, and the next upkeep tries again.
   */
  partitionsFailure?: string;
}

/** Rows deleted per transaction (SPEC §8: at most 10,000). */
export const RETENTION_BATCH = 10_000;

/**
 * SPEC §8's retention: what is older than the cut-off leaves, pending deliveries never.
 * Attempts leave by whole daily partitions (a partition goes once its last day is past
 * the cut-off; the legacy partition once its bound is); finished deliveries (with the
 * attempts and leases that reference them), events none of whose deliveries remain,
 * and expired idempotency keys leave in batches of at most 10,000 rows per transaction,
 * each batch taking rows no one holds (SKIP LOCKED), so that API writes and the workers
 * never wait for it. One run at a time across all processes: a run that finds another
 * one going returns null at once.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly retention: RetentionRepository,
    private readonly partitions: AttemptPartitionsRepository,
    private readonly idempotencyKeys: IdempotencyRepository,
  ) {}

  run(options: {
    olderThanSeconds: number;
    dryRun?: boolean;
    batch?: number;
  }): Promise<RetentionReport | null> {
    const dryRun = options.dryRun ?? false;
    const batch = Math.min(options.batch ?? RETENTION_BATCH, RETENTION_BATCH);
    return this.retention.exclusively(async () => {
      const cutoff = await this.retention.cutoff(options.olderThanSeconds);
      const report: RetentionReport = {
        cutoff,
        dryRun,
        deleted: { delivery_attempts: 0, deliveries: 0, events: 0, idempotency_keys: 0 },
        droppedPartitions: [],
      };
      if (!dryRun) {
        // Without them attempts still land (in the DEFAULT partition): not a reason to
        // keep old rows.
        await this.partitions.ensure().catch((err: Error) => {
          report.partitionsFailure = err.message;
        });
      }
      await this.attempts(report, batch);
      await this.deliveries(report, batch);
      report.deleted.events = dryRun
        ? await this.retention.countOldEvents(cutoff)
        : await this.events(cutoff, batch);
      report.deleted.idempotency_keys = dryRun
        ? await this.idempotencyKeys.countExpired()
        : await batches(batch, (n) => this.idempotencyKeys.deleteExpired(n));
      return report;
    });
  }

  /** Whole partitions past the cut-off, then old rows that landed in the DEFAULT one. */
  private async attempts(report: RetentionReport, batch: number): Promise<void> {
    for (const p of await this.partitions.list()) {
      if (p.isDefault || p.to! > report.cutoff) continue;
      report.deleted.delivery_attempts += report.dryRun
        ? await this.partitions.countRows(p.name)
        : await this.partitions.drop(p.name);
      report.droppedPartitions.push(p.name);
    }
    report.deleted.delivery_attempts += report.dryRun
      ? await this.retention.countDefaultAttempts(report.cutoff)
      : await batches(batch, (n) => this.retention.deleteDefaultAttempts(report.cutoff, n));
  }

  /**
   * Finished deliveries created before the cut-off, by status, with their attempts still
   * there (in partitions not dropped). A dry run counts the attempts of those deliveries
   * that the steps before would not have removed.
   */
  private async deliveries(report: RetentionReport, batch: number): Promise<void> {
    for (const status of ['succeeded', 'failed'] as const) {
      if (report.dryRun) {
        const counted = await this.retention.countFinishedDeliveries(
          status,
          report.cutoff,
          report.droppedPartitions,
        );
        report.deleted.deliveries += counted.deliveries;
        report.deleted.delivery_attempts += counted.attempts;
        continue;
      }
      for (;;) {
        const removed = await this.retention.deleteFinishedDeliveries(status, report.cutoff, batch);
        report.deleted.deliveries += removed.deliveries;
        report.deleted.delivery_attempts += removed.attempts;
        if (removed.deliveries < batch) break;
      }
    }
  }

  /**
   * Events created before the cut-off none of whose deliveries remain, a batch a
   * transaction (see RetentionRepository.deleteOldEvents: never one a redelivery is
   * copying a delivery of).
   */
  private async events(cutoff: Date, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { locked, deleted } = await this.retention.deleteOldEvents(cutoff, batch);
      total += deleted;
      if (locked < batch) return total;
    }
  }
}

/**
 * Runs `remove` (which deletes at most `batch` rows, its own transaction) until a batch
 * comes back short; returns the rows removed.
 */
async function batches(batch: number, remove: (batch: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await remove(batch);
    total += count;
    if (count < batch) return total;
  }
}
