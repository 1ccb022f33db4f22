import { createHash } from 'node:crypto';
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import Ajv2020 from 'ajv/dist/2020';
import safeRegex from 'safe-regex2';
import { InvalidFieldError } from '../common/domain-errors';
import { EVENT_TYPE_CATALOGUE_LIMITS as LIMITS, SCHEMA_DRAFT_URI } from './event-type.rules';
import { resolvesLocally, walkSchema } from './schema-walk';

/**
 * Checks submitted schemas against the draft 2020-12 meta-schema. The submitted schema is
 * ajv's data here, never compiled by it: ajv compiles only its own meta-schema (ajv turns a
 * schema into JavaScript with `new Function`, and treats schemas "as trusted as your
 * application code", which a client's are not).
 */
const metaSchema = new Ajv2020({ strict: false, allErrors: false });

/**
 * A catalogue schema, ready to check payloads: @cfworker/json-schema's Validator, an
 * interpreter of the schema (it generates no code from it), made once per schema version
 * and shared by every request (SchemaCache).
 */
export class CompiledSchema {
  private constructor(
    private readonly validator: Validator,
    /** SHA-256 of the schema's JSON as PostgreSQL's jsonb writes it (see SchemaCache). */
    readonly hash: string,
  ) {}

  /**
   * The schema, checked by the catalogue's rules; an InvalidFieldError naming `schema`
   * when it breaks one: larger than 65,536 bytes, nested deeper than 32, not a valid draft
   * 2020-12 schema, a `$ref` to anything outside itself, a `$id` below its root (it would
   * move references' base elsewhere), a `pattern` that is not a regular expression or
   * whose nested quantifiers can take exponential time on a crafted payload (ReDoS).
   */
  static compile(schema: Record<string, unknown>, hash = hashSchema(schema)): CompiledSchema {
    const refuse = (reason: string): never => {
      throw new InvalidFieldError('schema', reason);
    };
    const bytes = Buffer.byteLength(JSON.stringify(schema), 'utf8');
    if (bytes > LIMITS.schemaBytes) {
      refuse(`must be at most ${LIMITS.schemaBytes} bytes of JSON (got ${bytes})`);
    }
    const facts = walkSchema(schema, LIMITS.schemaDepth);
    if (facts.tooDeep) refuse(`must be nested at most ${LIMITS.schemaDepth} levels deep`);
    if (schema.$schema !== undefined && schema.$schema !== SCHEMA_DRAFT_URI) {
      refuse(`must be a draft 2020-12 schema ($schema "${SCHEMA_DRAFT_URI}" or none)`);
    }
    if (!metaSchema.validateSchema(schema)) {
      const [first] = metaSchema.errors ?? [];
      refuse(
        `is not a valid draft 2020-12 schema: ${first?.instancePath || '/'} ${first?.message}`,
      );
    }
    for (const ref of facts.refs) {
      if (!ref.startsWith('#')) refuse(`may not reference anything outside itself ($ref "${ref}")`);
      if (!resolvesLocally(schema, ref, facts.anchors)) refuse(`$ref "${ref}" names nothing in it`);
    }
    if (facts.nestedIds > 0) refuse('may have $id at its root only');
    for (const pattern of facts.patterns) checkPattern(pattern, refuse);
    let validator: Validator;
    try {
      validator = new Validator(schema, '2020-12', false);
    } catch (err) {
      // What the meta-schema does not check, such as a root $id that is not a URI.
      return refuse(`cannot be used: ${(err as Error).message}`);
    }
    return new CompiledSchema(validator, hash);
  }

  /** The same compiled schema under the hash of its stored JSON (jsonb's own text). */
  storedAs(hash: string): CompiledSchema {
    return new CompiledSchema(this.validator, hash);
  }

  /**
   * What is wrong with `payload` by the schema: at most 10 `<JSON pointer>: <reason>`
   * pairs, the innermost failures (a `properties` failure is told by the property's own);
   * none when it matches. A payload that is not JSON is one problem at the empty pointer
   * (the whole payload).
   */
  problems(payload: string): string[] {
    let data: unknown;
    try {
      data = JSON.parse(payload);
    } catch (err) {
      return [`: is not JSON (${(err as Error).message})`];
    }
    let errors: OutputUnit[];
    try {
      errors = this.validator.validate(data).errors;
    } catch (err) {
      // A schema that recurses ($ref "#") on a payload nested deeper than the stack; or a
      // reference the validator resolves otherwise than compile() did.
      return err instanceof RangeError
        ? [': could not be checked against the schema (nested too deeply)']
        : [`: could not be checked against the schema (${(err as Error).message})`];
    }
    return describe(errors).slice(0, LIMITS.mismatchDetails);
  }
}

/** The SHA-256 of a schema's JSON. */
export function hashSchema(schema: unknown): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

function checkPattern(pattern: string, refuse: (reason: string) => never): void {
  const shown = pattern.length > 40 ? `${pattern.slice(0, 40)}…` : pattern;
  if (pattern.length > LIMITS.patternLength) {
    refuse(`pattern "${shown}" is longer than ${LIMITS.patternLength} characters`);
  }
  try {
    new RegExp(pattern, 'u');
  } catch {
    refuse(`pattern "${shown}" is not a valid regular expression`);
  }
  if (!safeRegex(pattern)) {
    refuse(`pattern "${shown}" has nested quantifiers that can take exponential time`);
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

/** The innermost failures as `<pointer>: <reason>`, once each, in the validator's order. */
function describe(errors: OutputUnit[]): string[] {
  const pairs = errors
    .filter(
      (e) =>
        !errors.some(
          (f) =>
            f !== e &&
            (f.keywordLocation.startsWith(`${e.keywordLocation}/`) ||
              (AGGREGATES.has(e.keyword) &&
                f.instanceLocation.startsWith(`${e.instanceLocation}/`))),
        ),
    )
    .map((e) => {
      const pointer = e.instanceLocation.replace(/^#/, '');
      if (e.keyword === 'required') {
        const name = /required property "(.*)"\.?$/.exec(e.error)?.[1];
        if (name !== undefined)
          return `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}: is required`;
      }
      if (e.keyword === 'false') return `${pointer}: is not allowed`;
      return `${pointer}: ${e.error.replace(/\.$/, '')}`;
    });
  return [...new Set(pairs)];
}
