import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-errors';
import { tenantScope, type Scope, type TenantScope } from '../tenant/scope';
import {
  PortalSessionRepository,
  type CreatedPortalSession,
  type ListedPortalSession,
} from './portal-session.repository';
import {
  generatePortalToken,
  hashPortalToken,
  isWellFormedPortalToken,
  PORTAL_SESSION_LIMITS,
} from './portal-session.rules';

/** A new session: its token (shown once, never stored) and what it allows. */
export interface NewPortalSession extends CreatedPortalSession {
  token: string;
}

/** What a presented `pmp_` token is: a live session's scope, or why it is refused. */
export type PortalAuthentication =
  | { outcome: 'ok'; scope: TenantScope; readOnly: boolean; expiresAt: Date }
  | { outcome: 'unknown' | 'expired' };

/**
 * Portal sessions (§12): access for one tenant, by a bearer token of which only the
 * SHA-256 is kept. Revocation deletes the rows; every request reads its session, so no
 * API process keeps honouring a revoked one.
 */
@Injectable()
export class PortalSessionsService {
  constructor(private readonly sessions: PortalSessionRepository) {}

  async create(
    tenantId: string,
    options: { readOnly?: boolean; expiresIn?: number } = {},
  ): Promise<NewPortalSession> {
    const token = generatePortalToken();
    const created = await this.sessions.create(
      tenantId,
      hashPortalToken(token),
      options.readOnly ?? false,
      options.expiresIn ?? PORTAL_SESSION_LIMITS.expiresIn.default,
    );
    if (!created) throw new NotFoundError('tenant');
    return { token, ...created };
  }

  /** Refuses every session of the tenant from now on. */
  async revokeAll(tenantId: string): Promise<void> {
    if (!(await this.sessions.revokeAll(tenantId))) throw new NotFoundError('tenant');
  }

  /** The tenant's live sessions, newest first: at most PORTAL_SESSION_LIMITS.listed. */
  async listLive(scope: Scope, tenantId: string): Promise<ListedPortalSession[]> {
    const listed = await this.sessions.listLive(scope, tenantId, PORTAL_SESSION_LIMITS.listed);
    if (!listed) throw new NotFoundError('tenant');
    return listed;
  }

  /**
   * Refuses one live session of the tenant from now on; an unknown, expired or another
   * tenant's session is not found.
   */
  async revoke(scope: Scope, tenantId: string, sessionId: string): Promise<void> {
    const outcome = await this.sessions.revokeOne(scope, tenantId, sessionId);
    if (outcome === 'no-tenant') throw new NotFoundError('tenant');
    if (outcome === 'no-session') throw new NotFoundError('portal session');
  }

  /**
   * The session a `pmp_` token opens. A malformed token is unknown without a query; an
   * expired one is removed as it is refused.
   */
  async authenticate(token: string): Promise<PortalAuthentication> {
    if (!isWellFormedPortalToken(token)) return { outcome: 'unknown' };
    const hash = hashPortalToken(token);
    const found = await this.sessions.findByHash(hash);
    if (!found) return { outcome: 'unknown' };
    if (!found.live) {
      await this.sessions.deleteExpired(hash);
      return { outcome: 'expired' };
    }
    return {
      outcome: 'ok',
      scope: tenantScope(found.tenantId),
      readOnly: found.readOnly,
      expiresAt: found.expiresAt,
    };
  }
}
