import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus } from '@app/domain';
import { ApiProperty } from '@nestjs/swagger';
import { ListPageDto } from '../../lists/list-page.dto';

export class DeliveryDto {
  /** @example "bc76122c-e56b-45c7-8dc3-b80a861191d5" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  id!: string;
  /** @example "a6e9a525-ac5a-488c-b118-bd7327ce6d8d" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  webhook_id!: string;
  /** Its webhook's tenant (§11); null: the platform's own. @example null */
  @ApiProperty({ type: 'string', nullable: true })
  tenant_id!: string | null;
  /** The event it was fanned out from; null for a delivery created directly. */
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, example: null })
  event_id!: string | null;
  /** The event's type; null for a delivery created directly. */
  @ApiProperty({ type: 'string', nullable: true, example: null })
  event_type!: string | null;
  /** @example "{\"success\": true}" */
  payload!: string;
  /** When the next attempt is due. @example "2021-03-08T20:43:49.987Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  scheduled_at!: string;
  /** Attempts made so far. @example 0 */
  @ApiProperty({ type: 'integer' })
  delivery_attempts!: number;
  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus', example: 'pending' })
  status!: DeliveryStatus;
  /** @example "2021-03-08T20:43:49.987Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;
  /** @example "2021-03-08T20:43:49.987Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  updated_at!: string;

  static from(this: void, d: Delivery): DeliveryDto {
    return {
      id: d.id,
      webhook_id: d.webhookId,
      tenant_id: d.tenantId,
      event_id: d.eventId,
      event_type: d.eventType,
      payload: d.payload,
      scheduled_at: d.scheduledAt.toISOString(),
      delivery_attempts: d.deliveryAttempts,
      status: d.status,
      created_at: d.createdAt.toISOString(),
      updated_at: d.updatedAt.toISOString(),
    };
  }
}

export class DeliveryListDto extends ListPageDto {
  deliveries!: DeliveryDto[];
}
