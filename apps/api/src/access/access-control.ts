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
import { ApiKeyAuthenticator, scopeAllows, type Principal } from '@app/domain';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { ApiError } from '../errors/api-error';

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
 * Authenticates `/v1` requests before anything else reads them: a request without a valid
 * key gets its 401 before its body is parsed, and whatever its path (a 404 or a 405 would
 * tell a stranger which routes exist).
 */
@Injectable()
export class AuthenticationMiddleware implements NestMiddleware {
  constructor(private readonly access: AccessControl) {}

  use(req: Request, res: Response, next: NextFunction): void {
    // originalUrl: where Nest mounts middleware, `req.path` is relative to the mount.
    if (!this.access.enabled || !API_PATH.test(req.originalUrl)) return next();
    this.access.authenticate(req, res).then(() => next(), next);
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
