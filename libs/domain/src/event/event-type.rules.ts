/**
 * Event types and the patterns webhooks subscribe with (docs/spec.md §5).
 * - A name: dot-separated segments of [A-Za-z0-9_-], 1–256 characters.
 * - A pattern: a name (exact), `*` (every type outside `postmand.`), or a name + `.*`
 *   (`order.*` matches `order.created` and `order.item.added`, not `order`).
 */
export const EVENT_TYPE_LIMITS = { nameLength: 256, patternsCount: 100 };

/** The `postmand.` types are the service's own (operational events); `*` never matches them. */
export const RESERVED_PREFIX = 'postmand.';

const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

export function isEventTypeName(value: string): boolean {
  return value.length >= 1 && value.length <= EVENT_TYPE_LIMITS.nameLength && NAME.test(value);
}

export function isEventTypePattern(value: string): boolean {
  if (value === '*') return true;
  return isEventTypeName(value.endsWith('.*') ? value.slice(0, -2) : value);
}

/**
 * Every pattern that matches `type`: the type itself, each proper prefix + `.*`, and `*`
 * unless the type is reserved. A webhook matches when its patterns overlap this list,
 * which one index-only scan of webhook_event_types answers (`pattern = ANY($candidates)`).
 */
export function matchingPatterns(type: string): string[] {
  const patterns = [type];
  for (let dot = type.indexOf('.'); dot !== -1; dot = type.indexOf('.', dot + 1)) {
    patterns.push(`${type.slice(0, dot)}.*`);
  }
  if (!type.startsWith(RESERVED_PREFIX)) patterns.push('*');
  return patterns;
}

/** Whether a webhook subscribed with `patterns` takes an event of `type` (the SQL's rule, in code). */
export function subscribes(patterns: readonly string[], type: string): boolean {
  const matching = new Set(matchingPatterns(type));
  return patterns.some((p) => matching.has(p));
}
