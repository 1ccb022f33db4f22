import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { WebhookRepository } from '@app/domain';
import { ApiEndpoint } from '../common/api-responses';
import { ApiError } from '../common/api-error';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ListWebhooksQueryDto } from './dto/list-webhooks-query.dto';
import { WebhookRequestDto } from './dto/webhook-request.dto';
import { WebhookDto, WebhookListDto } from './dto/webhook.dto';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookRepository) {}

  @Post()
  @ApiEndpoint({
    operationId: 'createWebhook',
    summary: 'Register a webhook',
    status: 201,
    type: WebhookDto,
    errors: [400, 415],
  })
  async create(@Body() body: WebhookRequestDto): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.create(body.toInput()));
  }

  @Get()
  @ApiEndpoint({
    operationId: 'listWebhooks',
    summary: 'List webhooks by name',
    status: 200,
    type: WebhookListDto,
    errors: [400],
  })
  async list(@Query() query: ListWebhooksQueryDto): Promise<WebhookListDto> {
    const filter = query.toFilter();
    const webhooks = await this.webhooks.list(filter);
    return { webhooks: webhooks.map(WebhookDto.from), limit: filter.limit, offset: filter.offset };
  }

  @Get(':id')
  @ApiEndpoint({
    operationId: 'getWebhook',
    summary: 'Get a webhook',
    status: 200,
    type: WebhookDto,
    errors: [404],
  })
  async get(@Param('id', ParseIdPipe) id: string): Promise<WebhookDto> {
    const webhook = await this.webhooks.findById(id);
    if (!webhook) throw new ApiError('webhookNotFound');
    return WebhookDto.from(webhook);
  }

  @Put(':id')
  @ApiEndpoint({
    operationId: 'updateWebhook',
    summary: 'Replace a webhook (omitted optional fields take their defaults)',
    status: 200,
    type: WebhookDto,
    errors: [400, 404, 415],
  })
  async replace(
    @Param('id', ParseIdPipe) id: string,
    @Body() body: WebhookRequestDto,
  ): Promise<WebhookDto> {
    const webhook = await this.webhooks.replace(id, body.toInput());
    if (!webhook) throw new ApiError('webhookNotFound');
    return WebhookDto.from(webhook);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook with its deliveries and attempts',
    status: 204,
    errors: [404],
  })
  async delete(@Param('id', ParseIdPipe) id: string): Promise<void> {
    if (!(await this.webhooks.delete(id))) throw new ApiError('webhookNotFound');
  }
}
