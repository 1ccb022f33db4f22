import { Body, Controller, Get, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EventsService, type Scope, type UnitOfWork } from '@app/domain';
import { RequestScope } from '../access/request-scope';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { Idempotent, Transaction } from '../idempotency/idempotency.interceptor';
import { jsonList } from '../lists/json-list';
import { ParseIdPipe } from '../validation/parse-id.pipe';
import { EventRequestDto } from './dto/event-request.dto';
import { EventDto, EventListDto } from './dto/event.dto';
import { ListEventsQueryDto } from './dto/list-events-query.dto';

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @Idempotent()
  @ApiEndpoint({
    operationId: 'createEvent',
    summary: 'Publish an event: one delivery for every webhook subscribed to its type',
    status: 201,
    type: EventDto,
    errors: [400, 404, 409, 413, 415, 422],
  })
  async create(@Body() body: EventRequestDto, @Transaction() uow?: UnitOfWork): Promise<EventDto> {
    return EventDto.from(await this.events.publish(body.toInput(), uow));
  }

  @Get()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'listEvents',
    summary: 'List events, newest first',
    status: 200,
    type: EventListDto,
    errors: [400],
  })
  async list(
    @RequestScope() scope: Scope,
    @Query() query: ListEventsQueryDto,
  ): Promise<StreamableFile | Record<string, unknown>> {
    const filter = query.toFilter();
    return jsonList('events', await this.events.page(scope, filter), EventDto.from, filter);
  }

  @Get(':id')
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'getEvent',
    summary: 'Get an event',
    status: 200,
    type: EventDto,
    errors: [404],
  })
  async get(@RequestScope() scope: Scope, @Param('id', ParseIdPipe) id: string): Promise<EventDto> {
    return EventDto.from(await this.events.get(scope, id));
  }
}
