// The rules of a tenant's fields (SPEC §11), pure, so that the API's validation, the
// service and their unit tests share them. The table's CHECKs (migration Tenants) hold the
// same limits, written out there.

/** A tenant id: the platform's own customer id, 1–64 characters of [A-Za-z0-9_.-]. */
export const TENANT_ID_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';

const TENANT_ID = new RegExp(TENANT_ID_PATTERN);

/** The limits of a tenant's fields. */
export const TENANT_LIMITS = {
  name: { min: 1, max: 255 },
  metadata: { maxKeys: 32, keyLength: { min: 1, max: 64 }, maxValueLength: 512 },
  maxWebhooks: { min: 1, max: 10_000 },
} as const;

/** What a tenant id must be, in words (the API's message for a path id or a cursor). */
export const TENANT_ID_RULE = 'must be 1 to 64 characters of letters, digits, "_", "." and "-"';

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

/** The sort key of the tenants list (its id alone): what a cursor of that list must hold. */
export const isTenantKey = (key: string[]): boolean => key.length === 1 && isTenantId(key[0]);

/** Characters as PostgreSQL counts them (code points), not UTF-16 units. */
const codePoints = (text: string): number => [...text].length;

/**
 * Text that jsonb stores exactly: no NUL (jsonb refuses `\u0000`) and no lone UTF-16
 * surrogate (it would not survive the way to UTF-8).
 */
const isStorable = (text: string): boolean => !text.includes('\u0000') && text.isWellFormed();

/**
 * Why `value` is not a tenant's metadata, or undefined when it is one: a JSON object of at
 * most 32 entries, keys 1–64 characters, values strings of at most 512 characters. The
 * first problem found is told, naming the key (never the value, which may be long).
 */
export function metadataProblem(value: unknown): string | undefined {
  const { maxKeys, keyLength, maxValueLength } = TENANT_LIMITS.metadata;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of string values';
  }
  const entries = Object.entries(value);
  if (entries.length > maxKeys) return `must hold at most ${maxKeys} keys`;
  for (const [key, item] of entries) {
    const length = codePoints(key);
    if (length < keyLength.min || length > keyLength.max || !isStorable(key)) {
      return `keys must be ${keyLength.min} to ${keyLength.max} characters long (without NUL or unpaired surrogates)`;
    }
    if (typeof item !== 'string') return `the value of "${key}" must be a string`;
    if (codePoints(item) > maxValueLength || !isStorable(item)) {
      return `the value of "${key}" must be at most ${maxValueLength} characters long (without NUL or unpaired surrogates)`;
    }
  }
  return undefined;
}
