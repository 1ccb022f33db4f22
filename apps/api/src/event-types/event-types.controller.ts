import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventTypesService } from '@app/domain';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { EventTypeNamePipe } from '../validation/event-type-name.pipe';
import { EventTypeRequestDto } from './dto/event-type-request.dto';
import { EventTypeDto, EventTypeListDto } from './dto/event-type.dto';
import { ListEventTypesQueryDto } from './dto/list-event-types-query.dto';

/** The path's type name, for the OpenAPI document. */
const NameParam = (): MethodDecorator =>
  ApiParam({
    name: 'name',
    description: 'Dot-separated segments of letters, digits, `_` and `-`, at most 256 characters.',
    schema: { type: 'string', maxLength: 256, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' },
  });

/**
 * The event type catalogue (§14). Writing it is the platform's (a `write` key; portal
 * sessions never); reading it is open to sessions, since it holds nothing of a tenant.
 */
@ApiTags('event-types')
@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly types: EventTypesService) {}

  @Put(':name')
  @NameParam()
  @ApiEndpoint({
    operationId: 'putEventType',
    summary:
      'Create an event type (201) or replace it (200; omitted fields take their defaults, created_at is kept)',
    status: 200,
    type: EventTypeDto,
    errors: [400, 415],
  })
  @ApiResponse({ status: 201, description: 'EventType (created).', type: EventTypeDto })
  async put(
    @Param('name', EventTypeNamePipe) name: string,
    @Body() body: EventTypeRequestDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EventTypeDto> {
    const { type, created } = await this.types.put(name, body.toDraft());
    if (created) res.status(201);
    return EventTypeDto.from(type);
  }

  @Get()
  @PortalAccess('public')
  @ApiEndpoint({
    operationId: 'listEventTypes',
    summary: 'List event types by name',
    status: 200,
    type: EventTypeListDto,
    errors: [400],
  })
  async list(@Query() query: ListEventTypesQueryDto): Promise<EventTypeListDto> {
    const filter = query.toFilter();
    const { rows, nextCursor } = await this.types.list(filter);
    return {
      event_types: rows.map(EventTypeDto.from),
      limit: filter.limit,
      offset: filter.offset,
      next_cursor: nextCursor,
    };
  }

  @Get(':name')
  @NameParam()
  @PortalAccess('public')
  @ApiEndpoint({
    operationId: 'getEventType',
    summary: 'Get an event type',
    status: 200,
    type: EventTypeDto,
    errors: [400, 404],
  })
  async get(@Param('name', EventTypeNamePipe) name: string): Promise<EventTypeDto> {
    return EventTypeDto.from(await this.types.get(name));
  }

  @Delete(':name')
  @HttpCode(204)
  @NameParam()
  @ApiEndpoint({
    operationId: 'deleteEventType',
    summary: 'Delete an event type (events already published keep their type)',
    status: 204,
    errors: [400, 404],
  })
  async delete(@Param('name', EventTypeNamePipe) name: string): Promise<void> {
    await this.types.delete(name);
  }
}
