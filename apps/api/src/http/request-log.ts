import type { NextFunction, Request, Response } from 'express';
import type { Level, Logger } from 'pino';
import { requestId } from './http-hardening';

/** The API's pino logger (component "api"). */
export const API_LOGGER = Symbol('API_LOGGER');

/** The request's id (the caller's safe X-Request-Id or a new UUID), set by `requestLog`. */
export function idOf(req: Request): string | undefined {
  return (req as Request & { id?: string }).id;
}

function levelOf(status: number): Level {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/**
 * A URL as logged: a portal token or API key someone put in it (a query string, a path)
 * written as its prefix only. Tokens belong in the Authorization header, which is never
 * logged; one sent elsewhere is refused, but must not reach the logs either.
 */
export function withoutTokens(url: string): string {
  return url.replace(/(?<![A-Za-z0-9])(pm[pk](?:_|%5[fF]))[A-Za-z0-9_%-]+/g, '$1***');
}

/**
 * One line per API request when it ends (id, method, URL, status, time): info for
 * 2xx/3xx, warn for 4xx, error for 5xx; Swagger's pages and assets are not logged (health
 * and metrics live on the other port). The id is echoed in `X-Request-Id`, and the error
 * filter puts it on its lines too. Headers are never logged, so no Authorization or cookie
 * value can leak. Written by hand rather than with pino-http: that builds two child
 * loggers and an AsyncLocalStorage scope for every request, whatever the level (≈ 15 % of
 * the API's CPU on POST /v1/deliveries), where this costs one listener and, below the
 * level, nothing else.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = requestId(req, res);
    (req as Request & { id?: string }).id = id;
    if (!req.url.startsWith('/swagger')) {
      const start = Date.now();
      const done = (): void => {
        res.off('finish', done);
        res.off('close', done);
        const level = levelOf(res.statusCode);
        if (!logger.isLevelEnabled(level)) return;
        logger[level](
          {
            req: { id, method: req.method, url: withoutTokens(req.originalUrl) },
            res: { statusCode: res.statusCode },
            responseTime: Date.now() - start,
          },
          res.writableFinished ? 'request completed' : 'request aborted',
        );
      };
      res.on('finish', done);
      res.on('close', done);
    }
    next();
  };
}
