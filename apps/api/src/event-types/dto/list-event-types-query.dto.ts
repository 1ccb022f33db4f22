import { isEventTypeKey, type EventTypeListFilter } from '@app/domain';
import { ListQueryDto, type CursorKind } from '../../lists/list-query.dto';

/** `GET /v1/event-types`: paging and the `created_at.*` bounds; ordered by name. */
export class ListEventTypesQueryDto extends ListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'event_types', valid: isEventTypeKey };
  }

  toFilter(): EventTypeListFilter {
    return { ...this.page(), createdAt: this.createdAt() };
  }
}
