import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { isPortalToken, PORTAL_TOKEN_PREFIX, sessionAllows } from '@app/domain';
import { bearerOf } from './access-control';
import { ApiError } from '../errors/api-error';
import { PORTAL_ACCESS, type PortalAccessKind } from './portal-access';
import { sessionOf, type PortalSession } from './request-scope';

/**
 * The table of what a portal session may do (§12), as a guard over every route: a route
 * declares its kind with @PortalAccess, and one that declares none is forbidden to
 * sessions. A read-only session only reads. Requests of the platform (no session) pass.
 */
@Injectable()
export class PortalAccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const session = sessionOf(req);
    if (!session) {
      // Authentication sets the session of every request with a portal token; one that
      // reached a route without it (a path the middleware did not recognise) is refused,
      // never served as the platform's.
      if (carriesPortalToken(req)) {
        context
          .switchToHttp()
          .getResponse<Response>()
          .setHeader('WWW-Authenticate', 'Bearer realm="postmand", error="invalid_token"');
        throw new ApiError('unauthorized', 'the portal session is not valid for this request');
      }
      return true;
    }
    const kind = this.reflector.get<PortalAccessKind | undefined>(
      PORTAL_ACCESS,
      context.getHandler(),
    );
    if (kind === undefined) {
      throw new ApiError('forbidden', 'a portal session may not use this operation');
    }
    if (!sessionAllows(session.readOnly, req.method)) {
      throw new ApiError('forbidden', `a read-only portal session may not ${req.method}`);
    }
    checkTenantFilter(req, session);
    switch (kind) {
      case 'tenant':
      case 'public':
        return true;
      case 'tenant-create':
        ownTenantBody(req, session);
        return true;
      case 'own-tenant':
        if (req.params.tenant_id !== session.tenantId) throw new ApiError('tenantNotFound');
        return true;
    }
  }
}

/**
 * Whether the request presents a portal token: as its bearer credential, or (when the
 * header is not "Bearer <token>") anywhere in it, as the authentication middleware
 * judges. An API key whose random part happens to hold "pmp_" is not one.
 */
function carriesPortalToken(req: Request): boolean {
  const token = bearerOf(req);
  if (token !== undefined) return isPortalToken(token);
  return req.headers.authorization?.includes(PORTAL_TOKEN_PREFIX) ?? false;
}

/** A list's `tenant_id` filter may name the session's tenant only (§12). */
function checkTenantFilter(req: Request, session: PortalSession): void {
  const filter = (req.query as Record<string, unknown> | undefined)?.tenant_id;
  if (filter !== undefined && filter !== session.tenantId) {
    throw new ApiError('forbidden', 'a portal session lists only its own tenant’s items');
  }
}

/**
 * A session's create is its tenant's: `tenant_id` left out or the session's; another,
 * or null (the platform's own), is a 403 code 15. The body then names the session's tenant, so what is created
 * is the tenant's whatever the client sent.
 */
function ownTenantBody(req: Request, session: PortalSession): void {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const record = body as Record<string, unknown>;
  const given = record.tenant_id;
  if (given !== undefined && given !== session.tenantId) {
    throw new ApiError('forbidden', 'a portal session creates webhooks of its own tenant only');
  }
  record.tenant_id = session.tenantId;
}
