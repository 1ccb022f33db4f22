import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

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

/** An absolute http(s) URL with a host (the Go project also took `mailto:`). */
export const IsHttpUrl = (): PropertyDecorator =>
  rule('isHttpUrl', 'must be an absolute http or https URL', (v) => {
    if (typeof v !== 'string' || !/^https?:\/\//i.test(v)) return false;
    try {
      const url = new URL(v);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  });

/** Visible ASCII, spaces and tabs: what may go into an HTTP header (`Content-Type`). */
export const IsHeaderValue = (): PropertyDecorator =>
  rule(
    'isHeaderValue',
    'must be a valid HTTP header value (printable ASCII)',
    (v) => typeof v === 'string' && /^[\t\x20-\x7e]*$/.test(v),
  );

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time strictly (a real calendar date, an explicit offset, year
 * 0001 or later) and returns it normalised for PostgreSQL, which keeps sub-millisecond
 * bounds exact; undefined when it is not one. A `+` offset that an unencoded query
 * string turned into a space is taken back.
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
  const [offsetHours, offsetMinutes] = [Number(match[8] ?? 0), Number(match[9] ?? 0)];
  // Day 0 of the next month is the last day of this one (years 1–99 share 1901–1999's leap rule).
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid =
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  return valid ? text : undefined;
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
