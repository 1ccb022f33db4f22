import { IsBoolean, IsOptional } from 'class-validator';
import type { WebhookListFilter } from '@app/domain';
import { ListQueryDto } from '../../common/list-query.dto';
import { ToBoolean } from '../../common/validators';

export class ListWebhooksQueryDto extends ListQueryDto {
  /** Only active (true) or inactive (false) webhooks. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;

  toFilter(): WebhookListFilter {
    return { ...this.page(), active: this.active, createdAt: this.createdAt() };
  }
}
