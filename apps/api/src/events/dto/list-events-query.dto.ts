import { IsOptional } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { isNewestFirstKey, type EventListFilter } from '@app/domain';
import type { CursorKind } from '../../lists/list-query.dto';
import { TenantOwnedListQueryDto } from '../../lists/tenant-owned-list-query.dto';
import { IsEventTypeName } from '../../validation/validators';

export class ListEventsQueryDto extends TenantOwnedListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'events', valid: isNewestFirstKey };
  }

  /** Only events of exactly this type. */
  @IsOptional()
  @IsEventTypeName()
  @ApiPropertyOptional({ type: 'string', maxLength: 256 })
  event_type?: string;

  toFilter(): EventListFilter {
    return {
      ...this.page(),
      eventType: this.event_type,
      tenantId: this.tenant_id,
      createdAt: this.createdAt(),
    };
  }
}
