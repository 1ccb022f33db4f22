import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DeliveryDispatchRepository, IdempotencyService } from '@app/domain';
import type { Logger } from 'pino';
import { WORKER_LOGGER } from '../worker.tokens';

/** How often expired rows are cleared. */
export const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/**
 * What keeps storage bounded, run by every worker: expired idempotency keys and
 * long-expired webhook leases are deleted hourly (and a minute after start), in batches
 * that skip rows another worker is deleting, so several workers share the job instead of
 * colliding.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly dispatch: DeliveryDispatchRepository,
    private readonly scheduler: SchedulerRegistry,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(
      'postmand-housekeeping',
      setInterval(() => void this.run(), HOUSEKEEPING_INTERVAL_MS).unref(),
    );
    this.scheduler.addTimeout(
      'postmand-housekeeping-first',
      setTimeout(() => void this.run(), 60_000).unref(),
    );
  }

  /** One pass; never throws (a failed pass is logged and the next one tries again). */
  async run(): Promise<void> {
    try {
      const keys = await this.idempotency.purgeExpired();
      if (keys > 0) this.logger.info({ keys }, 'expired idempotency keys deleted');
      const leases = await this.dispatch.purgeExpiredLeases();
      if (leases > 0) this.logger.info({ leases }, 'long-expired webhook leases deleted');
    } catch (err) {
      this.logger.warn({ err }, 'housekeeping failed');
    }
  }
}
