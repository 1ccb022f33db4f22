import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import {
  EVENT_TYPE_LIMITS,
  filterProblem,
  isEventTypeName,
  isEventTypePattern,
  isTenantId,
  metadataProblem,
  secretTokenProblem,
  TENANT_ID_RULE,
  WEBHOOK_URL_PATTERN,
} from '@app/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its 8-4-4-4-12 hex form, any case. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function rule(
  name: string,
  message: string,
  test: (value: unknown) => boolean,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message, ...options },
      validator: { validate: test },
    });
}

/**
 * Text PostgreSQL can store exactly: no NUL (text cannot hold it) and no lone UTF-16
 * surrogate (it would be silently replaced by U+FFFD on the way to UTF-8).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

export const IsStorableText = (options?: ValidationOptions): PropertyDecorator =>
  rule(
    'isStorableText',
    'must not contain NUL characters or unpaired surrogates',
    (v) => typeof v !== 'string' || isStorableText(v),
    options,
  );

/**
 * Characters as PostgreSQL counts them (code points): `"a\uFE0F"` is two, not the one that
 * class-validator's Length makes of it, and a surrogate pair is one.
 */
function codePoints(value: string): number {
  // The string iterator steps by code point: a pair is one, a lone surrogate one.
  return [...value].length;
}

/** A length in code points (what `varchar(n)` and `char_length` count). */
export const CodePointLength = (min: number, max: number, message: string): PropertyDecorator =>
  rule('codePointLength', message, (v) => {
    if (typeof v !== 'string') return true;
    const length = codePoints(v);
    return length >= min && length <= max;
  });

/**
 * An absolute http(s) URL with a host, written as the table's CHECK wants it (so
 * `http:///x`, which the WHATWG parser reads as `http://x/`, is refused).
 */
const WEBHOOK_URL_CHECK = new RegExp(WEBHOOK_URL_PATTERN, 'i');

function isWebhookUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !WEBHOOK_URL_CHECK.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const IsHttpUrl = (): PropertyDecorator =>
  rule('isHttpUrl', 'must be an absolute http or https URL', isWebhookUrl);

/**
 * No white space or control characters: in a URL the WHATWG parser drops tabs and
 * newlines and encodes spaces, so what would be stored is not what would be sent.
 */
export const HasNoSpaceOrControl = (): PropertyDecorator =>
  rule(
    'hasNoSpaceOrControl',
    'must not contain spaces or control characters',
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    (v) => typeof v !== 'string' || !/[\s\u0000-\u001f\u007f-\u009f]/u.test(v),
  );

/**
 * A token that can sign (§3): a `whsec_` one is standard base64 of 24–64 bytes. Its own
 * message (the rule, and why the token breaks it, never the token itself).
 */
export const IsSigningSecret = (): PropertyDecorator => (target, propertyName) =>
  registerDecorator({
    name: 'isSigningSecret',
    target: target.constructor,
    propertyName: propertyName as string,
    options: {
      message: ({ value }) => (typeof value === 'string' && secretTokenProblem(value)) || '',
    },
    validator: { validate: (v) => typeof v !== 'string' || secretTokenProblem(v) === undefined },
  });

/** Some character other than white space. */
export const IsNotBlank = (): PropertyDecorator =>
  rule('isNotBlank', 'must not be empty or blank', (v) => typeof v === 'string' && /\S/.test(v));

/** Visible ASCII, spaces and tabs: what may go into an HTTP header (`Content-Type`). */
export const IsHeaderValue = (): PropertyDecorator =>
  rule(
    'isHeaderValue',
    'must be a valid HTTP header value (printable ASCII)',
    (v) => typeof v === 'string' && /^[\t\x20-\x7e]*$/.test(v),
  );

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** The instants that PostgreSQL stores and the API writes back as RFC 3339: years 1-9999 UTC. */
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** Milliseconds since the epoch of a UTC calendar time (years 0-99 as written, not 19xx). */
function utcTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0) {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * Parses an RFC 3339 date-time strictly (a real calendar date, an explicit offset within
 * PostgreSQL's ±15:59, an instant from year 0001 to 9999 in UTC, so that the API can
 * write it back as RFC 3339) and returns it normalised for PostgreSQL, which keeps
 * sub-millisecond bounds exact; undefined when it is not one. A `+` offset that an
 * unencoded query string turned into a space is taken back.
 */
export function parseRfc3339(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/ (\d{2}:\d{2})$/, '+$1')
    .replace(/^(\d{4}-\d{2}-\d{2})[t ]/, '$1T')
    .toUpperCase();
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [Number(match[9] ?? 0), Number(match[10] ?? 0)];
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(utcTime(year, month + 1, 0)).getUTCDate();
  const valid =
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 15 &&
    offsetMinutes <= 59;
  if (!valid) return undefined;
  const offsetMs = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const instant =
    utcTime(year, month, day, hour, minute, second) - offsetMs + Number(match[7] ?? 0) * 1000;
  return instant >= MIN_INSTANT && instant <= MAX_INSTANT ? text : undefined;
}

export const IsRfc3339 = (): PropertyDecorator =>
  rule(
    'isRfc3339',
    'must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z',
    (v) => parseRfc3339(v) !== undefined,
  );

/** Query strings arrive as text: `limit=20` becomes 20; anything else stays as it was. */
export const ToInteger = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value,
  );

/** `true` / `false` in a query string; anything else stays text and fails validation. */
export const ToBoolean = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );

const EVENT_TYPE_NAME =
  'must be dot-separated segments of letters, digits, "_" and "-", at most 256 characters';

/** An event type name (§5): `order.created`, `invoice.payment_failed`. */
export const IsEventTypeName = (): PropertyDecorator =>
  rule('isEventTypeName', EVENT_TYPE_NAME, (v) => typeof v === 'string' && isEventTypeName(v));

/** A webhook's subscriptions: 0–100 patterns, each a name, a name + `.*`, or `*`. */
export const IsEventTypePatterns = (): PropertyDecorator =>
  rule(
    'isEventTypePatterns',
    `must be an array of at most ${EVENT_TYPE_LIMITS.patternsCount} patterns, each "*", an event type name, or a name followed by ".*"`,
    (v) =>
      Array.isArray(v) &&
      v.length <= EVENT_TYPE_LIMITS.patternsCount &&
      v.every((p) => typeof p === 'string' && isEventTypePattern(p)),
  );

/** Refuses names in a namespace the service keeps for itself. */
export const IsNotReserved = (prefix: string): PropertyDecorator =>
  rule(
    'isNotReserved',
    `must not start with "${prefix}" (reserved for postmand's own events)`,
    (v) => typeof v !== 'string' || !v.startsWith(prefix),
  );

/**
 * A tenant's metadata (§11): an object of at most 32 string values, keys 1–64 characters,
 * values at most 512. Its own message: the limit broken, naming the key.
 */
export const IsTenantMetadata = (): PropertyDecorator => (target, propertyName) =>
  registerDecorator({
    name: 'isTenantMetadata',
    target: target.constructor,
    propertyName: propertyName as string,
    options: { message: ({ value }) => metadataProblem(value) ?? '' },
    validator: { validate: (v) => metadataProblem(v) === undefined },
  });

/** A tenant's id (§11) in a body: 1–64 characters of letters, digits, `_`, `.` and `-`. */
export const IsTenantId = (): PropertyDecorator =>
  rule('isTenantId', TENANT_ID_RULE, (v) => isTenantId(v));

/**
 * A webhook's `filter` (§15): null or a valid filter. Its own message: what is wrong and
 * where (`data.tier: unknown operator $foo`).
 */
export const IsWebhookFilter = (): PropertyDecorator => (target, propertyName) =>
  registerDecorator({
    name: 'isWebhookFilter',
    target: target.constructor,
    propertyName: propertyName as string,
    options: { message: ({ value }) => filterProblem(value) ?? '' },
    validator: { validate: (v) => filterProblem(v) === undefined },
  });
