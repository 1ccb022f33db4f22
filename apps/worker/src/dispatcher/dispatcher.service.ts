import { randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  ClaimRepository,
  judgeAttempt,
  type AttemptOutcome,
  type ClaimedDelivery,
} from '@app/domain';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import type { Logger } from 'pino';
import { WORKER_LOGGER } from '../worker.tokens';
import { WorkerMetrics } from '../worker.metrics';
import { ClaimTurns } from './claim-turns';
import { CompletionBuffer } from './completion-buffer';
import { Sender, type SendResult } from './sender';
import { WakeupListener } from './wakeup-listener';

/** Most deliveries one claim statement leases; more free slots mean another claim at once. */
const MAX_CLAIM_BATCH = 500;
/** Timers further out than this are re-armed later (setTimeout overflows past ~24.8 days). */
const MAX_TIMER_MS = 3_600_000;
/** How long a stopping worker waits for the database to take its last outcomes. */
const DRAIN_RECORDS_MS = 15_000;

/**
 * The claim loop. It claims when woken (NOTIFY, a timer for the next known due time, a
 * finished attempt freeing a slot, or the polling backstop), as many deliveries as it
 * has free slots, and claims again at once while batches come back full. Each claimed
 * delivery is sent without holding any connection; outcomes are recorded in batches.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly inFlight = new Set<Promise<void>>();
  /** UTF-8 bytes of the payloads in flight: bounded by POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES. */
  private inFlightBytes = 0;
  private running = false;
  private stopping = false;
  private claiming = false;
  /** The claim pass under way, if any: a stop waits for it (its transaction must end). */
  private pass: Promise<void> | undefined;
  private wakeAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private claimFailures = 0;
  private lastClaimError: string | undefined;
  /** Smallest claim worth a statement while other attempts are in flight. */
  private readonly minClaim: number;
  /**
   * The per-attempt line's logger: its fields are fixed ids, numbers and the sender's
   * error text (credentials already masked), never a secret, so it skips the root
   * logger's path redaction, which doubled the line's cost (7.0 → 3.5 µs).
   */
  private readonly attemptLog: Logger;
  /** Whether the per-attempt line is written (the level is fixed at start). */
  private readonly attemptLogged: boolean;

  constructor(
    private readonly claims: ClaimRepository,
    private readonly turns: ClaimTurns,
    private readonly scheduler: SchedulerRegistry,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly sender: Sender,
    private readonly completions: CompletionBuffer,
    private readonly listener: WakeupListener,
  ) {
    // How many can be in flight when every payload is as large as allowed.
    const capacity = Math.min(config.workerConcurrency, Math.max(1, this.payloadRoom(0)));
    this.minClaim = Math.max(1, Math.min(25, Math.floor(capacity / 10)));
    this.attemptLog = logger.child({}, { redact: [] });
    this.attemptLogged = this.attemptLog.isLevelEnabled('info');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start({
      onWake: (dueInMs) => (dueInMs <= 0 ? this.wake() : this.armTimer(Date.now() + dueInMs)),
      onWebhookActivated: () => {
        this.turns.lookForParkedWork();
        this.wake();
      },
      onReconnect: () => this.wake(),
    });
    // The polling backstop: catches expired leases of dead workers and anything a lost
    // notification would have announced.
    this.scheduler.addInterval(
      'postmand-poll',
      setInterval(() => this.wake(), this.config.pollingInterval),
    );
    this.running = true;
    this.logger.info({ owner: this.owner }, 'dispatcher started');
    this.wake();
  }

  /** SIGTERM: stop claiming, let in-flight requests finish (bounded by their timeouts). */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.scheduler.deleteInterval('postmand-poll');
    clearTimeout(this.timer);
    // A claim statement may be running: let it commit (its leases are then in flight
    // or left to expire) before the pool it runs on is closed.
    await this.pass;
    await this.listener.stop();
    const inFlight = this.inFlight.size;
    if (inFlight > 0) this.logger.info({ inFlight }, 'waiting for in-flight attempts');
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    const drained = await Promise.race([
      this.completions.drain().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_RECORDS_MS).unref()),
    ]);
    if (!drained) {
      this.logger.error(
        { unrecorded: this.completions.size },
        'stopping with attempt outcomes not recorded: their leases expire and they are retried',
      );
    }
    this.sender.close();
    this.running = false;
    this.logger.info('dispatcher stopped');
  }

  /** For readiness: running, not stopping, and able to claim. */
  health(): { running: boolean; inFlight: number; claimFailures: number; lastError?: string } {
    return {
      running: this.running && !this.stopping,
      inFlight: this.inFlight.size,
      claimFailures: this.claimFailures,
      lastError: this.lastClaimError,
    };
  }

  /** Runs a claim pass now, or right after the one under way. */
  wake(): void {
    if (this.stopping) return;
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    this.claiming = true;
    this.pass = this.claimPass().finally(() => {
      this.claiming = false;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  private async claimPass(): Promise<void> {
    while (!this.stopping) {
      this.wakeAgain = false;
      // Slots, and payload bytes: a claimed delivery may carry up to the largest payload,
      // and each in flight holds its payload a few times over (text, bytes, raw_request).
      const slots = this.config.workerConcurrency - this.inFlight.size;
      const bytes = this.payloadRoom(this.inFlightBytes);
      // Idle, one delivery always goes, whatever its size.
      const free = Math.min(slots, this.inFlight.size === 0 ? Math.max(1, bytes) : bytes);
      if (free <= 0) return; // a finishing attempt wakes us
      // Under load, wait for a few slots rather than run a claim statement per slot.
      // A finishing attempt wakes us again, so nothing due waits long.
      if (free < this.minClaim && this.inFlight.size > 0) return;
      const limit = Math.min(free, MAX_CLAIM_BATCH);
      let claimed: ClaimedDelivery[];
      try {
        claimed = await this.turns.claim(this.owner, limit);
      } catch (err) {
        this.claimFailed(err);
        return;
      }
      this.claimFailures = 0;
      this.lastClaimError = undefined;
      this.metrics.claimBatchSize.observe(claimed.length);
      this.metrics.claimed.inc(claimed.length);
      for (const delivery of claimed) this.dispatch(delivery);
      if (claimed.length < limit) {
        await this.armForNextDue();
        return;
      }
    }
  }

  /** Deliveries of the largest allowed payload that still fit the in-flight byte budget. */
  private payloadRoom(bytesInFlight: number): number {
    return Math.floor(
      (this.config.workerMaxInFlightBytes - bytesInFlight) / this.config.maxPayloadBytes,
    );
  }

  /** A database outage stalls delivery, never the process: retry with backoff. */
  private claimFailed(err: unknown): void {
    this.claimFailures++;
    this.lastClaimError = (err as Error).message;
    const retryInMs = Math.min(5_000, 100 * 2 ** Math.min(this.claimFailures, 6));
    this.logger.warn({ err, retryInMs, failures: this.claimFailures }, 'claim failed');
    this.armTimer(Date.now() + retryInMs);
  }

  private async armForNextDue(): Promise<void> {
    try {
      const ms = await this.claims.msUntilNextDue();
      if (ms !== null) this.armTimer(Date.now() + ms);
    } catch (err) {
      this.logger.debug({ err }, 'could not read the next due time');
    }
  }

  /** Keeps one timer, for the earliest time known to have work due. */
  private armTimer(at: number): void {
    if (this.stopping || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timerAt = Infinity;
      this.wake();
    }, delay);
  }

  private dispatch(claimed: ClaimedDelivery): void {
    if (claimed.limited) this.metrics.limitedClaims.inc();
    if (claimed.reclaimed) this.metrics.leaseReclaims.inc();
    this.metrics.inFlight.inc();
    const bytes = Buffer.byteLength(claimed.delivery.payload, 'utf8');
    this.inFlightBytes += bytes;
    const attempt = this.attempt(claimed)
      .catch((err: unknown) =>
        this.logger.error({ err, deliveryId: claimed.delivery.id }, 'attempt crashed'),
      )
      .finally(() => {
        this.inFlight.delete(attempt);
        this.inFlightBytes -= bytes;
        this.metrics.inFlight.dec();
        this.wake();
      });
    this.inFlight.add(attempt);
  }

  private async attempt(claimed: ClaimedDelivery): Promise<void> {
    const { delivery } = claimed;
    const result = await this.sender.send(claimed).catch((err: unknown): SendResult => ({
      // A bug of ours must still end the attempt, or the delivery waits out its lease.
      rawRequest: '',
      requestBodyOmitted: false,
      rawResponse: '',
      statusCode: 0,
      durationMs: 0,
      error: `internal error: ${(err as Error).message}`,
    }));
    const outcome = judgeAttempt(claimed, result, { attemptId: randomUUID(), now: new Date() });
    const label = outcome.success ? 'success' : outcome.status === 'failed' ? 'failed' : 'retry';
    const metrics = this.metrics.byOutcome[label];
    metrics.attempts.inc();
    metrics.duration.observe(result.durationMs / 1000);
    // Below `info` (the bench's `warn`), not even the line's fields are gathered.
    if (this.attemptLogged) {
      this.attemptLog.info(
        {
          deliveryId: delivery.id,
          webhookId: delivery.webhookId,
          attempt: delivery.deliveryAttempts + 1,
          statusCode: result.statusCode,
          durationMs: result.durationMs,
          success: outcome.success,
          status: outcome.status,
          error: result.error || undefined,
        },
        'delivery attempt',
      );
    }
    // The slot is free now; the outcome's recording goes on in the buffer (whose drain
    // shutdown awaits), and its result comes back here.
    void this.completions.add(outcome).then((recorded) => this.recorded(outcome, recorded));
  }

  private recorded(outcome: AttemptOutcome, recorded: boolean): void {
    if (!recorded) {
      this.metrics.droppedOutcomes.inc();
      this.logger.info(
        { deliveryId: outcome.deliveryId },
        'attempt outcome dropped: the delivery was deleted or its lease was lost',
      );
      return;
    }
    if (outcome.retryInSeconds !== null) this.armTimer(Date.now() + outcome.retryInSeconds * 1000);
    // A limited delivery's slot is free only now that its outcome is written: the next of
    // its webhook (the next in line for FIFO) can go.
    if (outcome.limited) this.wake();
  }
}
