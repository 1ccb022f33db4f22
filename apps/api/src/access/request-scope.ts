import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { PLATFORM_SCOPE, tenantScope, type Scope } from '@app/domain';

const SCOPE = Symbol('postmand.scope');
const SESSION = Symbol('postmand.portal-session');
type WithScope = { [SCOPE]?: Scope; [SESSION]?: PortalSession };

/** A request's portal session (§12): whose it is, and whether it may only read. */
export interface PortalSession {
  tenantId: string;
  readOnly: boolean;
  expiresAt: Date;
}

/**
 * Whose data the request may see: a portal session's tenant (§12), set when the request
 * is authenticated with a `pmp_` token, or else the platform's (no token with
 * POSTMAND_AUTH=none, or an API key).
 */
export function scopeOf(req: Request): Scope {
  return (req as Request & WithScope)[SCOPE] ?? PLATFORM_SCOPE;
}

/** Limits the request to `scope` (set once, by authentication). */
export function setScope(req: Request, scope: Scope): void {
  (req as Request & WithScope)[SCOPE] = scope;
}

/** The portal session a request was authenticated with; undefined for the platform's. */
export function sessionOf(req: Request): PortalSession | undefined {
  return (req as Request & WithScope)[SESSION];
}

/** Makes the request one of `session`: limited to its tenant's scope (set once, by authentication). */
export function setSession(req: Request, session: PortalSession): void {
  (req as Request & WithScope)[SESSION] = session;
  setScope(req, tenantScope(session.tenantId));
}

/** A handler's parameter: the request's scope (see scopeOf). */
export const RequestScope = createParamDecorator((_: unknown, context: ExecutionContext): Scope =>
  scopeOf(context.switchToHttp().getRequest()),
);
