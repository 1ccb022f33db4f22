import { Injectable } from '@nestjs/common';
import { ClaimRepository, type ClaimedDelivery, type ClaimPass, type ClaimTurn } from '@app/domain';

/** How long a worker trusts its last look for parked work (PARKED_WORK_SQL). */
export const PARKED_WORK_TTL_MS = 1000;

/**
 * This worker's claims, and the scheduling state they carry from one pass to the next,
 * which the claim repository keeps none of: which of the plain and the limited claim goes
 * first (they alternate, so that neither kind of webhook can take every slot from the
 * other), what this worker last knew of parked work, and where its round of the marked
 * webhooks stands. One per worker process; the dispatcher runs one pass at a time.
 */
@Injectable()
export class ClaimTurns {
  private limitedFirst = false;
  /** Where this worker's next turn round the marked webhooks starts (an id, exclusive). */
  private roundAfter: string | null = null;
  /** Deliveries per webhook the last limited claim took: how many webhooks to lock. */
  private roomPerWebhook = 1;
  /** When parked work was last known to exist, and when the database was last asked. */
  private parkedSeenAt = 0;
  private parkedCheckedAt = 0;

  constructor(private readonly claims: ClaimRepository) {}

  /** Leases up to `limit` due deliveries for `owner` (ClaimRepository.claim), in turn. */
  async claim(owner: string, limit: number): Promise<ClaimedDelivery[]> {
    const pass = await this.claims.claim(owner, limit, this.next());
    this.saw(pass);
    return pass.claimed;
  }

  /** The next claim looks for parked work whatever it saw last (a webhook re-activated). */
  lookForParkedWork(): void {
    this.parkedCheckedAt = 0;
  }

  /** The next pass's turn: the other claim first, and parked work as last known. */
  next(): ClaimTurn {
    this.limitedFirst = !this.limitedFirst;
    return {
      limitedFirst: this.limitedFirst,
      parkedWork: this.parkedWork(Date.now()),
      roundAfter: this.roundAfter,
      roomPerWebhook: this.roomPerWebhook,
    };
  }

  /** Keeps what a pass learnt for the next ones. */
  saw(pass: ClaimPass): void {
    const now = Date.now();
    if (pass.parkedAsked) this.parkedCheckedAt = now;
    if (pass.parkedSeen) this.parkedSeenAt = now;
    this.roundAfter = pass.roundAfter;
    this.roomPerWebhook = pass.roomPerWebhook;
  }

  /**
   * Whether any webhook has parked deliveries, as far as this worker knows: the database
   * is asked at most once a second, and parked work this worker saw (its own plain claim
   * parked some, its limited claim found a webhook to serve) is trusted for as long.
   */
  private parkedWork(now: number): boolean | undefined {
    if (now - this.parkedSeenAt < PARKED_WORK_TTL_MS) return true;
    if (now - this.parkedCheckedAt < PARKED_WORK_TTL_MS) return false;
    return undefined;
  }
}
