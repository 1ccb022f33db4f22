import type { Webhook } from '../webhook/webhook.entity';
import type { Delivery, DeliveryStatus } from '../delivery/delivery.entity';

/*
 * The dispatch's domain types, in a file of their own: the pure rules (attempt outcome,
 * endpoint health) and the repositories both import them, so no rule imports a
 * repository (ESLint forbids it).
 */

/** A delivery this worker holds a lease on, with what sending it needs from its webhook. */
export interface ClaimedDelivery {
  delivery: Pick<
    Delivery,
    'id' | 'webhookId' | 'payload' | 'deliveryAttempts' | 'eventId' | 'eventType'
  >;
  webhook: Pick<
    Webhook,
    | 'id'
    | 'url'
    | 'contentType'
    | 'validStatusCodes'
    | 'secretToken'
    | 'previousSecrets'
    | 'maxDeliveryAttempts'
    | 'deliveryAttemptTimeout'
    | 'retryMinBackoff'
    | 'retryMaxBackoff'
    | 'consecutiveFailures'
    | 'circuitOpenUntil'
    | 'tenantId'
  >;
  /** Fences the completion: only the holder of this exact lease may record the outcome. */
  leaseOwner: string;
  /** The previous holder's lease had expired: a worker died or stalled mid-attempt. */
  reclaimed: boolean;
  /** Leased by the limited claim: a row of webhook_leases counts it until its outcome. */
  limited: boolean;
}

/** The outcome of one attempt, as the worker hands it back. */
export interface AttemptOutcome {
  deliveryId: string;
  webhookId: string;
  eventId: string | null;
  leaseOwner: string;
  attemptId: string;
  /** The delivery's status after this attempt. */
  status: DeliveryStatus;
  /** For a retry: seconds from now (database clock) to the next attempt. */
  retryInSeconds: number | null;
  rawRequest: string;
  /** `rawRequest` leaves out its body, which is the delivery's payload. */
  requestBodyOmitted: boolean;
  rawResponse: string;
  responseStatusCode: number;
  executionDuration: number;
  success: boolean;
  error: string;
  /** Attempts the delivery has had, this one included. */
  attempts: number;
  /** It holds a row of webhook_leases (ClaimedDelivery.limited). */
  limited: boolean;
  /**
   * It may change its webhook's health: a failure, or a success while the webhook had
   * failures or an open circuit. A success of a healthy webhook (most outcomes) does not.
   */
  touchesHealth: boolean;
  /** The delivery is of one of postmand's own events (`postmand.*`). */
  operational: boolean;
}

/**
 * The worker's scheduling state as one claim pass reads and updates it, at the moment the
 * pass decides (so that a pass waiting for a connection or a lock acts on what is known
 * then, and what it learns counts at once, even should the pass roll back): the claim
 * repository keeps nothing from one pass to the next.
 */
export interface ClaimTurn {
  /** The limited claim goes first (the worker alternates, so neither claim starves). */
  readonly limitedFirst: boolean;
  /**
   * Whether some webhook has parked work, as the worker knows it now: it has (true), it
   * has not (false), or not known, and the claim asks the database.
   */
  parkedWork(): boolean | undefined;
  /** Parked work seen now: the plain claim parked some, or the limited claim found a webhook to serve. */
  sawParkedWork(): void;
  /** The database, asked at `askedAt` (ms, taken before the query), said whether any webhook has parked work. */
  askedParkedWork(askedAt: number, parked: boolean): void;
  /**
   * Where the limited claim's round of the marked webhooks starts (an id, exclusive;
   * null: at the first), and the deliveries per webhook the last one took (how many
   * webhooks to lock).
   */
  round(): { after: string | null; roomPerWebhook: number };
  /** The limited claim locked webhooks: the round goes on after `after`, at this room. */
  roundEnded(after: string, roomPerWebhook: number): void;
  /**
   * Where the plain claim's walk of the webhooks with due work starts (an id, exclusive;
   * null: at the first), so that every webhook's turn comes (claim.sql.ts, CLAIM_SQL).
   */
  walkFrom(): string | null;
  /** The plain claim's walk ended at `webhookId`: the next one starts after it. */
  walked(webhookId: string): void;
}
