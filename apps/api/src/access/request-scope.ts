import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { PLATFORM_SCOPE, type Scope } from '@app/domain';

const SCOPE = Symbol('postmand.scope');
type WithScope = { [SCOPE]?: Scope };

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

/** A handler's parameter: the request's scope (see scopeOf). */
export const RequestScope = createParamDecorator((_: unknown, context: ExecutionContext): Scope =>
  scopeOf(context.switchToHttp().getRequest()),
);
