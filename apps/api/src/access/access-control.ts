import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type NestMiddleware,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import {
  ApiKeyAuthenticator,
  isPortalToken,
  PORTAL_TOKEN_PREFIX,
  PortalSessionsService,
  scopeAllows,
  type Principal,
} from '@app/domain';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { ApiError } from '../errors/api-error';
import { PortalMetrics } from './portal-metrics';
import { sessionOf, setSession } from './request-scope';

const PRINCIPAL = Symbol('postmand.principal');
type WithPrincipal = { [PRINCIPAL]?: Principal };

/** The API key a request was authenticated with; undefined with POSTMAND_AUTH=none. */
export function principalOf(req: Request): Principal | undefined {
  return (req as Request & WithPrincipal)[PRINCIPAL];
}

/** The API's own paths (Express matches paths without regard to case). */
const API_PATH = /^\/v1(?:[/?#]|$)/i;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const REALM = 'Bearer realm="postmand"';

/**
 * POSTMAND_AUTH=api_key (§9): who a `/v1` request is, from `Authorization: Bearer pmk_…`.
 * Missing, malformed or unknown: 401 code 14 with `WWW-Authenticate` (RFC 6750). Error
 * details never repeat what was sent.
 */
@Injectable()
export class AccessControl implements OnModuleInit, OnApplicationShutdown {
  readonly enabled: boolean;

  constructor(
    @Inject(POSTMAND_CONFIG) config: PostmandConfig,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {
    this.enabled = config.auth === 'api_key';
  }

  async onModuleInit(): Promise<void> {
    if (this.enabled) await this.authenticator.start();
  }

  onApplicationShutdown(): void {
    this.authenticator.stop();
  }

  /** Authenticates the request once (later calls return the same principal). */
  async authenticate(req: Request, res: Response): Promise<Principal> {
    const known = principalOf(req);
    if (known) return known;
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') {
      res.setHeader('WWW-Authenticate', REALM);
      throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    }
    const key = BEARER.exec(header)?.[1];
    const principal = key === undefined ? undefined : await this.authenticator.authenticate(key);
    if (!principal) {
      res.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      throw new ApiError(
        'unauthorized',
        key === undefined
          ? 'the Authorization header must be "Bearer <key>"'
          : 'the API key is not valid (unknown, mistyped or revoked)',
      );
    }
    (req as Request & WithPrincipal)[PRINCIPAL] = principal;
    return principal;
  }
}

/**
 * The request's path. originalUrl, since where Nest mounts middleware `req.path` is
 * relative to the mount; and its path when the request line is in absolute form
 * (`GET http://host/v1/webhooks`), which Express routes by that path: a test of the
 * line itself would let such a request skip authentication.
 */
export function pathOf(req: Request): string {
  const url = req.originalUrl;
  if (url.startsWith('/')) return url;
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The bearer credential of `Authorization`, if it is one; undefined otherwise. */
export function bearerOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * Authenticates `/v1` requests before anything else reads them: a request without a valid
 * key gets its 401 before its body is parsed, and whatever its path (a 404 or a 405 would
 * tell a stranger which routes exist). A `pmp_` bearer token is a portal session (§12)
 * whatever POSTMAND_AUTH is: the request then acts for its tenant alone, and a token that
 * opens no live session is a 401 in both modes, never open access. The session is read
 * from the database on every request (one probe of a unique index), so a revocation holds
 * on every API process at once.
 */
@Injectable()
export class AuthenticationMiddleware implements NestMiddleware {
  constructor(
    private readonly access: AccessControl,
    private readonly sessions: PortalSessionsService,
    private readonly metrics: PortalMetrics,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (!API_PATH.test(pathOf(req))) return next();
    const token = bearerOf(req);
    if (token !== undefined && isPortalToken(token)) {
      this.session(req, res, token).then(() => next(), next);
      return;
    }
    // A portal token in a header that is not "Bearer <token>" is refused as well: with
    // POSTMAND_AUTH=none, letting it through would be open access for a session's holder.
    if (token === undefined && req.headers.authorization?.includes(PORTAL_TOKEN_PREFIX)) {
      this.metrics.request('unknown');
      res.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      return next(
        new ApiError('unauthorized', 'the Authorization header must be "Bearer <token>"'),
      );
    }
    if (!this.access.enabled) return next();
    this.access.authenticate(req, res).then(() => next(), next);
  }

  private async session(req: Request, res: Response, token: string): Promise<void> {
    const found = await this.sessions.authenticate(token);
    this.metrics.request(found.outcome);
    if (found.outcome !== 'ok') {
      res.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      throw new ApiError(
        'unauthorized',
        found.outcome === 'expired'
          ? 'the portal session has expired'
          : 'the portal session is not valid (unknown, mistyped or revoked)',
      );
    }
    setSession(req, {
      tenantId: found.scope.tenantId,
      readOnly: found.readOnly,
      expiresAt: found.expiresAt,
    });
  }
}

/**
 * The rule of every route (APP_GUARD): with access control on, an authenticated key, and
 * for anything but GET and HEAD (dry runs included) a `write` key: else 403 code 15.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly access: AccessControl) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.access.enabled) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    // A portal session is not a key: what it may do is PortalAccessGuard's.
    if (sessionOf(req)) return true;
    const principal = await this.access.authenticate(req, http.getResponse<Response>());
    if (!scopeAllows(principal.scope, req.method)) {
      throw new ApiError(
        'forbidden',
        `the API key "${principal.name}" has scope read; ${req.method} needs a key of scope write`,
      );
    }
    return true;
  }
}
