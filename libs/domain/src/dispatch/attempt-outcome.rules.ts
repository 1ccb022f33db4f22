import type { AttemptOutcome, ClaimedDelivery } from './dispatch.types';
import type { DeliveryStatus } from '../delivery/delivery.entity';
import { nextRetryDelaySeconds } from '../delivery/delivery.rules';
import { RESERVED_PREFIX } from '../event/event-type.rules';

/** What one attempt produced on the wire, ready to be judged and recorded. */
export interface AttemptResult {
  rawRequest: string;
  /**
   * `rawRequest` is the request's head only: its body is the delivery's payload, which
   * is stored once, on the delivery (the API puts it back).
   */
  requestBodyOmitted: boolean;
  rawResponse: string;
  /** 0 when no response came back. */
  statusCode: number;
  durationMs: number;
  /** Transport failure text; "" when a complete response came back. */
  error: string;
  /** The response's Retry-After header, if any. */
  retryAfter?: string;
}

/**
 * The outcome rule of an attempt (docs/guarantees.md "How delivery works"): a success is a complete
 * response whose status is one of the webhook's valid status codes; otherwise the
 * delivery fails for good once it has had `max_delivery_attempts`, or waits for a retry:
 * min(retry_max_backoff, retry_min_backoff × 2^n), pushed later by a Retry-After on a 429
 * or 503. Pure: the attempt's id and the time are given.
 */
export function judgeAttempt(
  { delivery, webhook, leaseOwner, limited }: ClaimedDelivery,
  result: AttemptResult,
  at: { attemptId: string; now: Date },
): AttemptOutcome {
  const success = result.error === '' && webhook.validStatusCodes.includes(result.statusCode);
  const attemptsAfter = delivery.deliveryAttempts + 1;
  const status: DeliveryStatus = success
    ? 'succeeded'
    : attemptsAfter >= webhook.maxDeliveryAttempts
      ? 'failed'
      : 'pending';
  return {
    deliveryId: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    leaseOwner,
    attemptId: at.attemptId,
    status,
    retryInSeconds:
      status === 'pending'
        ? nextRetryDelaySeconds({
            attemptsBefore: delivery.deliveryAttempts,
            minBackoff: webhook.retryMinBackoff,
            maxBackoff: webhook.retryMaxBackoff,
            statusCode: result.statusCode,
            retryAfter: result.retryAfter,
            now: at.now,
          })
        : null,
    rawRequest: result.rawRequest,
    requestBodyOmitted: result.requestBodyOmitted,
    rawResponse: result.rawResponse,
    responseStatusCode: result.statusCode,
    executionDuration: result.durationMs,
    success,
    error: result.error,
    attempts: attemptsAfter,
    limited,
    touchesHealth: !success || webhook.consecutiveFailures > 0 || webhook.circuitOpenUntil !== null,
    operational: delivery.eventType?.startsWith(RESERVED_PREFIX) ?? false,
  };
}
