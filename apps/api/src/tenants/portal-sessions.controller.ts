import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  PORTAL_SESSION_LIMITS,
  PortalSessionsService,
  TENANT_ID_PATTERN,
  type Scope,
} from '@app/domain';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { PortalMetrics } from '../access/portal-metrics';
import { RequestScope } from '../access/request-scope';
import { ApiEndpoint } from '../openapi/api-responses';
import { ParseIdPipe } from '../validation/parse-id.pipe';
import { TenantIdPipe } from '../validation/tenant-id.pipe';
import {
  ListedPortalSessionDto,
  PortalSessionDto,
  PortalSessionListDto,
  PortalSessionRequestDto,
} from './dto/portal-session.dto';

const TenantIdParam = (): MethodDecorator =>
  ApiParam({
    name: 'tenant_id',
    description: 'The platform’s id for the tenant: 1–64 characters of [A-Za-z0-9_.-].',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: TENANT_ID_PATTERN },
  });

/**
 * Portal sessions (§12): the platform hands one of its tenants a token that acts for that
 * tenant alone. Listing, creating and revoking them are the platform's (a session may do
 * none of them: no @PortalAccess). Creating one takes no Idempotency-Key: a replay would hand
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

  @Get()
  @TenantIdParam()
  @ApiEndpoint({
    operationId: 'listPortalSessions',
    summary: `List the tenant’s live portal sessions, newest first (at most the ${PORTAL_SESSION_LIMITS.listed} newest; never a token)`,
    status: 200,
    type: PortalSessionListDto,
    errors: [400, 404],
  })
  async list(
    @RequestScope() scope: Scope,
    @Param('tenant_id', TenantIdPipe) tenantId: string,
  ): Promise<PortalSessionListDto> {
    const listed = await this.sessions.listLive(scope, tenantId);
    return { portal_sessions: listed.map(ListedPortalSessionDto.from) };
  }

  @Delete(':session_id')
  @HttpCode(204)
  @TenantIdParam()
  @ApiParam({
    name: 'session_id',
    description: 'A live session’s id, as listed by listPortalSessions.',
    schema: { type: 'string', format: 'uuid' },
  })
  @ApiEndpoint({
    operationId: 'revokePortalSession',
    summary:
      'Revoke one portal session of the tenant (an unknown, expired or another tenant’s session is a 404 code 20)',
    status: 204,
    errors: [400, 404],
  })
  async revokeOne(
    @RequestScope() scope: Scope,
    @Param('tenant_id', TenantIdPipe) tenantId: string,
    @Param('session_id', ParseIdPipe) sessionId: string,
  ): Promise<void> {
    await this.sessions.revoke(scope, tenantId, sessionId);
    this.metrics.revoked.inc();
  }

  /** POSTMAND_PUBLIC_URL (an origin) when set, else the request's own scheme and Host. */
  private publicBase(req: Request): string {
    return this.config.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
  }
}
