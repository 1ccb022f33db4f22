import { ApiProperty } from '@nestjs/swagger';
import type { Webhook } from '@app/domain';
import { toWire, WebhookResponseFields } from './webhook-fields';
import { ListPageDto } from '../../lists/list-page.dto';

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

/** A webhook as the API returns it: the fields of WEBHOOK_FIELDS, then postmand's own. */
export class WebhookDto extends WebhookResponseFields {
  /** @example "a6e9a525-ac5a-488c-b118-bd7327ce6d8d" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  id!: string;
  /** The tenant (§11) that owns it; null: the platform's own. @example null */
  @ApiProperty({ type: 'string', nullable: true })
  tenant_id!: string | null;
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
      ...toWire(w),
      tenant_id: w.tenantId,
      circuit: CircuitDto.from(w),
      disabled_reason: w.disabledReason,
      created_at: w.createdAt.toISOString(),
      updated_at: w.updatedAt.toISOString(),
    };
  }
}

export class WebhookListDto extends ListPageDto {
  webhooks!: WebhookDto[];
}
