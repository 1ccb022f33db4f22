import { Validator, type OutputUnit } from '@cfworker/json-schema';
import { EVENT_TYPE_CATALOGUE_LIMITS as LIMITS } from './event-type.rules';

/**
 * A catalogue schema ready to check payloads: two @cfworker/json-schema Validators, which
 * interpret the schema (no code is generated from it). The first stops at the first
 * failure and answers whether a payload matches; only a payload that does not is checked
 * again by the second, which reports every failure, for the 422's details. A matching
 * payload, the common case, is read once.
 *
 * This runs inside a schema thread (SchemaValidatorPool): the payload's size and the
 * schema's shape (references that fan out, `uniqueItems` on a long array, a pattern that
 * backtracks) can make a validation long, and there the pool's deadline bounds it.
 */
export class SchemaValidation {
  private readonly yesNo: Validator;
  private readonly report: Validator;

  constructor(schema: Record<string, unknown>) {
    this.yesNo = new Validator(schema, '2020-12', true);
    this.report = new Validator(schema, '2020-12', false);
  }

  /**
   * What is wrong with `payload` by the schema: at most 10 `<JSON pointer>: <reason>`
   * pairs, the innermost failures (a `properties` failure is told by the property's own),
   * each pointer and reason cut to 200 characters; none when it matches. A payload that
   * is not JSON is one problem at the empty pointer (the whole payload).
   */
  problems(payload: string): string[] {
    let data: unknown;
    try {
      data = JSON.parse(payload);
    } catch (err) {
      return [`: is not JSON (${cut((err as Error).message)})`];
    }
    try {
      if (this.yesNo.validate(data).valid) return [];
      return describe(this.report.validate(data).errors, LIMITS.mismatchDetails);
    } catch (err) {
      // A schema that recurses ($ref "#") on a payload nested deeper than the stack.
      return err instanceof RangeError
        ? [': could not be checked against the schema (nested too deeply)']
        : [`: could not be checked against the schema (${cut((err as Error).message)})`];
    }
  }
}

/** Keywords that report a failure of their subschemas beside the subschemas' own. */
const AGGREGATES = new Set([
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'items',
  'prefixItems',
  'propertyNames',
]);

/** A pointer's or a reason's length in a 422's details, at most. */
const PART_CHARS = 200;

/**
 * The innermost failures as `<pointer>: <reason>`, once each, in the validator's order, at
 * most `max`. Linear in the errors: a failure is left out when another's location is
 * below its own, which is a lookup in the set of every failure's ancestor locations.
 */
export function describe(errors: OutputUnit[], max: number): string[] {
  const keywordAncestors = new Set<string>();
  const instanceAncestors = new Set<string>();
  for (const e of errors) {
    addAncestors(e.keywordLocation, keywordAncestors);
    addAncestors(e.instanceLocation, instanceAncestors);
  }
  const pairs = new Set<string>();
  for (const e of errors) {
    if (pairs.size >= max) break;
    if (keywordAncestors.has(e.keywordLocation)) continue;
    if (AGGREGATES.has(e.keyword) && instanceAncestors.has(e.instanceLocation)) continue;
    pairs.add(pair(e));
  }
  return [...pairs];
}

/** Every proper prefix of `location` that ends before one of its `/`. */
function addAncestors(location: string, into: Set<string>): void {
  for (let i = location.indexOf('/'); i >= 0; i = location.indexOf('/', i + 1)) {
    into.add(location.slice(0, i));
  }
}

function pair(e: OutputUnit): string {
  const pointer = toPointer(e.instanceLocation);
  if (e.keyword === 'required') {
    const name = /required property "(.*)"\.?$/.exec(e.error)?.[1];
    if (name !== undefined) {
      return `${cut(`${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`)}: is required`;
    }
  }
  if (e.keyword === 'false') return `${cut(pointer)}: is not allowed`;
  return `${cut(pointer)}: ${cut(e.error.replace(/\.$/, ''))}`;
}

/**
 * The validator's instance location (`#/a%20b/0`: a URI fragment, each segment escaped by
 * RFC 6901 and then percent-encoded) as a plain RFC 6901 pointer (`/a b/0`; `~0` and `~1`
 * kept), the form a `required` member's pointer takes.
 */
export function toPointer(location: string): string {
  return location
    .replace(/^#/, '')
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function cut(text: string): string {
  return text.length > PART_CHARS ? `${text.slice(0, PART_CHARS - 1)}…` : text;
}
