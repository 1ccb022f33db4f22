import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import {
  IsRfc3339,
  IsStorableText,
  isStorableText,
  parseRfc3339,
} from '../../validation/validators';

/** What a delivery and an event are made of: a payload, sent now or at `scheduled_at`. */
export class PayloadRequestDto {
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

  /**
   * Whether `body` has only `fields` and its `payload` and `scheduled_at` pass their rules
   * as they are: the common part of the creates' AcceptsAsIs (see the validation pipe).
   */
  protected static payloadAsIs(body: Record<string, unknown>, fields: Set<string>): boolean {
    for (const key of Object.keys(body)) if (!fields.has(key)) return false;
    const { payload, scheduled_at: at } = body;
    return (
      typeof payload === 'string' &&
      isStorableText(payload) &&
      (at === undefined || parseRfc3339(at) !== undefined)
    );
  }
}
