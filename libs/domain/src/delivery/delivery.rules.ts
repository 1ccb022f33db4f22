/**
 * Seconds before the next attempt, for `attemptsBefore` = attempts made before the one
 * that just failed: min(max, min × 2^n). With 10/60 that is 10, 20, 40, 60, 60, …
 */
export function retryBackoffSeconds(
  attemptsBefore: number,
  minBackoff: number,
  maxBackoff: number,
): number {
  // 2^n overflows to Infinity long before it matters; min() caps it either way.
  return Math.min(maxBackoff, minBackoff * 2 ** attemptsBefore);
}

/**
 * A `Retry-After` header (delta-seconds or an HTTP date) in seconds from `now`, or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names its weekday; without letters Date.parse takes "-5" for a year.
  const at = /^[a-z]{3},/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * The wait before a retry: the exponential backoff, pushed later (never earlier) by a
 * `Retry-After` on a 429 or 503, and never beyond `retry_max_backoff`.
 */
export function nextRetryDelaySeconds(options: {
  attemptsBefore: number;
  minBackoff: number;
  maxBackoff: number;
  statusCode: number;
  retryAfter?: string;
  now: Date;
}): number {
  const backoff = retryBackoffSeconds(
    options.attemptsBefore,
    options.minBackoff,
    options.maxBackoff,
  );
  if (options.statusCode !== 429 && options.statusCode !== 503) return backoff;
  const asked = parseRetryAfter(options.retryAfter, options.now);
  if (asked === undefined) return backoff;
  return Math.min(options.maxBackoff, Math.max(backoff, asked));
}
