import { ApiProperty } from '@nestjs/swagger';
import type { EventType } from '@app/domain';
import { ListPageDto } from '../../lists/list-page.dto';

/** An event type as the API returns it (§14). */
export class EventTypeDto {
  /** @example "order.created" */
  name!: string;
  /** @example "An order was placed." */
  description!: string;
  /** The JSON Schema (draft 2020-12) its payloads must match; null: not checked. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  schema!: Record<string, unknown> | null;
  /** A payload of the type; null: none. @example "{\"order_id\": 42}" */
  @ApiProperty({ type: 'string', nullable: true })
  example!: string | null;
  /** @example false */
  deprecated!: boolean;
  /** @example "2021-03-08T20:41:25.433Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;
  /** @example "2021-03-08T20:41:25.433Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  updated_at!: string;

  static from(this: void, t: EventType): EventTypeDto {
    return {
      name: t.name,
      description: t.description,
      schema: t.schema,
      example: t.example,
      deprecated: t.deprecated,
      created_at: t.createdAt.toISOString(),
      updated_at: t.updatedAt.toISOString(),
    };
  }
}

export class EventTypeListDto extends ListPageDto {
  event_types!: EventTypeDto[];
}
