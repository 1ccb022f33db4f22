import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  DELIVERY_STATUSES,
  type DeliveryListFilter,
  type DeliveryStatus,
  isNewestFirstKey,
} from '@app/domain';
import type { CursorKind } from '../../lists/list-query.dto';
import { TenantOwnedListQueryDto } from '../../lists/tenant-owned-list-query.dto';
import { IsEventTypeName } from '../../validation/validators';

export class ListDeliveriesQueryDto extends TenantOwnedListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'deliveries', valid: isNewestFirstKey };
  }

  /** Only deliveries of this webhook. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  webhook_id?: string;

  /** Only deliveries fanned out from this event. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  event_id?: string;

  /** Only deliveries of events of exactly this type. */
  @IsOptional()
  @IsEventTypeName()
  @ApiPropertyOptional({ type: 'string', maxLength: 256 })
  event_type?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  toFilter(): DeliveryListFilter {
    return {
      ...this.page(),
      webhookId: this.webhook_id?.toLowerCase(),
      eventId: this.event_id?.toLowerCase(),
      eventType: this.event_type,
      status: this.status,
      tenantId: this.tenant_id,
      createdAt: this.createdAt(),
    };
  }
}
