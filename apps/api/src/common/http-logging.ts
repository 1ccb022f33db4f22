import type { Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { serializeError } from '@app/platform';
import { requestId } from './http-hardening';

/**
 * nestjs-pino settings: one line per API request (id, method, URL, status, time) at
 * info, warn for 4xx and error for 5xx; Swagger's pages and assets are not logged (the
 * health and metrics routes live on the other port and are never logged). Inside a
 * request every line logged through Nest carries the request's id. Headers are not
 * logged at all, so no Authorization or cookie value can leak.
 */
export function httpLogging(logger: Logger): Params {
  return {
    forRoutes: ['*path'],
    pinoHttp: {
      logger,
      genReqId: requestId,
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/swagger') },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        err: serializeError,
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
