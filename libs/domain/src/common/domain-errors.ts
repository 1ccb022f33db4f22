/** What a domain service refuses. The API renders each as the error its clients expect. */
export type MissingResource =
  | 'webhook'
  | 'delivery'
  | 'delivery attempt'
  | 'event'
  | 'tenant'
  | 'portal session'
  | 'event type';

/** The thing asked for (or referred to) does not exist. */
export class NotFoundError extends Error {
  constructor(readonly resource: MissingResource) {
    super(`${resource} not found`);
    this.name = 'NotFoundError';
  }
}

/** A payload over POSTMAND_MAX_PAYLOAD_BYTES (UTF-8 bytes). */
export class PayloadTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`payload is ${bytes} bytes; the limit is ${limit}`);
    this.name = 'PayloadTooLargeError';
  }

  /**
   * Throws when `payload` is over `limit` bytes of UTF-8 (POSTMAND_MAX_PAYLOAD_BYTES);
   * returns its size otherwise.
   */
  static check(payload: string, limit: number): number {
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > limit) throw new PayloadTooLargeError(bytes, limit);
    return bytes;
  }
}

/**
 * An event whose payload × matching webhooks is over POSTMAND_MAX_FANOUT_BYTES: what one
 * publish would commit the workers to send.
 */
export class FanOutTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly matches: number,
    readonly limit: number,
  ) {
    super(
      `payload of ${bytes} bytes × ${matches} matching webhooks is ${bytes * matches} bytes; ` +
        `the limit is ${limit} (POSTMAND_MAX_FANOUT_BYTES)`,
    );
    this.name = 'FanOutTooLargeError';
  }
}

/** An Idempotency-Key already used for a request with another method, path or body. */
export class IdempotencyKeyReusedError extends Error {
  constructor() {
    super('idempotency key reused with a different request');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** The first request with this Idempotency-Key is still being processed (anywhere). */
export class IdempotencyKeyInProgressError extends Error {
  constructor() {
    super('a request with this idempotency key is in progress');
    this.name = 'IdempotencyKeyInProgressError';
  }
}

/** A bulk operation whose filter matches more rows than one request may touch. */
export class TooManyMatchesError extends Error {
  constructor(readonly limit: number) {
    super(`the filter matches more than ${limit} deliveries`);
    this.name = 'TooManyMatchesError';
  }
}

/** A webhook create that would give a tenant more than its `max_webhooks` (§11). */
export class TenantWebhookLimitError extends Error {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
  ) {
    super(`tenant ${tenantId} may have at most ${limit} webhooks`);
    this.name = 'TenantWebhookLimitError';
  }
}

/**
 * A value a client may not change once set, given another value (a webhook's `tenant_id`):
 * `field` is its name in the API, `problem` what is wrong, in the API's words.
 */
export class FixedFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'FixedFieldError';
  }
}

/**
 * A value the domain's rules refuse (an event type's schema, its example): `field` is its
 * name in the API, `problem` what is wrong, in the API's words.
 */
export class InvalidFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'InvalidFieldError';
  }
}

/**
 * An event's payload that does not match its type's schema (§14): `problems` are at most
 * 10 `<JSON pointer>: <reason>` pairs.
 */
export class SchemaMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SchemaMismatchError';
  }
}

/**
 * An event's payload (or an event type's example) that could not be checked against its
 * schema for want of CPU, not because it is costly: the schema thread was starved past the
 * wall-clock cap, or the deadline was judged by wall-clock time alone (SchemaValidatorPool's
 * `overloaded`). Nothing was stored; the same request may succeed when sent again.
 */
export class SchemaCheckOverloadedError extends Error {
  /** How long a client should wait before sending it again (a `Retry-After`). */
  readonly retryAfterSeconds = 1;

  constructor() {
    super('the payload could not be checked against its schema in time: the server is busy; retry');
    this.name = 'SchemaCheckOverloadedError';
  }
}
