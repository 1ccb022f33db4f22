import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import {
  backoffOrderProblem,
  WEBHOOK_LIMITS as L,
  WEBHOOK_ORDERINGS,
  type WebhookDraft,
  type WebhookOrdering,
} from '@app/domain';
import {
  CodePointLength,
  HasNoSpaceOrControl,
  IsHeaderValue,
  IsEventTypePatterns,
  IsHttpUrl,
  IsNotBlank,
  IsSigningSecret,
  IsStorableText,
} from '../../validation/validators';
import type { CrossFieldRules } from '../../validation/validation.pipe';

/** The messages of each limit, written from the limit itself. */
const between = ({ min, max }: { min: number; max: number }): string =>
  `must be an integer from ${min} to ${max}`;
const atMost = (max: number): string => `must be at most ${max} characters long`;
const STATUS_CODES = `must be a non-empty array of integers from ${L.statusCode.min} to ${L.statusCode.max}`;

/**
 * A webhook as clients send it (POST and PUT alike). Read-only fields such as `id` or
 * `created_at` are ignored, so a client may PUT back what it GOT; any other unknown field
 * is refused; an optional field left out (or null) takes its default.
 */
export class WebhookRequestDto implements CrossFieldRules {
  static readonly readOnlyFields = ['id', 'created_at', 'updated_at', 'circuit', 'disabled_reason'];

  /** @example "Orders service" */
  @ApiProperty({ minLength: L.nameLength.min, maxLength: L.nameLength.max })
  @CodePointLength(
    L.nameLength.min,
    L.nameLength.max,
    `must be ${L.nameLength.min} to ${L.nameLength.max} characters long`,
  )
  @IsStorableText()
  @IsString({ message: 'must be a string' })
  name!: string;

  /**
   * Absolute http or https URL that deliveries are POSTed to.
   * @example "https://example.com/webhooks/orders"
   */
  @ApiProperty({ maxLength: L.urlLength })
  @CodePointLength(0, L.urlLength, atMost(L.urlLength))
  @IsHttpUrl()
  @HasNoSpaceOrControl()
  @IsString({ message: 'must be a string' })
  url!: string;

  /**
   * Sent as the Content-Type of every delivery.
   * @example "application/json"
   */
  @ApiProperty({ minLength: 1, maxLength: L.contentTypeLength })
  @CodePointLength(0, L.contentTypeLength, atMost(L.contentTypeLength))
  @IsNotBlank()
  @IsHeaderValue()
  @IsString({ message: 'must be a string' })
  content_type!: string;

  /**
   * Response status codes that count as a successful delivery.
   * @example [200, 201, 202, 204]
   */
  @ArrayNotEmpty({ message: STATUS_CODES })
  @ArrayMaxSize(L.statusCodesCount, {
    message: `must hold at most ${L.statusCodesCount} status codes`,
  })
  @Min(L.statusCode.min, {
    each: true,
    message: STATUS_CODES,
  })
  @Max(L.statusCode.max, {
    each: true,
    message: STATUS_CODES,
  })
  @IsArray({ message: STATUS_CODES })
  @IsInt({ each: true, message: STATUS_CODES })
  @ApiProperty({ type: 'integer', isArray: true })
  valid_status_codes!: number[];

  /**
   * Key of the HMAC-SHA256 signatures; empty for unsigned deliveries. A token that starts
   * with `whsec_` is standard base64 of 24–64 bytes after the prefix (Standard Webhooks).
   * Default "".
   * @example "my-secret-token"
   */
  @IsOptional()
  @ApiPropertyOptional({ maxLength: L.secretTokenLength })
  @CodePointLength(0, L.secretTokenLength, atMost(L.secretTokenLength))
  @IsSigningSecret()
  @IsStorableText()
  @IsString({ message: 'must be a string' })
  secret_token?: string;

  /** Deliveries of an inactive webhook wait until it is active again. Default true. */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;

  /**
   * Attempts before a delivery is marked failed. Default 5.
   * @example 5
   */
  @IsOptional()
  @Min(L.maxDeliveryAttempts.min, { message: between(L.maxDeliveryAttempts) })
  @Max(L.maxDeliveryAttempts.max, { message: between(L.maxDeliveryAttempts) })
  @IsInt({ message: between(L.maxDeliveryAttempts) })
  @ApiPropertyOptional({ type: 'integer' })
  max_delivery_attempts?: number;

  /**
   * Seconds one attempt may take, connect to last response byte. Default 10.
   * @example 10
   */
  @IsOptional()
  @Min(L.deliveryAttemptTimeout.min, { message: between(L.deliveryAttemptTimeout) })
  @Max(L.deliveryAttemptTimeout.max, { message: between(L.deliveryAttemptTimeout) })
  @IsInt({ message: between(L.deliveryAttemptTimeout) })
  @ApiPropertyOptional({ type: 'integer' })
  delivery_attempt_timeout?: number;

  /**
   * Seconds before the first retry; doubles with each retry. Default 10.
   * @example 10
   */
  @IsOptional()
  @Min(L.backoff.min, { message: between(L.backoff) })
  @Max(L.backoff.max, { message: between(L.backoff) })
  @IsInt({ message: between(L.backoff) })
  @ApiPropertyOptional({ type: 'integer' })
  retry_min_backoff?: number;

  /**
   * Longest wait between two attempts, in seconds; at least `retry_min_backoff`. Default 3600.
   * @example 3600
   */
  @IsOptional()
  @Min(L.backoff.min, { message: between(L.backoff) })
  @Max(L.backoff.max, { message: between(L.backoff) })
  @IsInt({ message: between(L.backoff) })
  @ApiPropertyOptional({ type: 'integer' })
  retry_max_backoff?: number;

  /**
   * The event types it takes (§5): each an exact name, a name followed by `.*` (that
   * name's sub-types), or `*` (every type outside `postmand.`); `[]` takes only
   * deliveries addressed to it. Default ["*"].
   * @example ["order.*", "invoice.paid"]
   */
  @IsOptional()
  @IsEventTypePatterns()
  @ApiPropertyOptional({ type: 'string', isArray: true, maxItems: 100 })
  event_types?: string[];

  /**
   * Most attempts of this webhook in flight at once, all workers together; null (the
   * default): no limit.
   * @example 10
   */
  @IsOptional()
  @Min(L.maxConcurrency.min, { message: between(L.maxConcurrency) })
  @Max(L.maxConcurrency.max, { message: between(L.maxConcurrency) })
  @IsInt({ message: between(L.maxConcurrency) })
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  max_concurrency?: number | null;

  /**
   * Attempts started per second, all workers together, as a token bucket holding one
   * second's worth (at most twice this in any one-second window); null (the default): no
   * limit.
   * @example 50
   */
  @IsOptional()
  @Min(L.rateLimit.min, { message: between(L.rateLimit) })
  @Max(L.rateLimit.max, { message: between(L.rateLimit) })
  @IsInt({ message: between(L.rateLimit) })
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  rate_limit?: number | null;

  /**
   * `fifo`: one delivery at a time in `created_at, id` order, each waiting until the one
   * before has succeeded or failed for good, retries included. Default "none".
   */
  @IsOptional()
  @IsIn(WEBHOOK_ORDERINGS, { message: `must be one of ${WEBHOOK_ORDERINGS.join(', ')}` })
  @ApiPropertyOptional({ enum: WEBHOOK_ORDERINGS })
  ordering?: WebhookOrdering;

  crossFieldProblems(failed: Set<string>): [string, string][] {
    if (failed.has('retry_min_backoff') || failed.has('retry_max_backoff')) return [];
    const problem = backoffOrderProblem(this.retry_min_backoff, this.retry_max_backoff);
    return problem ? [['retry_max_backoff', problem]] : [];
  }

  /** What the client wrote; the service fills in the defaults of what it left out. */
  toDraft(): WebhookDraft {
    return {
      name: this.name,
      url: this.url,
      contentType: this.content_type,
      validStatusCodes: this.valid_status_codes,
      secretToken: this.secret_token,
      active: this.active,
      maxDeliveryAttempts: this.max_delivery_attempts,
      deliveryAttemptTimeout: this.delivery_attempt_timeout,
      retryMinBackoff: this.retry_min_backoff,
      retryMaxBackoff: this.retry_max_backoff,
      eventTypes: this.event_types,
      maxConcurrency: this.max_concurrency,
      rateLimit: this.rate_limit,
      ordering: this.ordering,
    };
  }
}
