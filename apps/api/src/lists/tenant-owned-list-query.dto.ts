import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { TENANT_ID_PATTERN, TENANT_ID_RULE } from '@app/domain';
import { ListQueryDto } from './list-query.dto';

/**
 * The query of a list of tenant-owned items (webhooks, deliveries, events, delivery
 * attempts, §11): every list's parameters and the `tenant_id` filter. A portal session's
 * list is limited to its tenant by its scope whatever the filter says; a filter naming
 * another tenant is refused before the handler runs (PortalAccessGuard).
 */
export abstract class TenantOwnedListQueryDto extends ListQueryDto {
  /** Only items of this tenant. */
  @IsOptional()
  @Matches(new RegExp(TENANT_ID_PATTERN), { message: TENANT_ID_RULE })
  @ApiPropertyOptional({ type: 'string', pattern: TENANT_ID_PATTERN, maxLength: 64 })
  tenant_id?: string;
}
