import { ApiProperty } from '@nestjs/swagger';
import { TENANT_ID_PATTERN } from '@app/domain';

/** `GET /v1/portal/session`: the session a request is made with, as the portal shows it. */
export class CurrentPortalSessionDto {
  @ApiProperty({ pattern: TENANT_ID_PATTERN })
  tenant_id!: string;

  /** The tenant's name, as the platform set it. */
  tenant_name!: string;

  /** The session only reads (GET and HEAD): the portal shows no control that writes. */
  read_only!: boolean;

  @ApiProperty({ type: 'string', format: 'date-time' })
  expires_at!: string;
}
