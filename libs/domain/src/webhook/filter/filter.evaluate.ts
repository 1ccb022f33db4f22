import {
  isPlainObject,
  type FilterOperator,
  type FilterScalar,
  type WebhookFilter,
} from './filter.rules';

/**
 * SPEC §15 in plain TypeScript: whether a parsed payload matches a valid filter. The
 * reference that the compiled form (filter.jsonpath.ts), which is what runs, is tested
 * against; it reads numbers as JavaScript does (doubles), PostgreSQL exactly, which agree
 * on every number a double holds exactly.
 */

/** Nothing selected (JSON null is a value: `null`). */
const NOTHING = Symbol('nothing');
type Selected = unknown;

/** The value at `path`: a segment of digits is an array's element, else an object's key. */
export function selectPath(doc: unknown, path: string): Selected {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return NOTHING;
      const index = Number(segment);
      if (index >= current.length) return NOTHING;
      current = current[index];
    } else if (isPlainObject(current)) {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return NOTHING;
      current = current[segment];
    } else return NOTHING;
  }
  return current;
}

/** Equal by JSON type and value; an array or object equals no scalar. */
function equal(value: unknown, scalar: FilterScalar): boolean {
  if (typeof value === 'object' && value !== null) return false;
  return value === scalar;
}

/** Strings by code point (not UTF-16 unit: "\uFFFF" < "😀"); -1, 0 or 1. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(x.length - y.length);
}

/** `$gt` … `$lte`: a number with a number, a string with a string; else false. */
function ordered(value: unknown, op: '$gt' | '$gte' | '$lt' | '$lte', operand: unknown): boolean {
  let order: number;
  if (typeof value === 'number' && typeof operand === 'number') {
    order = value > operand ? 1 : value < operand ? -1 : 0;
  } else if (typeof value === 'string' && typeof operand === 'string') {
    order = compareCodePoints(value, operand);
  } else return false;
  if (op === '$gt') return order > 0;
  if (op === '$gte') return order >= 0;
  if (op === '$lt') return order < 0;
  return order <= 0;
}

function holds(value: Selected, op: FilterOperator, operand: unknown): boolean {
  const some = value !== NOTHING;
  switch (op) {
    case '$eq':
      return some && equal(value, operand as FilterScalar);
    case '$neq':
      return !holds(value, '$eq', operand);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return some && ordered(value, op, operand);
    case '$in':
      return some && (operand as FilterScalar[]).some((s) => equal(value, s));
    case '$nin':
      return !holds(value, '$in', operand);
    case '$exists':
      return some === operand;
    case '$contains':
      return Array.isArray(value) && value.some((e) => equal(e, operand as FilterScalar));
  }
}

/** Text jsonb can hold: no NUL, no unpaired surrogate (its `\u` escapes refuse both). */
const jsonbText = (s: string) => !s.includes('\u0000') && s.isWellFormed();

/** Whether PostgreSQL's jsonb can hold every string and key of the parsed `value`. */
function jsonbHolds(value: unknown): boolean {
  if (typeof value === 'string') return jsonbText(value);
  if (Array.isArray(value)) return value.every(jsonbHolds);
  if (isPlainObject(value)) {
    return Object.entries(value).every(([k, v]) => jsonbText(k) && jsonbHolds(v));
  }
  return true;
}

/**
 * The payload text as `postmand_json_doc` reads it: the parsed JSON object or array, or
 * undefined when it gives NULL (not JSON, not an object or array, or JSON that jsonb
 * cannot hold). Numbers are read as doubles: a number beyond numeric's range (10^131072),
 * which PostgreSQL refuses, is Infinity here; that one case it does not model.
 */
export function parsePayload(text: string): unknown {
  if (!/^[ \t\n\r]*[[{]/.test(text)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  return jsonbHolds(doc) ? doc : undefined;
}

/**
 * Whether `doc` (a parsed payload) matches the valid `filter`. A payload that is not a
 * JSON object or array matches no filter: pass it as undefined. Nor does one that jsonb
 * cannot hold (a string or key with NUL or an unpaired surrogate), as in the publish
 * statement, where `postmand_json_doc` gives NULL for it.
 */
export function matchesFilter(filter: WebhookFilter, doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || !jsonbHolds(doc)) return false;
  return entriesHold(filter, doc);
}

function entriesHold(filter: WebhookFilter, doc: object): boolean {
  return Object.entries(filter).every(([key, value]) => {
    if (key === '$not') return !entriesHold(value as WebhookFilter, doc);
    if (key === '$and') return (value as WebhookFilter[]).every((f) => entriesHold(f, doc));
    if (key === '$or') return (value as WebhookFilter[]).some((f) => entriesHold(f, doc));
    const selected = selectPath(doc, key);
    if (!isPlainObject(value)) return holds(selected, '$eq', value);
    return Object.entries(value).every(([op, operand]) =>
      holds(selected, op as FilterOperator, operand),
    );
  });
}
