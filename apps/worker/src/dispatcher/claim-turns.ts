import { Injectable } from '@nestjs/common';
import { ClaimRepository, type ClaimedDelivery, type ClaimTurn } from '@app/domain';

/** How long a worker trusts its last look for parked work (PARKED_WORK_SQL). */
export const PARKED_WORK_TTL_MS = 1000;

/**
 * This worker's claims, and the scheduling state they carry from one pass to the next,
 * which the claim repository keeps none of: which of the plain and the limited claim goes
 * first (they alternate, so that neither kind of webhook can take every slot from the
 * other), what this worker last knew of parked work, and where its round of the marked
 * webhooks stands. A pass reads that state when it decides and updates it as it learns
 * (the ClaimTurn it is handed), so two passes at once, a pass that waited for a
 * connection, or one that rolls back see what the worker knows at that moment.
 */
@Injectable()
export class ClaimTurns {
  private limitedFirst = false;
  /** Where this worker's next turn round the marked webhooks starts (an id, exclusive). */
  private roundAfter: string | null = null;
  /** Where this worker's next walk of the webhooks with due work starts (plain claim). */
  private walkAfter: string | null = null;
  /** Deliveries per webhook the last limited claim took: how many webhooks to lock. */
  private roomPerWebhook = 1;
  /** When parked work was last known to exist, and when the database was last asked. */
  private parkedSeenAt = 0;
  private parkedCheckedAt = 0;
  /** When the worker was last told to look for parked work whatever it knew. */
  private lookAgainAt = -1;

  constructor(private readonly claims: ClaimRepository) {}

  /** Leases up to `limit` due deliveries for `owner` (ClaimRepository.claim), in turn. */
  claim(owner: string, limit: number): Promise<ClaimedDelivery[]> {
    return this.claims.claim(owner, limit, this.next());
  }

  /**
   * The next claim looks for parked work whatever it saw last (a webhook re-activated):
   * an answer to a question asked before this moment no longer counts.
   */
  lookForParkedWork(): void {
    this.parkedCheckedAt = 0;
    this.lookAgainAt = Date.now();
  }

  /** The next pass's turn: the other claim first, and this worker's state, live. */
  next(): ClaimTurn {
    this.limitedFirst = !this.limitedFirst;
    return {
      limitedFirst: this.limitedFirst,
      parkedWork: () => this.parkedWork(Date.now()),
      sawParkedWork: () => {
        this.parkedSeenAt = Date.now();
      },
      askedParkedWork: (askedAt, parked) => {
        if (askedAt < this.lookAgainAt) return;
        this.parkedCheckedAt = askedAt;
        if (parked) this.parkedSeenAt = askedAt;
      },
      round: () => ({ after: this.roundAfter, roomPerWebhook: this.roomPerWebhook }),
      roundEnded: (after, roomPerWebhook) => {
        this.roundAfter = after;
        this.roomPerWebhook = roomPerWebhook;
      },
      walkFrom: () => this.walkAfter,
      walked: (webhookId) => {
        this.walkAfter = webhookId;
      },
    };
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
