import { randomBytes } from 'node:crypto';
import { WEBHOOK_DEFAULTS } from './webhook.fields';

/**
 * The start every stored URL has: the pattern of the CHECK on `webhooks.url`
 * (`url ~* '…'`, case-insensitive; InitialSchema). The API's validator applies exactly this
 * test before its own, stricter ones, so a URL it accepts is one the table accepts;
 * test/api/boundaries.e2e-spec.ts reads the CHECK back from the database and compares.
 */
export const WEBHOOK_URL_PATTERN = '^https?://[^/?#]+';

/** Secret rotation (§9): the grace period's bounds and default, in seconds. */
export const SECRET_ROTATION = {
  gracePeriod: { min: 0, max: 604_800, default: 86_400 },
  /**
   * Secrets that sign at once, the new one included: each adds a signature to every
   * request, so a rotation past this retires the oldest still in its grace period early.
   */
  maxLiveSecrets: 10,
} as const;

/** A new signing secret: `whsec_` + standard base64 of 32 random bytes (Standard Webhooks). */
export function generateSecretToken(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The key a `whsec_` token signs with is the standard base64 after the prefix (Standard
 * Webhooks): it must decode to this many bytes. `whsec_` alone would sign with an empty
 * key, which anyone can forge.
 */
export const SIGNING_KEY_BYTES = { min: 24, max: 64 } as const;

const WHSEC = 'whsec_';
/** Standard base64 (not base64url), padded or not: Node would skip any other character. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Why `token` cannot be a signing secret, or undefined when it can: a token that starts
 * with `whsec_` must be that prefix and standard base64 of 24–64 bytes; any other token
 * signs with its own UTF-8 bytes (and "" means unsigned).
 */
export function secretTokenProblem(token: string): string | undefined {
  if (!token.startsWith(WHSEC)) return undefined;
  const key = token.slice(WHSEC.length);
  const { min, max } = SIGNING_KEY_BYTES;
  const rule = `a token starting with "${WHSEC}" must be followed by standard base64 of ${min} to ${max} bytes`;
  if (!BASE64.test(key)) return `${rule} (it is not base64)`;
  const bytes = Buffer.from(key, 'base64').length;
  return bytes < min || bytes > max ? `${rule} (it decodes to ${bytes})` : undefined;
}

/**
 * The rule across two fields: the longest wait may not be shorter than the first, with
 * what a client leaves out taking its default. The reason it breaks, or undefined.
 */
export function backoffOrderProblem(minBackoff?: number, maxBackoff?: number): string | undefined {
  const min = minBackoff ?? WEBHOOK_DEFAULTS.retryMinBackoff;
  const max = maxBackoff ?? WEBHOOK_DEFAULTS.retryMaxBackoff;
  return max < min ? `must be at least retry_min_backoff (${min}), got ${max}` : undefined;
}
