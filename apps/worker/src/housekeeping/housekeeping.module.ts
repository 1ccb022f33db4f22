import { Module } from '@nestjs/common';
import { HousekeepingService } from './housekeeping.service';

/**
 * What keeps storage bounded (attempt partitions, retention, expired keys and leases),
 * beside the dispatcher rather than inside it: it shares nothing with the claim loop but
 * the worker's metrics, logger and scheduler, which the worker module provides.
 */
@Module({ providers: [HousekeepingService] })
export class HousekeepingModule {}
