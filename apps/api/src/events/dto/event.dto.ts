import { ApiProperty } from '@nestjs/swagger';
import type { Event } from '@app/domain';
import { ListPageDto } from '../../lists/list-page.dto';

export class EventDto {
  /** @example "0b5e3c1e-8f0a-4d52-9d0e-6c1f1b0c7a11" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  id!: string;
  /** @example "order.created" */
  event_type!: string;
  /** The tenant it was published for (§11); null: the platform's own webhooks. @example null */
  @ApiProperty({ type: 'string', nullable: true })
  tenant_id!: string | null;
  /** @example "{\"order_id\": 42}" */
  payload!: string;
  /** Its deliveries' first attempt, not before. @example "2021-03-08T20:43:49.987Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  scheduled_at!: string;
  /** Deliveries created by the fan-out: the webhooks subscribed when it was stored. @example 3 */
  @ApiProperty({ type: 'integer' })
  delivery_count!: number;
  /** @example "2021-03-08T20:43:49.987Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;

  static from(this: void, e: Event): EventDto {
    return {
      id: e.id,
      event_type: e.eventType,
      tenant_id: e.tenantId,
      payload: e.payload,
      scheduled_at: e.scheduledAt.toISOString(),
      delivery_count: e.deliveryCount,
      created_at: e.createdAt.toISOString(),
    };
  }
}

export class EventListDto extends ListPageDto {
  events!: EventDto[];
}
