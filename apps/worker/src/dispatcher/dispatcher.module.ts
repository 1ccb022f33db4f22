import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { HousekeepingService } from '../housekeeping/housekeeping.service';
import { WorkerMetrics } from '../worker.metrics';
import { CompletionBuffer } from './completion-buffer';
import { DispatcherService } from './dispatcher.service';
import { Sender, SENDER_OPTIONS, senderOptions } from './sender';
import { WakeupListener } from './wakeup-listener';

/**
 * The claim loop and its collaborators, each a provider: a test, or a limiter or circuit
 * breaker to come, replaces one by its class.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [
    DispatcherService,
    Sender,
    {
      provide: SENDER_OPTIONS,
      inject: [POSTMAND_CONFIG],
      useFactory: (config: PostmandConfig) => senderOptions(config),
    },
    CompletionBuffer,
    WakeupListener,
    WorkerMetrics,
    HousekeepingService,
  ],
  exports: [DispatcherService],
})
export class DispatcherModule {}
