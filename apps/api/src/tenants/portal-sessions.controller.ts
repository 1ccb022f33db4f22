import { Body, Controller, Delete, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { PortalSessionsService, TENANT_ID_PATTERN } from '@app/domain';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { PortalMetrics } from '../access/portal-metrics';
import { ApiEndpoint } from '../openapi/api-responses';
import { TenantIdPipe } from '../validation/tenant-id.pipe';
import { PortalSessionDto, PortalSessionRequestDto } from './dto/portal-session.dto';

const TenantIdParam = (): MethodDecorator =>
  ApiParam({
    name: 'tenant_id',
    description: 'The platform’s id for the tenant: 1–64 characters of [A-Za-z0-9_.-].',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: TENANT_ID_PATTERN },
  });

/**
 * Portal sessions (§12): the platform hands one of its tenants a token that acts for that
 * tenant alone. Creating and revoking them are the platform's writes (a session may do
 * neither: no @PortalAccess). Creating one takes no Idempotency-Key: a replay would hand
 * out a token again, which the database no longer holds.
 */
@ApiTags('tenants')
@Controller('v1/tenants/:tenant_id/portal-sessions')
export class PortalSessionsController {
  constructor(
    private readonly sessions: PortalSessionsService,
    private readonly metrics: PortalMetrics,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  @Post()
  @TenantIdParam()
  @ApiEndpoint({
    operationId: 'createPortalSession',
    summary:
      'Open a portal session for the tenant: a pmp_ token (shown once) acting for that tenant alone, and the portal URL',
    status: 201,
    type: PortalSessionDto,
    errors: [400, 404, 415],
  })
  async create(
    @Param('tenant_id', TenantIdPipe) tenantId: string,
    @Body() body: PortalSessionRequestDto,
    @Req() req: Request,
  ): Promise<PortalSessionDto> {
    const session = await this.sessions.create(tenantId, {
      readOnly: body.read_only,
      expiresIn: body.expires_in,
    });
    this.metrics.created.inc();
    return PortalSessionDto.from(session, this.publicBase(req));
  }

  @Delete()
  @HttpCode(204)
  @TenantIdParam()
  @ApiEndpoint({
    operationId: 'revokePortalSessions',
    summary: 'Revoke every portal session of the tenant (refused by every API process at once)',
    status: 204,
    errors: [400, 404],
  })
  async revoke(@Param('tenant_id', TenantIdPipe) tenantId: string): Promise<void> {
    await this.sessions.revokeAll(tenantId);
    this.metrics.revoked.inc();
  }

  /** POSTMAND_PUBLIC_URL (an origin) when set, else the request's own scheme and Host. */
  private publicBase(req: Request): string {
    return this.config.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
  }
}
