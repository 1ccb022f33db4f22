import { ApiProperty } from '@nestjs/swagger';
import type { Webhook } from '@app/domain';

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
}
