import {
  FILTER_LIMITS,
  filterStructureProblem,
  isPlainObject,
  type FilterOperator,
  type FilterScalar,
  type WebhookFilter,
} from './filter.rules';

/**
 * A valid filter (filter.rules.ts) compiled to an SQL/JSON path predicate, for PostgreSQL
 * to evaluate on an event's payload in the publish statement (`payload @@ filter_path`).
 * Compiled once, when the webhook is written, and stored beside the filter.
 *
 * Strict mode throughout: lax mode unwraps arrays (`$.a == 1` would hold for `[1, 2]`)
 * and forgives missing keys. In strict mode a missing key or an accessor of the wrong
 * type is an error, which makes the predicate around it unknown; every comparison is put
 * in a filter (`? (…)`), which keeps an item only when its predicate is true, so unknown
 * never leaks out of one operator: each operator's test is `exists($ ? (…))`, true or
 * false, and `!`, `&&`, `||` combine those. Comparing values of different JSON types is
 * unknown in jsonpath, so `"1" == 1` is dropped by the filter: not equal.
 *
 * Nothing of the client's reaches the text but path segments (`[A-Za-z0-9_-]`, quoted)
 * and scalars written as jsonpath literals (strings escaped, numbers as JavaScript writes
 * a finite number): no text can end a literal or a key early.
 */

const TRUE = '1 == 1';

/** A scalar as a jsonpath literal. */
export function jsonpathLiteral(value: FilterScalar): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('jsonpathLiteral: not a finite number');
    // String(-0) is "0"; exponents are written "1e+21", "1e-7": jsonpath reads both.
    return String(value);
  }
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Thrown while compiling once the text passes FILTER_LIMITS.compiledLength. */
class TooLong extends Error {}

/** `text`, unless it is longer than a compiled filter may be. */
function bounded(text: string): string {
  if (text.length > FILTER_LIMITS.compiledLength) throw new TooLong();
  return text;
}

/** The largest array index a payload could reach; a larger digit segment is a key only. */
const MAX_INDEX = 2_147_483_647;

/**
 * A predicate on the current item (`@`): the item at `segments` below it exists and
 * `test` holds on it. A segment of digits is the element of an array, the key of an
 * object: both readings are written, each guarded by the item's type.
 */
function along(segments: string[], test: string): string {
  if (segments.length === 0) return test;
  const [segment, ...rest] = segments;
  const next = along(rest, test);
  const key = `exists(@."${segment}" ? (${next}))`;
  if (!/^\d+$/.test(segment) || Number(segment) > MAX_INDEX) return key;
  return bounded(
    `(exists(@ ? (@.type() == "array")[${Number(segment)}] ? (${next})) || ` +
      `exists(@ ? (@.type() == "object")."${segment}" ? (${next})))`,
  );
}

/** True when the value at `path` exists and `test` (on `@`, that value) holds. */
const holds = (path: string, test: string): string =>
  `exists($ ? (${along(path.split('.'), test)}))`;

const equals = (value: FilterScalar) => `@ == ${jsonpathLiteral(value)}`;

const ORDER = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;

function operator(path: string, op: FilterOperator, operand: unknown): string {
  switch (op) {
    case '$eq':
      return holds(path, equals(operand as FilterScalar));
    case '$neq':
      return `!${holds(path, equals(operand as FilterScalar))}`;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      // A number with a number, a string with a string (by code point: jsonpath compares
      // strings as UTF-8 bytes, whatever the database's collation); nothing else holds.
      const type = typeof operand === 'number' ? 'number' : 'string';
      const literal = jsonpathLiteral(operand as FilterScalar);
      return holds(path, `@.type() == "${type}" && @ ${ORDER[op]} ${literal}`);
    }
    case '$in':
    case '$nin': {
      const any = (operand as FilterScalar[]).map(equals).join(' || ');
      return `${op === '$nin' ? '!' : ''}${holds(path, any)}`;
    }
    case '$exists':
      return `${operand ? '' : '!'}${holds(path, TRUE)}`;
    case '$contains':
      return holds(
        path,
        `exists(@ ? (@.type() == "array")[*] ? (${equals(operand as FilterScalar)}))`,
      );
  }
}

/** Every entry of the filter, AND-ed; `1 == 1` for none. */
function predicate(filter: WebhookFilter): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$not') parts.push(`!(${predicate(value as WebhookFilter)})`);
    else if (key === '$and' || key === '$or') {
      const joiner = key === '$and' ? ' && ' : ' || ';
      parts.push(`(${(value as WebhookFilter[]).map((f) => `(${predicate(f)})`).join(joiner)})`);
    } else if (isPlainObject(value)) {
      for (const [op, operand] of Object.entries(value)) {
        parts.push(operator(key, op as FilterOperator, operand));
      }
    } else parts.push(operator(key, '$eq', value));
  }
  return parts.length === 0 ? TRUE : bounded(parts.join(' && '));
}

/** A filter's compiled form, or why it cannot be one (words that follow "filter: "). */
export type CompiledFilter = { path: string | null } | { problem: string };

/**
 * The filter's SQL/JSON path predicate (null for no filter), or its problem: the rules of
 * filter.rules.ts, then the compiled form's size (FILTER_LIMITS.compiledLength).
 */
export function compileFilter(filter: unknown): CompiledFilter {
  const problem = filterStructureProblem(filter);
  if (problem) return { problem };
  if (filter === null) return { path: null };
  try {
    return { path: bounded(`strict ${predicate(filter as WebhookFilter)}`) };
  } catch (err) {
    if (!(err instanceof TooLong)) throw err;
    // Stopped as soon as the text passed the limit: each segment of digits doubles what
    // follows it, so paths of several would otherwise take memory and time for nothing.
    return {
      problem:
        `compiles to more than ${FILTER_LIMITS.compiledLength} characters (each segment of ` +
        'digits on a path doubles the compiled form of what follows it): use fewer',
    };
  }
}

/** Why `value` is not a valid `filter`, in words that follow "filter: "; undefined if it is. */
export function filterProblem(value: unknown): string | undefined {
  const compiled = compileFilter(value);
  return 'problem' in compiled ? compiled.problem : undefined;
}
