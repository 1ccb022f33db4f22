import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EventTypesService, WebhooksService, type Scope, type UnitOfWork } from '@app/domain';
import { RequestScope } from '../access/request-scope';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { Idempotent, Transaction } from '../idempotency/idempotency.interceptor';
import { DeliveryDto } from '../deliveries/dto/delivery.dto';
import { TestWebhookRequestDto } from '../event-types/dto/test-webhook-request.dto';
import { ParseIdPipe } from '../validation/parse-id.pipe';
import { ListWebhooksQueryDto } from './dto/list-webhooks-query.dto';
import { RotateSecretRequestDto } from './dto/rotate-secret.dto';
import { WebhookRequestDto } from './dto/webhook-request.dto';
import { WebhookDto, WebhookListDto } from './dto/webhook.dto';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly eventTypes: EventTypesService,
  ) {}

  @Post()
  @Idempotent()
  @PortalAccess('tenant-create')
  @ApiEndpoint({
    operationId: 'createWebhook',
    summary: 'Register a webhook',
    status: 201,
    type: WebhookDto,
    errors: [400, 404, 409, 415, 422],
  })
  async create(
    @Body() body: WebhookRequestDto,
    @Transaction() uow?: UnitOfWork,
  ): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.create(body.toDraft(), uow));
  }

  @Get()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'listWebhooks',
    summary: 'List webhooks by name',
    status: 200,
    type: WebhookListDto,
    errors: [400],
  })
  async list(
    @RequestScope() scope: Scope,
    @Query() query: ListWebhooksQueryDto,
  ): Promise<WebhookListDto> {
    const filter = query.toFilter();
    const { rows, nextCursor } = await this.webhooks.list(scope, filter);
    return {
      webhooks: rows.map(WebhookDto.from),
      limit: filter.limit,
      offset: filter.offset,
      next_cursor: nextCursor,
    };
  }

  @Get(':id')
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'getWebhook',
    summary: 'Get a webhook',
    status: 200,
    type: WebhookDto,
    errors: [404],
  })
  async get(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.get(scope, id));
  }

  @Put(':id')
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'updateWebhook',
    summary: 'Replace a webhook (omitted optional fields take their defaults)',
    status: 200,
    type: WebhookDto,
    errors: [400, 404, 415],
  })
  async replace(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: WebhookRequestDto,
  ): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.replace(scope, id, body.toDraft()));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'rotateWebhookSecret',
    summary:
      'Replace the signing secret; the old one keeps signing beside it (webhook-signature) for grace_period seconds',
    status: 200,
    type: WebhookDto,
    errors: [400, 404, 415],
  })
  async rotateSecret(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: RotateSecretRequestDto,
  ): Promise<WebhookDto> {
    return WebhookDto.from(
      await this.webhooks.rotateSecret(scope, id, {
        secretToken: body.secret_token,
        gracePeriod: body.grace_period,
      }),
    );
  }

  // No Idempotency-Key: a test is not a create to replay (sent again, it sends again), and
  // its reads run outside any transaction, so it never holds a connection while waiting
  // for another.
  @Post(':id/test')
  @HttpCode(202)
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'testWebhook',
    summary:
      "Send an event type's example to this webhook alone: one delivery with event_type set and no event",
    status: 202,
    type: DeliveryDto,
    errors: [400, 404, 415],
  })
  async test(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: TestWebhookRequestDto,
  ): Promise<DeliveryDto> {
    return DeliveryDto.from(await this.eventTypes.sendTest(scope, id, body.event_type));
  }

  @Delete(':id')
  @HttpCode(204)
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook with its deliveries and attempts',
    status: 204,
    errors: [404],
  })
  async delete(@RequestScope() scope: Scope, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.webhooks.delete(scope, id);
  }
}
