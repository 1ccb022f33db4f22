import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeliveryStatsService, type Scope } from '@app/domain';
import { RequestScope } from '../access/request-scope';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { StatsDto, WebhookSuccessDto, WebhookSuccessListDto } from './dto/stats.dto';
import { StatsQueryDto, WebhookSuccessQueryDto } from './dto/stats-query.dto';

/** Small JSON figures for the dashboard's charts and lists, from the shared tables. */
@ApiTags('stats')
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: DeliveryStatsService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'getStats',
    summary:
      'Live figures: attempts per second and their duration percentiles over the last minute, the due backlog, open circuits',
    status: 200,
    type: StatsDto,
    errors: [],
  })
  async get(@Query() _query: StatsQueryDto): Promise<StatsDto> {
    return StatsDto.from(await this.stats.current());
  }

  @Get('webhooks')
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'getWebhookSuccessRates',
    summary: 'Each webhook’s success rate over its most recent 100 attempts',
    status: 200,
    type: WebhookSuccessListDto,
    errors: [400, 404],
  })
  async webhooks(
    @RequestScope() scope: Scope,
    @Query() query: WebhookSuccessQueryDto,
  ): Promise<WebhookSuccessListDto> {
    const rates = await this.stats.successRates(scope, query.ids());
    return { webhooks: rates.map(WebhookSuccessDto.from) };
  }
}
