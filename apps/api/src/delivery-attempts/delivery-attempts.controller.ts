import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeliveryAttemptsService, type Scope } from '@app/domain';
import { RequestScope } from '../access/request-scope';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { jsonList } from '../lists/json-list';
import { ParseIdPipe } from '../validation/parse-id.pipe';
import { DeliveryAttemptDto, DeliveryAttemptListDto } from './dto/delivery-attempt.dto';
import { ListDeliveryAttemptsQueryDto } from './dto/list-delivery-attempts-query.dto';

@ApiTags('delivery-attempts')
@Controller('v1/delivery-attempts')
export class DeliveryAttemptsController {
  constructor(private readonly attempts: DeliveryAttemptsService) {}

  @Get()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'listDeliveryAttempts',
    summary: 'List delivery attempts, newest first',
    status: 200,
    type: DeliveryAttemptListDto,
    errors: [400],
  })
  async list(
    @RequestScope() scope: Scope,
    @Query() query: ListDeliveryAttemptsQueryDto,
  ): Promise<StreamableFile | Record<string, unknown>> {
    const filter = query.toFilter();
    const page = await this.attempts.page(scope, filter);
    return jsonList('delivery_attempts', page, DeliveryAttemptDto.from, filter);
  }

  @Get(':id')
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'getDeliveryAttempt',
    summary: 'Get a delivery attempt',
    status: 200,
    type: DeliveryAttemptDto,
    errors: [404],
  })
  async get(
    @RequestScope() scope: Scope,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<DeliveryAttemptDto> {
    return DeliveryAttemptDto.from(await this.attempts.get(scope, id));
  }
}
