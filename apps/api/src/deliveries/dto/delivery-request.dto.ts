import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, isUUID } from 'class-validator';
import type { DeliveryInput } from '@app/domain';
import { PayloadRequestDto } from './payload-request.dto';
import { parseRfc3339 } from '../../validation/validators';

const FIELDS = new Set(['webhook_id', 'payload', 'scheduled_at']);

/** A delivery to create. Its read-only fields (`id`, `status`, …) are ignored, others refused. */
export class DeliveryRequestDto extends PayloadRequestDto {
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

  /** AcceptsAsIs: the rules above, checked without class-validator. */
  static acceptsAsIs(body: Record<string, unknown>): boolean {
    return isUUID(body.webhook_id, 'all') && PayloadRequestDto.payloadAsIs(body, FIELDS);
  }

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
