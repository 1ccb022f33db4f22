import { Module } from '@nestjs/common';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { ClaimTurns } from './claim-turns';
import { CompletionBuffer } from './completion-buffer';
import { DispatcherService } from './dispatcher.service';
import { Sender, SENDER_OPTIONS, senderOptions } from './sender';
import { WakeupListener } from './wakeup-listener';

/**
 * The claim loop and its collaborators, each a provider: a test, or a limiter or circuit
 * breaker to come, replaces one by its class.
 */
@Module({
  providers: [
    DispatcherService,
    ClaimTurns,
    Sender,
    {
      provide: SENDER_OPTIONS,
      inject: [POSTMAND_CONFIG],
      useFactory: (config: PostmandConfig) => senderOptions(config),
    },
    CompletionBuffer,
    WakeupListener,
  ],
  exports: [DispatcherService],
})
export class DispatcherModule {}
