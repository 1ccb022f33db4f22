import { HttpStatus } from '@nestjs/common';

/** The API's error codes (docs/spec.md §3, docs/api.md "Errors"); every error body is `{"code","message","details"?}`. */
export const ERRORS = {
  internal: { code: 1, status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal server error' },
  /**
   * Code 1 while the database is unreachable, or when a payload's schema check was starved
   * of CPU (with `Retry-After`): the client may retry.
   */
  unavailable: { code: 1, status: HttpStatus.SERVICE_UNAVAILABLE, message: 'service unavailable' },
  invalidId: { code: 2, status: HttpStatus.NOT_FOUND, message: 'invalid id' },
  malformedBody: { code: 3, status: HttpStatus.BAD_REQUEST, message: 'malformed request body' },
  validation: { code: 4, status: HttpStatus.BAD_REQUEST, message: 'request validation failed' },
  webhookNotFound: { code: 5, status: HttpStatus.NOT_FOUND, message: 'webhook not found' },
  deliveryNotFound: { code: 6, status: HttpStatus.NOT_FOUND, message: 'delivery not found' },
  attemptNotFound: {
    code: 7,
    status: HttpStatus.NOT_FOUND,
    message: 'delivery attempt not found',
  },
  payloadTooLarge: { code: 8, status: HttpStatus.PAYLOAD_TOO_LARGE, message: 'payload too large' },
  unsupportedMediaType: {
    code: 9,
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    message: 'unsupported media type',
  },
  routeNotFound: { code: 10, status: HttpStatus.NOT_FOUND, message: 'route not found' },
  idempotencyKeyReused: {
    code: 11,
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    message: 'idempotency key reused with a different request',
  },
  idempotencyKeyInProgress: {
    code: 12,
    status: HttpStatus.CONFLICT,
    message: 'a request with this idempotency key is in progress',
  },
  eventNotFound: { code: 13, status: HttpStatus.NOT_FOUND, message: 'event not found' },
  /** No API key, or one that is not stored (§9); the response carries `WWW-Authenticate`. */
  unauthorized: { code: 14, status: HttpStatus.UNAUTHORIZED, message: 'unauthorized' },
  /** A `read` key on a write operation. */
  forbidden: { code: 15, status: HttpStatus.FORBIDDEN, message: 'forbidden' },
  /** A tenant (§11) named by the path or a body that does not exist. */
  tenantNotFound: { code: 16, status: HttpStatus.NOT_FOUND, message: 'tenant not found' },
  /** A webhook create that would give a tenant more than its `max_webhooks` (§11). */
  tenantWebhookLimit: {
    code: 17,
    status: HttpStatus.CONFLICT,
    message: 'tenant webhook limit reached',
  },
  /** A type (§14) named by the path or a body that is not in the catalogue. */
  eventTypeNotFound: { code: 18, status: HttpStatus.NOT_FOUND, message: 'event type not found' },
  /** An event whose payload does not match its type's schema (§14). */
  schemaMismatch: {
    code: 19,
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    message: "payload does not match the event type's schema",
  },
  /**
   * A tenant's portal session (§12) named by the path that is not live, or another
   * tenant's. Code 20: SPEC's table keeps 18 and 19 for event types (§14).
   */
  portalSessionNotFound: {
    code: 20,
    status: HttpStatus.NOT_FOUND,
    message: 'portal session not found',
  },
  /** The path exists, not with this method: the response carries `Allow`. */
  methodNotAllowed: {
    code: 10,
    status: HttpStatus.METHOD_NOT_ALLOWED,
    message: 'method not allowed',
  },
} as const;

export type ErrorKind = keyof typeof ERRORS;

/** Every code, once each, in order: the OpenAPI enum of ErrorDto.code. */
export const ERROR_CODES = [...new Set(Object.values(ERRORS).map((e) => e.code))].sort(
  (a, b) => a - b,
);

/** What the errors of one HTTP status are, for the OpenAPI document: "code 4 …; code 5 …". */
export function describeStatus(status: number): string {
  const kinds = Object.values(ERRORS).filter((e) => Number(e.status) === status);
  const text = kinds.map((e) => `${e.message} (code ${e.code})`).join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export interface ErrorBody {
  code: number;
  message: string;
  details?: string;
}

/** A client-facing error: thrown anywhere in the API, rendered by the exception filter. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;

  /**
   * @param retryAfter seconds, sent as `Retry-After` (a 503 that says when to try again).
   */
  constructor(
    kind: ErrorKind,
    readonly details?: string,
    readonly retryAfter?: number,
  ) {
    super(ERRORS[kind].message);
    this.status = ERRORS[kind].status;
    this.code = ERRORS[kind].code;
  }

  /** Code 4, with `details` `field: reason` pairs sorted by field, joined by "; ", ending in ".". */
  static validation(problems: [field: string, reason: string][]): ApiError {
    const sorted = [...problems].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new ApiError('validation', `${sorted.map(([f, r]) => `${f}: ${r}`).join('; ')}.`);
  }

  body(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
