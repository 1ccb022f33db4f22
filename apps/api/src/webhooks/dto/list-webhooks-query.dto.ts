import { IsBoolean, IsOptional } from 'class-validator';
import { isNameKey, type WebhookListFilter } from '@app/domain';
import type { CursorKind } from '../../lists/list-query.dto';
import { TenantOwnedListQueryDto } from '../../lists/tenant-owned-list-query.dto';
import { ToBoolean } from '../../validation/validators';

export class ListWebhooksQueryDto extends TenantOwnedListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'webhooks', valid: isNameKey };
  }

  /** Only active (true) or inactive (false) webhooks. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;

  toFilter(): WebhookListFilter {
    return {
      ...this.page(),
      active: this.active,
      tenantId: this.tenant_id,
      createdAt: this.createdAt(),
    };
  }
}
