/**
 * How a schema unfolds when a validator follows its references (draft 2020-12): the
 * subschemas it applies, `$ref` and `$dynamicRef` replaced by what they name. Two shapes
 * make a validation unbounded whatever the payload, and are refused at PUT:
 * - a reference that comes back to a schema it is inside of without reaching into the
 *   payload (`{"$ref": "#"}` at the root, `{"allOf": [{"$ref": "#"}]}`): the validator
 *   applies it to the same value forever;
 * - references that fan out (`a0: {allOf: [{$ref: a1}, {$ref: a1}]}`, twenty levels is a
 *   million subschemas per value): the unfolded schema is counted, and past `maxVisits`
 *   subschemas it is refused. A reference back to a schema it is inside of that does reach
 *   into the payload (a tree's `children.items: {$ref: "#"}`) is counted once, not
 *   unfolded: the payload's own depth bounds it.
 */

/** Keywords that apply their subschemas to the value itself. */
const IN_PLACE = {
  single: ['not', 'if', 'then', 'else'],
  lists: ['allOf', 'anyOf', 'oneOf'],
  maps: ['dependentSchemas'],
};
/** Keywords that apply their subschemas to the value's members or items. */
const INTO = {
  single: [
    'items',
    'contains',
    'additionalProperties',
    'unevaluatedItems',
    'unevaluatedProperties',
    'propertyNames',
  ],
  lists: ['prefixItems'],
  maps: ['properties', 'patternProperties'],
};

export type ExpansionProblem = 'loops' | 'too large' | null;

/**
 * Unfolds `schema` from its root; `resolve` names what a reference points at (every
 * reference resolves: checked before). Iterative: the unfolding may be deeper than the
 * stack.
 */
export function expansionProblem(
  schema: unknown,
  resolve: (ref: string, dynamic: boolean) => unknown,
  maxVisits: number,
): ExpansionProblem {
  /** The schemas the unfolding is inside of, with how many steps into the payload it took. */
  const inside = new Map<object, number>();
  const todo: { node: unknown; into: number; leave?: true }[] = [{ node: schema, into: 0 }];
  let visits = 0;
  while (todo.length > 0) {
    const { node, into, leave } = todo.pop()!;
    if (leave) {
      inside.delete(node as object);
      continue;
    }
    if (++visits > maxVisits) return 'too large';
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    inside.set(node, into);
    todo.push({ node, into, leave: true });
    const keywords = node as Record<string, unknown>;
    for (const [key, dynamic] of [
      ['$ref', false],
      ['$dynamicRef', true],
    ] as const) {
      if (typeof keywords[key] !== 'string') continue;
      const target = resolve(keywords[key], dynamic);
      const at = inside.get(target as object);
      if (at === into) return 'loops';
      if (at === undefined) todo.push({ node: target, into });
      else if (++visits > maxVisits) return 'too large';
    }
    for (const [kinds, step] of [
      [IN_PLACE, 0],
      [INTO, 1],
    ] as const) {
      for (const key of kinds.single) push(keywords[key], into + step);
      for (const key of kinds.lists) {
        if (Array.isArray(keywords[key])) for (const sub of keywords[key]) push(sub, into + step);
      }
      for (const key of kinds.maps) {
        const map = keywords[key];
        if (map !== null && typeof map === 'object') {
          for (const sub of Object.values(map)) push(sub, into + step);
        }
      }
    }
  }
  return null;

  function push(node: unknown, into: number): void {
    if (node !== undefined) todo.push({ node, into });
  }
}
