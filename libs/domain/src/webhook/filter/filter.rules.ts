/**
 * Subscription filters (SPEC §15): what a webhook's `filter` may be. A filter is a JSON
 * object whose entries must all hold; an entry is `"<path>": <scalar>`,
 * `"<path>": {"<operator>": <operand>, …}`, `"$and"`/`"$or": [<filter>, …]` or
 * `"$not": <filter>`. Pure rules: filter.jsonpath.ts compiles a valid filter for the
 * publish statement, filter.evaluate.ts evaluates one in TypeScript (the reference).
 */

/** A filter, as the API takes it and the `filter` column stores it. */
export type WebhookFilter = { [key: string]: unknown };

/** A scalar operand: what a path's value is compared with. */
export type FilterScalar = string | number | boolean | null;

export const FILTER_LIMITS = {
  /** Its JSON (JSON.stringify, no spaces) in UTF-8 bytes, at most. */
  bytes: 4096,
  /**
   * Nesting depth, at most: the filter itself is at depth 1, and each filter inside a
   * `$and`, `$or` or `$not` is one deeper than the filter holding it (an entry's object
   * of operators is not a filter and adds no depth).
   */
  depth: 5,
  /** Filters in one `$and` or `$or`. */
  combined: { min: 1, max: 20 },
  /** Scalars in one `$in` or `$nin`. */
  listed: { min: 1, max: 100 },
  /**
   * Segments of digits on one path, at most: a segment of digits is an array's element or
   * an object's key, decided by the payload, so the compiled predicate holds both readings
   * of what follows it, and each such segment on one path doubles its size.
   */
  digitSegments: 4,
  /**
   * Characters of its compiled SQL/JSON path, at most (evaluated on every event of its
   * types): the largest filters without segments of digits compile to about 5 times their
   * JSON (a 3.6 KB one of 100 ranges, 18 KB), so this leaves those whole while segments of
   * digits cannot make one much bigger.
   */
  compiledLength: 32_768,
} as const;

/** Segments of `[A-Za-z0-9_-]` joined by `.`. */
const PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export const FILTER_OPERATORS = [
  '$eq',
  '$neq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$contains',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** The entries that combine filters. */
const COMBINATORS = ['$and', '$or', '$not'];

export function isFilterPath(key: string): boolean {
  return PATH.test(key);
}

export function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UNSAFE_INTEGER =
  'an integer beyond ±9007199254740991 (2^53 − 1), which is not kept exactly (a double ' +
  'rounds it); compare it as a string instead';

/** Why `value` is not a scalar the filter can hold; undefined when it is one. */
function scalarProblem(value: unknown): string | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'number out of range';
    // A double holds every integer up to 2^53 − 1 exactly, and no longer all of them past
    // it: 9007199254740993 would be read, compiled and compared as 9007199254740992.
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? UNSAFE_INTEGER : undefined;
  }
  if (typeof value === 'string') {
    // Text PostgreSQL cannot hold (nor a jsonpath spell).
    return value.includes('\u0000') || !value.isWellFormed()
      ? 'text holding NUL or an unpaired surrogate'
      : undefined;
  }
  return 'not a scalar';
}

function isScalar(value: unknown): value is FilterScalar {
  return scalarProblem(value) === undefined;
}

const SCALAR = 'a scalar (a string, number, boolean or null)';

/** Why an operator's operand is wrong; undefined when right. */
function operandProblem(op: FilterOperator, operand: unknown): string | undefined {
  const bad = scalarProblem(operand);
  if (bad === UNSAFE_INTEGER) return `${op} must not be ${bad}`;
  if (
    (op === '$in' || op === '$nin') &&
    Array.isArray(operand) &&
    operand.some((s) => scalarProblem(s) === UNSAFE_INTEGER)
  ) {
    return `${op} must not hold ${UNSAFE_INTEGER}`;
  }
  switch (op) {
    case '$eq':
    case '$neq':
    case '$contains':
      return bad ? `${op} needs ${SCALAR}` : undefined;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return (typeof operand === 'number' || typeof operand === 'string') && !bad
        ? undefined
        : `${op} needs a number or a string`;
    case '$in':
    case '$nin': {
      const { min, max } = FILTER_LIMITS.listed;
      return Array.isArray(operand) &&
        operand.length >= min &&
        operand.length <= max &&
        operand.every(isScalar)
        ? undefined
        : `${op} needs an array of ${min} to ${max} scalars (strings, numbers, booleans or null)`;
    }
    case '$exists':
      return typeof operand === 'boolean' ? undefined : '$exists needs true or false';
  }
}

/** Why an entry's value is wrong ("<where>: <reason>"); undefined when right. */
function entryProblem(where: string, value: unknown): string | undefined {
  if (!isPlainObject(value)) {
    const bad = scalarProblem(value);
    if (!bad) return undefined;
    if (bad !== 'not a scalar') return `${where}: must not be ${bad}`;
    return `${where}: must be ${SCALAR} or an object of operators`;
  }
  const ops = Object.keys(value);
  if (ops.length === 0) return `${where}: must hold at least one operator`;
  for (const op of ops) {
    if (!(FILTER_OPERATORS as readonly string[]).includes(op)) {
      return `${where}: unknown operator ${op}`;
    }
    const problem = operandProblem(op as FilterOperator, value[op]);
    if (problem) return `${where}: ${problem}`;
  }
  return undefined;
}

/** Why the filter at `where` (its location; '' for the whole) is wrong, `depth` deep. */
function problemAt(filter: unknown, where: string, depth: number): string | undefined {
  const at = (key: string) => (where ? `${where}.${key}` : key);
  if (!isPlainObject(filter)) return `${where}: must be a filter (a JSON object)`;
  if (depth > FILTER_LIMITS.depth) {
    return `${where}: nests deeper than ${FILTER_LIMITS.depth} filters`;
  }
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$not') {
      const problem = problemAt(value, at(key), depth + 1);
      if (problem) return problem;
    } else if (key === '$and' || key === '$or') {
      const { min, max } = FILTER_LIMITS.combined;
      if (!Array.isArray(value) || value.length < min || value.length > max) {
        return `${at(key)}: must be an array of ${min} to ${max} filters`;
      }
      for (let i = 0; i < value.length; i++) {
        const problem = problemAt(value[i], `${at(key)}[${i}]`, depth + 1);
        if (problem) return problem;
      }
    } else if (key.startsWith('$')) {
      return `${at(key)}: unknown operator (${COMBINATORS.join(', ')} combine filters)`;
    } else if (!isFilterPath(key)) {
      return `${at(key)}: is not a path (segments of letters, digits, "_" and "-" joined by ".")`;
    } else if (key.split('.').filter((s) => /^\d+$/.test(s)).length > FILTER_LIMITS.digitSegments) {
      return (
        `${at(key)}: has more than ${FILTER_LIMITS.digitSegments} segments of digits ` +
        '(each is read as an element and as a key, doubling the compiled form)'
      );
    } else {
      const problem = entryProblem(at(key), value);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * Why `value` is not a valid `filter` (null is: no filter), in words that follow
 * "filter: " and name where (`data.tier: unknown operator $foo`,
 * `$or[1].$not.tags: $in needs an array …`); undefined when it is valid. The size of its
 * compiled form is checked by compileFilter (filter.jsonpath.ts), which says the same way.
 */
export function filterStructureProblem(value: unknown): string | undefined {
  if (value === null) return undefined;
  if (!isPlainObject(value)) return 'must be null or a JSON object';
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > FILTER_LIMITS.bytes) {
    return `must be at most ${FILTER_LIMITS.bytes} bytes as JSON (it is ${bytes})`;
  }
  const problem = problemAt(value, '', 1);
  // The whole filter's own problems have no location: drop the ": " it would start with.
  return problem?.startsWith(': ') ? problem.slice(2) : problem;
}
