import {
  Catch,
  Inject,
  HttpException,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  FanOutTooLargeError,
  FixedFieldError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidFieldError,
  NotFoundError,
  PayloadTooLargeError,
  SchemaCheckOverloadedError,
  SchemaMismatchError,
  TenantWebhookLimitError,
  TooManyMatchesError,
  type MissingResource,
} from '@app/domain';
import { ApiError, type ErrorBody, type ErrorKind } from './api-error';
import { INVALID_UTF8 } from '../http/json-body.middleware';
import { API_LOGGER, idOf } from '../http/request-log';
import { RouteTable } from '../http/route-table';

/** PostgreSQL / node-postgres failures that mean "the database is away", not a bug. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
    e?.message ?? '',
  );
}

/** body-parser's error types, mapped to the API's error codes. */
function fromBodyParser(type: string, message: string): ApiError | undefined {
  switch (type) {
    case 'entity.too.large':
      return new ApiError('payloadTooLarge', 'the request body is too large');
    case 'entity.parse.failed':
      return new ApiError('malformedBody', `invalid JSON: ${message}`);
    case INVALID_UTF8:
      return new ApiError('malformedBody', message);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupportedMediaType', message);
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError('malformedBody', message);
    default:
      return undefined;
  }
}

const NOT_FOUND: Record<MissingResource, ErrorKind> = {
  webhook: 'webhookNotFound',
  delivery: 'deliveryNotFound',
  'delivery attempt': 'attemptNotFound',
  event: 'eventNotFound',
  tenant: 'tenantNotFound',
  'portal session': 'portalSessionNotFound',
  'event type': 'eventTypeNotFound',
};

/** What a domain service refused, as the API's error. */
function fromDomainError(exception: unknown): ApiError | undefined {
  if (exception instanceof NotFoundError) return new ApiError(NOT_FOUND[exception.resource]);
  if (exception instanceof IdempotencyKeyReusedError) return new ApiError('idempotencyKeyReused');
  if (exception instanceof TenantWebhookLimitError) {
    return new ApiError('tenantWebhookLimit', exception.message);
  }
  if (exception instanceof SchemaCheckOverloadedError) {
    return new ApiError('unavailable', exception.message, exception.retryAfterSeconds);
  }
  if (exception instanceof SchemaMismatchError) {
    return new ApiError('schemaMismatch', exception.problems.join('; '));
  }
  if (exception instanceof FixedFieldError || exception instanceof InvalidFieldError) {
    return ApiError.validation([[exception.field, exception.problem]]);
  }
  if (exception instanceof TooManyMatchesError) {
    return ApiError.validation([
      [
        'filter',
        `matches more than ${exception.limit} deliveries; narrow it with webhook_id, event_type, created_after or created_before`,
      ],
    ]);
  }
  if (exception instanceof IdempotencyKeyInProgressError) {
    return new ApiError('idempotencyKeyInProgress');
  }
  if (exception instanceof PayloadTooLargeError || exception instanceof FanOutTooLargeError) {
    return new ApiError('payloadTooLarge', exception.message);
  }
  return undefined;
}

function fromHttpException(exception: HttpException): ApiError {
  switch (exception.getStatus()) {
    case 404:
    case 405:
      return new ApiError('routeNotFound');
    case 413:
      return new ApiError('payloadTooLarge');
    case 415:
      return new ApiError('unsupportedMediaType');
    case 400:
      return new ApiError('malformedBody', exception.message);
    default:
      return new ApiError('internal');
  }
}

/**
 * Every error leaves the API as `{"code","message","details"?}`. Client mistakes keep their 4xx; all else
 * is a 500 (or 503 while the database is unreachable, or with `Retry-After` when a payload's
 * schema check was starved of CPU) that never shows SQL or a stack.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(API_LOGGER) private readonly logger: Logger,
    private readonly routes: RouteTable,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body, retryAfter } = this.render(
      this.methodNotAllowed(exception, req, res) ?? exception,
      idOf(req),
    );
    if (res.headersSent) {
      res.end();
      return;
    }
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  }

  /**
   * Nest's router answers an unmatched method and path alike with a NotFoundException;
   * a path that is served with other methods is a 405 that lists them in `Allow`.
   */
  private methodNotAllowed(exception: unknown, req: Request, res: Response): ApiError | undefined {
    if (!(exception instanceof NotFoundException) || res.headersSent) return undefined;
    const route = this.routes.match(req.path);
    if (!route) return undefined;
    res.setHeader('Allow', route.allow.join(', '));
    return new ApiError(
      'methodNotAllowed',
      `${req.method} is not served at ${route.template}; allowed: ${route.allow.join(', ')}`,
    );
  }

  private render(
    exception: unknown,
    requestId?: string,
  ): { status: number; body: ErrorBody; retryAfter?: number } {
    const known = exception instanceof ApiError ? exception : fromDomainError(exception);
    if (known) return { status: known.status, body: known.body(), retryAfter: known.retryAfter };
    const typed = exception as { type?: unknown; message?: string };
    if (typeof typed?.type === 'string') {
      const mapped = fromBodyParser(typed.type, typed.message ?? '');
      if (mapped) return { status: mapped.status, body: mapped.body() };
    }
    if (exception instanceof HttpException) {
      const mapped = fromHttpException(exception);
      return { status: mapped.status, body: mapped.body() };
    }
    // The request's id ties these lines to the request's own line.
    const log = { err: exception, req: { id: requestId } };
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(log, 'database unavailable');
      const unavailable = new ApiError('unavailable', 'the database is unreachable');
      return { status: unavailable.status, body: unavailable.body() };
    }
    this.logger.error(log, 'unhandled error');
    return { status: 500, body: new ApiError('internal').body() };
  }
}
