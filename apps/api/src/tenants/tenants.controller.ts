import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TENANT_ID_PATTERN, TenantsService } from '@app/domain';
import { PortalAccess } from '../access/portal-access';
import { ApiEndpoint } from '../openapi/api-responses';
import { TenantIdPipe } from '../validation/tenant-id.pipe';
import { ListTenantsQueryDto } from './dto/list-tenants-query.dto';
import { TenantRequestDto } from './dto/tenant-request.dto';
import { TenantDto, TenantListDto } from './dto/tenant.dto';

/** The path's tenant id, for the OpenAPI document: the platform's own id, not a UUID. */
const TenantIdParam = (): MethodDecorator =>
  ApiParam({
    name: 'tenant_id',
    description: 'The platform’s id for the tenant: 1–64 characters of [A-Za-z0-9_.-].',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: TENANT_ID_PATTERN },
  });

// PUT takes no Idempotency-Key, as a webhook's PUT does not (§6 is for creates by POST):
// sent again, it does the same again.
@ApiTags('tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Put(':tenant_id')
  @TenantIdParam()
  @ApiEndpoint({
    operationId: 'putTenant',
    summary:
      'Create a tenant (201) or replace it (200; omitted fields take their defaults, created_at is kept)',
    status: 200,
    type: TenantDto,
    errors: [400, 415],
  })
  @ApiResponse({ status: 201, description: 'Tenant (created).', type: TenantDto })
  async put(
    @Param('tenant_id', TenantIdPipe) id: string,
    @Body() body: TenantRequestDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TenantDto> {
    const { tenant, created } = await this.tenants.put(id, body.toDraft());
    if (created) res.status(201);
    return TenantDto.from(tenant);
  }

  @Get()
  @ApiEndpoint({
    operationId: 'listTenants',
    summary: 'List tenants by id',
    status: 200,
    type: TenantListDto,
    errors: [400],
  })
  async list(@Query() query: ListTenantsQueryDto): Promise<TenantListDto> {
    const filter = query.toFilter();
    const { rows, nextCursor } = await this.tenants.list(filter);
    return {
      tenants: rows.map(TenantDto.from),
      limit: filter.limit,
      offset: filter.offset,
      next_cursor: nextCursor,
    };
  }

  @Get(':tenant_id')
  @TenantIdParam()
  @PortalAccess('own-tenant')
  @ApiEndpoint({
    operationId: 'getTenant',
    summary: 'Get a tenant',
    status: 200,
    type: TenantDto,
    errors: [400, 404],
  })
  async get(@Param('tenant_id', TenantIdPipe) id: string): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.get(id));
  }

  @Delete(':tenant_id')
  @HttpCode(204)
  @TenantIdParam()
  @ApiEndpoint({
    operationId: 'deleteTenant',
    summary: 'Delete a tenant with its webhooks (their deliveries and attempts) and its events',
    status: 204,
    errors: [400, 404],
  })
  async delete(@Param('tenant_id', TenantIdPipe) id: string): Promise<void> {
    await this.tenants.delete(id);
  }
}
