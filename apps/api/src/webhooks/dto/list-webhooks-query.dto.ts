import { IsBoolean, IsOptional } from 'class-validator';
import { isNameKey, type WebhookListFilter } from '@app/domain';
import { ListQueryDto, type CursorKind } from '../../lists/list-query.dto';
import { ToBoolean } from '../../validation/validators';

export class ListWebhooksQueryDto extends ListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'webhooks', valid: isNameKey };
  }

  /** Only active (true) or inactive (false) webhooks. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;

  toFilter(): WebhookListFilter {
    return { ...this.page(), active: this.active, createdAt: this.createdAt() };
  }
}
