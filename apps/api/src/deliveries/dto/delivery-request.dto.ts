import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID } from 'class-validator';
import type { DeliveryInput } from '@app/domain';
import { IsRfc3339, IsStorableText, parseRfc3339 } from '../../common/validators';

/** A delivery to create. Its read-only fields (`id`, `status`, …) are ignored, others refused. */
export class DeliveryRequestDto {
  static readonly readOnlyFields = [
    'id',
    'event_id',
    'event_type',
    'delivery_attempts',
    'status',
    'created_at',
    'updated_at',
  ];

  /** @example "a6e9a525-ac5a-488c-b118-bd7327ce6d8d" */
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiProperty({ type: 'string', format: 'uuid' })
  webhook_id!: string;

  /**
   * Sent byte for byte as the request body; at most POSTMAND_MAX_PAYLOAD_BYTES bytes of
   * UTF-8 (413 above that).
   * @example "{\"success\": true}"
   */
  @IsStorableText()
  @IsString({ message: 'must be a string' })
  payload!: string;

  /**
   * RFC 3339 time of the first attempt; now when omitted.
   * @example "2021-03-08T20:45:00.000Z"
   */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  scheduled_at?: string;

  toInput(): DeliveryInput {
    return {
      webhookId: this.webhook_id.toLowerCase(),
      payload: this.payload,
      scheduledAt: parseRfc3339(this.scheduled_at),
    };
  }
}

/** `POST /v1/deliveries/{id}/redeliver` takes no body; `{}` (or none) is fine, fields are not. */
export class RedeliverRequestDto {}
