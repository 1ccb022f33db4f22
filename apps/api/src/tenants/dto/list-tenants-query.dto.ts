import { isTenantKey, type TenantListFilter } from '@app/domain';
import { ListQueryDto, type CursorKind } from '../../lists/list-query.dto';

/** `GET /v1/tenants`: paging and the `created_at.*` bounds; ordered by id. */
export class ListTenantsQueryDto extends ListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'tenants', valid: isTenantKey };
  }

  toFilter(): TenantListFilter {
    return { ...this.page(), createdAt: this.createdAt() };
  }
}
