import { isUtf8 } from 'node:buffer';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { ApiError } from '../errors/api-error';

/** A request whose body bytes were kept (only when it carries an Idempotency-Key). */
export type WithRawBody = { rawBody?: Buffer };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The error type (body-parser's `err.type`) of a body that is not valid UTF-8. */
export const INVALID_UTF8 = 'entity.encoding.invalid';

/** Deeper than any request of this API; deeper still overflowed the stack downstream. */
const MAX_JSON_DEPTH = 32;

/** How deep arrays and objects nest in `value`, counted without recursion, up to `limit` + 1. */
function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Methods whose Content-Type, with no body, means nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Parses JSON bodies, answering 415 (code 9) for any other media type. The limit leaves
 * room for a POSTMAND_MAX_PAYLOAD_BYTES payload even when JSON escaping inflates it up to
 * six times (`\u0001`); the payload's own size is checked after parsing (413, code 8).
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;

  constructor(@Inject(POSTMAND_CONFIG) config: PostmandConfig) {
    this.parse = express.json({
      limit: config.maxPayloadBytes * 6 + 64 * 1024,
      // Any JSON text parses; what is not an object is refused by the validation pipe
      // with "must be a JSON object" (a `null` body is not "invalid JSON").
      strict: false,
      type: () => true,
      verify: (req, _res, buf, encoding) => {
        // Decoding would replace each invalid sequence with U+FFFD, silently storing
        // something other than what was sent.
        if (/^utf-?8$/i.test(encoding) && !isUtf8(buf)) {
          throw Object.assign(new Error('the body is not valid UTF-8'), { type: INVALID_UTF8 });
        }
        // The body's bytes are part of an Idempotency-Key's fingerprint.
        if (req.headers['idempotency-key'] !== undefined) (req as WithRawBody).rawBody = buf;
      },
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const type = req.headers['content-type'] ?? '';
    // An empty write may name no type (`curl -X POST …/redeliver`), but not another one:
    // an HTML form always names one, so a form on any site cannot post to the API.
    if (!hasBody(req) && (type === '' || SAFE_METHODS.has(req.method))) return next();
    if (!JSON_TYPE.test(type)) {
      const got = type ? `"${type}"` : 'no Content-Type';
      return next(
        new ApiError(
          'unsupportedMediaType',
          hasBody(req)
            ? `the body must be application/json, got ${got}`
            : `a request without a body names application/json or no Content-Type, got ${got}`,
        ),
      );
    }
    if (!hasBody(req)) return next();
    this.parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (jsonDepth(req.body) > MAX_JSON_DEPTH) {
        return next(
          new ApiError('malformedBody', `JSON nested more than ${MAX_JSON_DEPTH} levels deep`),
        );
      }
      next();
    });
  }
}
