import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { RESERVED_PREFIX, type EventInput } from '@app/domain';
import {
  IsEventTypeName,
  IsNotReserved,
  IsRfc3339,
  IsStorableText,
  parseRfc3339,
} from '../../common/validators';

/** An event to publish. Its read-only fields (`id`, `delivery_count`, …) are ignored, others refused. */
export class EventRequestDto {
  static readonly readOnlyFields = ['id', 'delivery_count', 'created_at'];

  /**
   * Dot-separated segments of letters, digits, `_` and `-` (at most 256 characters);
   * `postmand.` types are the service's own.
   * @example "order.created"
   */
  @IsNotReserved(RESERVED_PREFIX)
  @IsEventTypeName()
  @ApiProperty({ maxLength: 256, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' })
  event_type!: string;

  /**
   * Sent byte for byte as the body of every delivery; at most POSTMAND_MAX_PAYLOAD_BYTES
   * bytes of UTF-8 (413 above that).
   * @example "{\"order_id\": 42}"
   */
  @IsStorableText()
  @IsString({ message: 'must be a string' })
  payload!: string;

  /**
   * RFC 3339 time of its deliveries' first attempt; now when omitted.
   * @example "2021-03-08T20:45:00.000Z"
   */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  scheduled_at?: string;

  toInput(): EventInput {
    return {
      eventType: this.event_type,
      payload: this.payload,
      scheduledAt: parseRfc3339(this.scheduled_at),
    };
  }
}
