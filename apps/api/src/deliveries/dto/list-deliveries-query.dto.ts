import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { DELIVERY_STATUSES, type DeliveryListFilter, type DeliveryStatus } from '@app/domain';
import { ListQueryDto } from '../../common/list-query.dto';

export class ListDeliveriesQueryDto extends ListQueryDto {
  /** Only deliveries of this webhook. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  webhook_id?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  toFilter(): DeliveryListFilter {
    return {
      ...this.page(),
      webhookId: this.webhook_id?.toLowerCase(),
      status: this.status,
      createdAt: this.createdAt(),
    };
  }
}
