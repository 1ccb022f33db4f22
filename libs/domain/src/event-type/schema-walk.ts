/**
 * A keyword-aware walk over a JSON Schema (draft 2020-12) as submitted: every subschema,
 * not the data inside `enum`, `const`, `default` or `examples`, and the keys of
 * `properties` as names, not keywords. It reports what the catalogue's rules look at:
 * references, anchors, nested `$id`s and regular expressions, and refuses a nesting deeper
 * than `maxDepth` before going further (the walk recurses at most that deep).
 */
export interface SchemaFacts {
  refs: string[];
  anchors: Set<string>;
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
    anchors: new Set(),
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
        facts.anchors.add(value);
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
 * Whether a local reference (`#`, `#/json/pointer` or `#anchor`) names something inside
 * `schema`.
 */
export function resolvesLocally(schema: unknown, ref: string, anchors: Set<string>): boolean {
  if (ref === '#') return true;
  if (!ref.startsWith('#/')) return anchors.has(ref.slice(1));
  let node: unknown = schema;
  for (const raw of ref.slice(2).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return false;
    }
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return false;
    node = (node as Record<string, unknown>)[token];
  }
  return node !== null && (typeof node === 'object' || typeof node === 'boolean');
}
