import {
  applyDecorators,
  createParamDecorator,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import {
  IdempotencyService,
  requestFingerprint,
  tenantIdempotencyScope,
  type UnitOfWork,
} from '@app/domain';
import { ApiError } from '../errors/api-error';
import { principalOf } from '../access/access-control';
import { sessionOf } from '../access/request-scope';
import type { WithRawBody } from '../http/json-body.middleware';

/** 1–255 visible ASCII characters (§6). */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
const KEY_PROBLEM = 'must be 1 to 255 visible ASCII characters';
const UOW = Symbol('postmand.unitOfWork');

type WithUnitOfWork = { [UOW]?: UnitOfWork };

/**
 * `Idempotency-Key` on a create (§6). Without the header the route runs as usual. With
 * it, the route runs inside IdempotencyService's transaction (its handler takes the
 * transaction through `@Transaction()`), and the response body is stored with the key; a
 * replay answers the stored body, byte for byte (JSON.stringify of its parse is itself),
 * with `Idempotent-Replayed: true`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & WithRawBody & WithUnitOfWork>();
    const res = http.getResponse<Response>();
    const key = req.headers['idempotency-key'];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || !VALID_KEY.test(key)) {
      throw ApiError.validation([['Idempotency-Key', KEY_PROBLEM]]);
    }
    const request = {
      scope: idempotencyScope(req),
      key,
      fingerprint: requestFingerprint(req.method, req.originalUrl, req.rawBody ?? Buffer.alloc(0)),
    };
    const run = this.idempotency.run(request, async (uow) => {
      req[UOW] = uow;
      const value: unknown = await lastValueFrom(next.handle());
      // The route's status, as Nest set it before the handler or the handler itself did.
      return { status: res.statusCode, body: JSON.stringify(value) };
    });
    return from(run).pipe(
      map((response) => {
        if (response.replayed) {
          res.status(response.status);
          res.setHeader('Idempotent-Replayed', 'true');
        }
        return JSON.parse(response.body) as unknown;
      }),
    );
  }
}

/**
 * Whose keys a request's key is among: a portal session's tenant (`tenant:<id>`, §12), the
 * API key's id with access control on (§6), or the one shared scope (''). One caller's key
 * never replays another's response; a tenant's sessions share theirs, as one customer's.
 * The prefix keeps a tenant apart from an API key (whose id is a bare UUID).
 */
function idempotencyScope(req: Request): string {
  const session = sessionOf(req);
  if (session) return tenantIdempotencyScope(session.tenantId);
  return principalOf(req)?.id ?? '';
}

/** The transaction of an idempotent request, or undefined without an Idempotency-Key. */
export const Transaction = createParamDecorator(
  (_: unknown, context: ExecutionContext): UnitOfWork | undefined =>
    context.switchToHttp().getRequest<WithUnitOfWork>()[UOW],
);

/** A create that takes an `Idempotency-Key`. */
export const Idempotent = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry of this create safe (1–255 visible ASCII characters): the first 2xx ' +
        'response is kept for POSTMAND_IDEMPOTENCY_TTL seconds and replayed, with ' +
        '`Idempotent-Replayed: true`, to a request with the same key, method, path and body; ' +
        'another request with the key gets 422 (code 11), and one while the first is still ' +
        'being processed 409 (code 12).',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    }),
  );
