/**
 * A keyword-aware walk over a JSON Schema (draft 2020-12) as submitted: every subschema,
 * not the data inside `enum`, `const`, `default` or `examples`, and the keys of
 * `properties` as names, not keywords. It reports what the catalogue's rules look at:
 * references, anchors, nested `$id`s and regular expressions, and refuses a nesting deeper
 * than `maxDepth` before going further (the walk recurses at most that deep).
 */
export interface SchemaFacts {
  refs: string[];
  /** `$anchor` and `$dynamicAnchor` names, each with its subschema. */
  anchors: Map<string, unknown>;
  nestedIds: number;
  patterns: string[];
  tooDeep: boolean;
}

/** Keywords whose value is data, never a schema. */
const DATA = new Set(['enum', 'const', 'default', 'examples', 'required', 'dependentRequired']);
/** Keywords whose value maps names to subschemas. */
const MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
]);

export function walkSchema(schema: unknown, maxDepth: number): SchemaFacts {
  const facts: SchemaFacts = {
    refs: [],
    anchors: new Map(),
    nestedIds: 0,
    patterns: [],
    tooDeep: false,
  };
  const visit = (node: unknown, depth: number, root: boolean): void => {
    if (facts.tooDeep || node === null || typeof node !== 'object') return;
    if (depth > maxDepth) {
      facts.tooDeep = true;
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1, false);
      return;
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (DATA.has(key)) continue;
      if ((key === '$ref' || key === '$dynamicRef') && typeof value === 'string') {
        facts.refs.push(value);
      } else if ((key === '$anchor' || key === '$dynamicAnchor') && typeof value === 'string') {
        facts.anchors.set(value, node);
      } else if (key === '$id') {
        if (!root) facts.nestedIds++;
      } else if (key === 'pattern' && typeof value === 'string') {
        facts.patterns.push(value);
      } else if (MAPS.has(key) && value !== null && typeof value === 'object') {
        if (key === 'patternProperties') facts.patterns.push(...Object.keys(value));
        for (const sub of Object.values(value)) visit(sub, depth + 2, false);
      } else {
        visit(value, depth + 1, false);
      }
    }
  };
  visit(schema, 1, true);
  return facts;
}

/**
 * The subschema a local reference (`#`, `#/json/pointer` or `#anchor`) names inside
 * `schema`; undefined when it names nothing there.
 */
export function resolveLocally(
  schema: unknown,
  ref: string,
  anchors: Map<string, unknown>,
): unknown {
  if (ref === '#') return schema;
  if (!ref.startsWith('#/')) return anchors.get(ref.slice(1));
  let node: unknown = schema;
  for (const raw of ref.slice(2).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) {
      return undefined;
    }
    node = (node as Record<string, unknown>)[token];
  }
  return node !== null && (typeof node === 'object' || typeof node === 'boolean')
    ? node
    : undefined;
}

/**
 * What in a JSON value (every key, string and number, data included) cannot be stored as
 * PostgreSQL's jsonb or text keep it, or would not be stored as sent: a NUL character, a
 * lone surrogate (not Unicode), a number JSON cannot write (`1e999` reads as Infinity and
 * would be written as null). Null when there is none.
 */
export function unstorable(value: unknown): string | null {
  if (typeof value === 'string') return unstorableText(value);
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? null
      : 'must not contain a number JSON cannot represent (out of range)';
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const problem = (Array.isArray(value) ? null : unstorableText(key)) ?? unstorable(item);
    if (problem) return problem;
  }
  return null;
}

/**
 * A NUL character or a lone surrogate in `text`, which PostgreSQL cannot keep as sent (the
 * API's isStorableText, for the schema's keys and strings, which no DTO rule reaches).
 */
function unstorableText(text: string): string | null {
  return text.includes('\u0000') || !text.isWellFormed()
    ? 'must not contain NUL characters or unpaired surrogates'
    : null;
}
