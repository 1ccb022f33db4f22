import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DeliveriesService, type Scope, type UnitOfWork } from '@app/domain';
import { RequestScope } from '../access/request-scope';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { Idempotent, Transaction } from '../idempotency/idempotency.interceptor';
import { jsonList } from '../lists/json-list';
import { ParseIdPipe } from '../validation/parse-id.pipe';
import { BulkRedeliverRequestDto, BulkRedeliverResultDto } from './dto/bulk-redeliver.dto';
import { DeliveryRequestDto, RedeliverRequestDto } from './dto/delivery-request.dto';
import { DeliveryDto, DeliveryListDto } from './dto/delivery.dto';
import { ListDeliveriesQueryDto } from './dto/list-deliveries-query.dto';

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Post()
  @Idempotent()
  @ApiEndpoint({
    operationId: 'createDelivery',
    summary: 'Create a delivery (sent at once, or at scheduled_at)',
    status: 201,
    type: DeliveryDto,
    errors: [400, 404, 409, 413, 415, 422],
  })
  async create(
    @Body() body: DeliveryRequestDto,
    @Transaction() uow?: UnitOfWork,
  ): Promise<DeliveryDto> {
    return DeliveryDto.from(await this.deliveries.create(body.toInput(), uow));
  }

  @Post('redeliver')
  @HttpCode(202)
  @Idempotent()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'redeliverDeliveries',
    summary:
      'Send again every delivery a filter matches (default: every failed one), as new pending deliveries; dry_run counts them (200)',
    status: 202,
    type: BulkRedeliverResultDto,
    errors: [400, 409, 415, 422],
  })
  @ApiResponse({
    status: 200,
    description: 'A dry run: the count, nothing created.',
    type: BulkRedeliverResultDto,
  })
  async redeliverMatching(
    @RequestScope() scope: Scope,
    @Body() body: BulkRedeliverRequestDto,
    @Res({ passthrough: true }) res: Response,
    @Transaction() uow?: UnitOfWork,
  ): Promise<BulkRedeliverResultDto> {
    const dryRun = body.dry_run === true;
    const count = await this.deliveries.redeliverMatching(scope, body.toFilter(), dryRun, uow);
    if (dryRun) res.status(200);
    return { count };
  }

  @Get()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'listDeliveries',
    summary: 'List deliveries, newest first',
    status: 200,
    type: DeliveryListDto,
    errors: [400],
  })
  async list(
    @RequestScope() scope: Scope,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<StreamableFile | Record<string, unknown>> {
    const filter = query.toFilter();
    const page = await this.deliveries.page(scope, filter);
    return jsonList('deliveries', page, DeliveryDto.from, filter);
  }

  @Get(':id')
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'getDelivery',
    summary: 'Get a delivery',
    status: 200,
    type: DeliveryDto,
    errors: [404],
  })
  async get(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<DeliveryDto> {
    return DeliveryDto.from(await this.deliveries.get(scope, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    operationId: 'deleteDelivery',
    summary: 'Delete a delivery with its attempts',
    status: 204,
    errors: [404],
  })
  async delete(@Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.deliveries.delete(id);
  }

  @Post(':id/redeliver')
  @Idempotent()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'redeliverDelivery',
    summary: 'Send a delivery again, as a new pending delivery with the same payload',
    status: 201,
    type: DeliveryDto,
    errors: [400, 404, 409, 415, 422],
  })
  @ApiBody({ type: RedeliverRequestDto, required: false })
  async redeliver(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
    // Takes no fields: a body with any (such as a delivery's payload) is refused.
    @Body() _body: RedeliverRequestDto,
    @Transaction() uow?: UnitOfWork,
  ): Promise<DeliveryDto> {
    return DeliveryDto.from(await this.deliveries.redeliver(scope, id, uow));
  }
}
