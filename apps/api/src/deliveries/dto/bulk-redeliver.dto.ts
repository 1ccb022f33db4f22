import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus, type RedeliverFilter } from '@app/domain';
import { IsEventTypeName, IsRfc3339, parseRfc3339 } from '../../validation/validators';

/** `POST /v1/deliveries/redeliver`: which deliveries to send again (§7); each field narrows it. */
export class BulkRedeliverRequestDto {
  /** Only deliveries of this webhook. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  webhook_id?: string;

  /** Only deliveries in this state. Default "failed". */
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` })
  // No `default` in the schema: openapi-typescript would make the field required.
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus' })
  status?: DeliveryStatus;

  /** Only deliveries of events of exactly this type. */
  @IsOptional()
  @IsEventTypeName()
  @ApiPropertyOptional({ type: 'string', maxLength: 256 })
  event_type?: string;

  /** Only deliveries created after this RFC 3339 time. */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  created_after?: string;

  /** Only deliveries created before this RFC 3339 time. */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  created_before?: string;

  /** Count the matches and create nothing (200 instead of 202). Default false. */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  dry_run?: boolean;

  toFilter(): RedeliverFilter {
    return {
      status: this.status ?? 'failed',
      webhookId: this.webhook_id?.toLowerCase(),
      eventType: this.event_type,
      createdAfter: parseRfc3339(this.created_after),
      createdBefore: parseRfc3339(this.created_before),
    };
  }
}

export class BulkRedeliverResultDto {
  /** Deliveries matched: each got a new pending delivery, unless this was a dry run. @example 42 */
  @ApiProperty({ type: 'integer' })
  count!: number;
}
