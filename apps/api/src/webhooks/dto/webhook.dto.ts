import { ApiProperty } from '@nestjs/swagger';
import type { Webhook } from '@app/domain';

/** The circuit breaker of a webhook (§7). */
export class CircuitDto {
  /** `half_open`: the cool-off is over and one delivery is let through as a trial. */
  @ApiProperty({ enum: ['closed', 'open', 'half_open'] })
  state!: 'closed' | 'open' | 'half_open';
  /** Failed attempts since the last success. @example 0 */
  @ApiProperty({ type: 'integer' })
  consecutive_failures!: number;
  /** When an open circuit half-opens; null while closed. */
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  open_until!: string | null;

  static from(this: void, w: Webhook, now = Date.now()): CircuitDto {
    const until = w.circuitOpenUntil;
    return {
      state: until === null ? 'closed' : until.getTime() > now ? 'open' : 'half_open',
      consecutive_failures: w.consecutiveFailures,
      open_until: until?.toISOString() ?? null,
    };
  }
}

/** A webhook as the API returns it. */
export class WebhookDto {
  /** @example "a6e9a525-ac5a-488c-b118-bd7327ce6d8d" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  id!: string;
  /** @example "Orders service" */
  name!: string;
  /** @example "https://example.com/webhooks/orders" */
  url!: string;
  /** @example "application/json" */
  content_type!: string;
  /** @example [200, 201] */
  @ApiProperty({ type: 'integer', isArray: true })
  valid_status_codes!: number[];
  /** Empty when deliveries are not signed. */
  secret_token!: string;
  active!: boolean;
  /** @example 5 */
  @ApiProperty({ type: 'integer' })
  max_delivery_attempts!: number;
  /** Seconds. @example 10 */
  @ApiProperty({ type: 'integer' })
  delivery_attempt_timeout!: number;
  /** Seconds. @example 10 */
  @ApiProperty({ type: 'integer' })
  retry_min_backoff!: number;
  /** Seconds. @example 3600 */
  @ApiProperty({ type: 'integer' })
  retry_max_backoff!: number;
  /** Patterns of the event types it takes. @example ["*"] */
  @ApiProperty({ type: 'string', isArray: true })
  event_types!: string[];
  /** Most attempts in flight at once; null: no limit. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  max_concurrency!: number | null;
  /** Attempts started per second; null: no limit. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  rate_limit!: number | null;
  @ApiProperty({ enum: ['none', 'fifo'] })
  ordering!: 'none' | 'fifo';
  circuit!: CircuitDto;
  /** Why postmand set `active` to false; null otherwise. @example null */
  @ApiProperty({ type: 'string', nullable: true })
  disabled_reason!: string | null;
  /** @example "2021-03-08T20:41:25.433Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;
  /** @example "2021-03-08T20:41:25.433Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  updated_at!: string;

  static from(this: void, w: Webhook): WebhookDto {
    return {
      id: w.id,
      name: w.name,
      url: w.url,
      content_type: w.contentType,
      valid_status_codes: w.validStatusCodes,
      secret_token: w.secretToken,
      active: w.active,
      max_delivery_attempts: w.maxDeliveryAttempts,
      delivery_attempt_timeout: w.deliveryAttemptTimeout,
      retry_min_backoff: w.retryMinBackoff,
      retry_max_backoff: w.retryMaxBackoff,
      event_types: w.eventTypes,
      max_concurrency: w.maxConcurrency,
      rate_limit: w.rateLimit,
      ordering: w.ordering,
      circuit: CircuitDto.from(w),
      disabled_reason: w.disabledReason,
      created_at: w.createdAt.toISOString(),
      updated_at: w.updatedAt.toISOString(),
    };
  }
}

export class WebhookListDto {
  webhooks!: WebhookDto[];
  /** @example 50 */
  @ApiProperty({ type: 'integer' })
  limit!: number;
  /** @example 0 */
  @ApiProperty({ type: 'integer' })
  offset!: number;
  /**
   * The `after` of the next page, or null when no item follows this one (also with
   * offset paging).
   */
  @ApiProperty({ type: 'string', nullable: true })
  next_cursor!: string | null;
}
