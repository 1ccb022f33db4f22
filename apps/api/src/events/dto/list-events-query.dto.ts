import { IsOptional } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { isNewestFirstKey, type EventListFilter } from '@app/domain';
import { ListQueryDto, type CursorKind } from '../../lists/list-query.dto';
import { IsEventTypeName } from '../../validation/validators';

export class ListEventsQueryDto extends ListQueryDto {
  protected cursorKind(): CursorKind {
    return { list: 'events', valid: isNewestFirstKey };
  }

  /** Only events of exactly this type. */
  @IsOptional()
  @IsEventTypeName()
  @ApiPropertyOptional({ type: 'string', maxLength: 256 })
  event_type?: string;

  toFilter(): EventListFilter {
    return { ...this.page(), eventType: this.event_type, createdAt: this.createdAt() };
  }
}
