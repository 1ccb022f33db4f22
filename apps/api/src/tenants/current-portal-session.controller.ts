import { Controller, Get, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { TenantsService } from '@app/domain';
import { PortalAccess } from '../access/portal-access';
import { sessionOf } from '../access/request-scope';
import { ApiError } from '../errors/api-error';
import { ApiEndpoint } from '../openapi/api-responses';
import { CurrentPortalSessionDto } from './dto/current-portal-session.dto';

/**
 * The session a request is made with (§13): what the portal needs to know of itself (its
 * tenant, whose name it shows, and whether it may write), from its token alone.
 */
@ApiTags('tenants')
@Controller('v1/portal/session')
export class CurrentPortalSessionController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @PortalAccess('tenant')
  @ApiEndpoint({
    operationId: 'getCurrentPortalSession',
    summary:
      'The portal session this request is made with: its tenant, whether it only reads, when it ends (403 code 15 without one)',
    status: 200,
    type: CurrentPortalSessionDto,
    errors: [403],
  })
  async get(@Req() req: Request): Promise<CurrentPortalSessionDto> {
    const session = sessionOf(req);
    if (!session) {
      throw new ApiError('forbidden', 'only a portal session has a session: send its pmp_ token');
    }
    const tenant = await this.tenants.get(session.tenantId);
    return {
      tenant_id: tenant.id,
      tenant_name: tenant.name,
      read_only: session.readOnly,
      expires_at: session.expiresAt.toISOString(),
    };
  }
}
