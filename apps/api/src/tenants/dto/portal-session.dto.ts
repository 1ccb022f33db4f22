import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  PORTAL_SESSION_LIMITS,
  TENANT_ID_PATTERN,
  type ListedPortalSession,
  type NewPortalSession,
} from '@app/domain';

const { expiresIn: EXPIRES_IN } = PORTAL_SESSION_LIMITS;
const EXPIRES_IN_PROBLEM = `must be an integer from ${EXPIRES_IN.min} to ${EXPIRES_IN.max}`;

/** `POST /v1/tenants/{tenant_id}/portal-sessions` (§12); no body, or `{}`, takes both defaults. */
export class PortalSessionRequestDto {
  /** A session that only reads (GET and HEAD). Default false. */
  @IsOptional()
  @ApiPropertyOptional({ type: 'boolean' })
  @IsBoolean({ message: 'must be true or false' })
  read_only?: boolean;

  /** Seconds the session lasts. Default 3600. */
  @IsOptional()
  // The default is told in words, not as `default`: openapi-typescript would type a field
  // with a default as required.
  @ApiPropertyOptional({ type: 'integer', minimum: EXPIRES_IN.min, maximum: EXPIRES_IN.max })
  @Min(EXPIRES_IN.min, { message: EXPIRES_IN_PROBLEM })
  @Max(EXPIRES_IN.max, { message: EXPIRES_IN_PROBLEM })
  @IsInt({ message: EXPIRES_IN_PROBLEM })
  expires_in?: number;
}

/** A new portal session: its token is shown here once and never again. */
export class PortalSessionDto {
  /** The session's id, as listed: `DELETE /v1/tenants/{tenant_id}/portal-sessions/{session_id}` revokes it alone. */
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /**
   * The session's bearer token (`Authorization: Bearer pmp_…`): `pmp_` + base64url of 32
   * random bytes. Only its SHA-256 is stored.
   */
  @ApiProperty({ pattern: '^pmp_[A-Za-z0-9_-]{43}$' })
  token!: string;

  /**
   * The customer portal opened with this session: `<base>/portal#token=<token>` (the token
   * rides in the fragment, which a browser never sends to a server).
   */
  @ApiProperty({ format: 'uri' })
  url!: string;

  @ApiProperty({ pattern: TENANT_ID_PATTERN })
  tenant_id!: string;

  read_only!: boolean;

  @ApiProperty({ type: 'string', format: 'date-time' })
  expires_at!: string;

  static from(session: NewPortalSession, base: string): PortalSessionDto {
    return {
      id: session.id,
      token: session.token,
      url: `${base}/portal#token=${session.token}`,
      tenant_id: session.tenantId,
      read_only: session.readOnly,
      expires_at: session.expiresAt.toISOString(),
    };
  }
}

/** A live portal session as listed (§12): what it allows and when; never its token. */
export class ListedPortalSessionDto {
  /** The session's id: `DELETE /v1/tenants/{tenant_id}/portal-sessions/{session_id}` revokes it. */
  @ApiProperty({ format: 'uuid' })
  id!: string;

  read_only!: boolean;

  @ApiProperty({ type: 'string', format: 'date-time' })
  expires_at!: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;

  static from(this: void, session: ListedPortalSession): ListedPortalSessionDto {
    return {
      id: session.id,
      read_only: session.readOnly,
      expires_at: session.expiresAt.toISOString(),
      created_at: session.createdAt.toISOString(),
    };
  }
}

/** The tenant's live sessions, newest first: at most its 1000 newest. */
export class PortalSessionListDto {
  portal_sessions!: ListedPortalSessionDto[];
}
