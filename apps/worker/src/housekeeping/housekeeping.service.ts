import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  AttemptPartitionsRepository,
  CompletionRepository,
  IdempotencyService,
  RETENTION_TABLES,
  RetentionService,
} from '@app/domain';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import type { Logger } from 'pino';
import { WorkerMetrics } from '../worker.metrics';
import { WORKER_LOGGER } from '../worker.tokens';

/** How often storage is kept bounded. */
export const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/**
 * What keeps storage bounded, run by every worker, hourly and a minute after start:
 * attempt partitions are created ahead (at start too, before the first minute is out);
 * retention (SPEC §8) runs when POSTMAND_RETENTION_DAYS is not 0 — one worker at a time,
 * the others find it running and skip — and otherwise expired idempotency keys are still
 * deleted (they are kept for their TTL only, whatever the retention); webhook leases
 * that expired over an hour ago go too.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap {
  constructor(
    private readonly attemptPartitions: AttemptPartitionsRepository,
    private readonly retention: RetentionService,
    private readonly idempotency: IdempotencyService,
    private readonly completion: CompletionRepository,
    private readonly metrics: WorkerMetrics,
    private readonly scheduler: SchedulerRegistry,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.scheduler.addInterval(
      'postmand-housekeeping',
      setInterval(() => void this.run(), HOUSEKEEPING_INTERVAL_MS).unref(),
    );
    this.scheduler.addTimeout(
      'postmand-housekeeping-first',
      setTimeout(() => void this.run(), 60_000).unref(),
    );
    await this.partitions();
  }

  /** One pass; never throws (a failed step is logged and the next pass tries again). */
  async run(): Promise<void> {
    await this.partitions();
    try {
      if (this.config.retentionDays > 0) {
        const report = await this.retention.run({
          olderThanSeconds: this.config.retentionDays * 86_400,
        });
        if (report) {
          for (const table of RETENTION_TABLES) {
            this.metrics.retentionDeleted.inc({ table }, report.deleted[table]);
          }
          this.metrics.retentionLastRun.set(Date.now() / 1000);
          this.logger.info(
            { deleted: report.deleted, droppedPartitions: report.droppedPartitions },
            'retention run',
          );
          if (report.partitionsFailure !== undefined) {
            this.logger.warn(
              { reason: report.partitionsFailure },
              'creating attempt partitions failed; the rest of the retention run went on',
            );
          }
        }
      } else {
        const keys = await this.idempotency.purgeExpired();
        if (keys > 0) this.logger.info({ keys }, 'expired idempotency keys deleted');
      }
    } catch (err) {
      this.logger.warn({ err }, 'retention failed');
    }
    try {
      const leases = await this.completion.purgeExpiredLeases();
      if (leases > 0) this.logger.info({ leases }, 'long-expired webhook leases deleted');
    } catch (err) {
      this.logger.warn({ err }, 'housekeeping failed');
    }
  }

  /**
   * Partitions for today and the days ahead. Without them attempts still land (in the
   * DEFAULT partition), so a failure is a warning, not a stop.
   */
  private async partitions(): Promise<void> {
    try {
      const created = await this.attemptPartitions.ensure();
      if (created.length > 0) this.logger.info({ created }, 'attempt partitions created');
    } catch (err) {
      this.logger.warn({ err }, 'creating attempt partitions failed');
    }
  }
}
