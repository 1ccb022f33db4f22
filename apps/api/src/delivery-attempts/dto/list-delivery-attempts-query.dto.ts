import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { isNewestFirstKey, type DeliveryAttemptListFilter } from '@app/domain';
import type { CursorKind } from '../../lists/list-query.dto';
import { TenantOwnedListQueryDto } from '../../lists/tenant-owned-list-query.dto';
import { ToBoolean } from '../../validation/validators';

export class ListDeliveryAttemptsQueryDto extends TenantOwnedListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'delivery_attempts', valid: isNewestFirstKey };
  }

  /** Only attempts for this webhook. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  webhook_id?: string;

  /** Only attempts of this delivery. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  delivery_id?: string;

  /** Only successful (true) or failed (false) attempts. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  success?: boolean;

  toFilter(): DeliveryAttemptListFilter {
    return {
      ...this.page(),
      webhookId: this.webhook_id?.toLowerCase(),
      deliveryId: this.delivery_id?.toLowerCase(),
      success: this.success,
      tenantId: this.tenant_id,
      createdAt: this.createdAt(),
    };
  }
}
