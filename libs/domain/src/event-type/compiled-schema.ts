import { createHash } from 'node:crypto';
import { Validator } from '@cfworker/json-schema';
import type Ajv2020 from 'ajv/dist/2020';
import safeRegex from 'safe-regex2';
import { InvalidFieldError } from '../common/domain-errors';
import { EVENT_TYPE_CATALOGUE_LIMITS as LIMITS, SCHEMA_DRAFT_URI } from './event-type.rules';
import { expansionProblem } from './schema-expansion';
import type { ThreadSchema } from './schema-validator-pool';
import { resolveLocally, unstorable, walkSchema } from './schema-walk';

/**
 * Checks submitted schemas against the draft 2020-12 meta-schema. The submitted schema is
 * ajv's data here, never compiled by it: ajv compiles only its own meta-schema (ajv turns a
 * schema into JavaScript with `new Function`, and treats schemas "as trusted as your
 * application code", which a client's are not).
 */
let metaSchema: Ajv2020 | undefined;

/**
 * The meta-schema checker, made on first use: only the API checks schemas, and ajv is some
 * 80 modules that a worker would otherwise load (and build) before its first claim.
 */
function metaSchemaChecker(): Ajv2020 {
  if (!metaSchema) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ajv = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
    metaSchema = new ajv.default({ strict: false, allErrors: false });
  }
  return metaSchema;
}

/**
 * A catalogue schema, checked by the catalogue's rules, as the schema threads take it
 * (SchemaValidatorPool): its JSON and the hash they keep it compiled by. Made once per
 * schema version and shared by every request (EventTypeCatalog).
 */
export class CompiledSchema implements ThreadSchema {
  private constructor(
    /** The schema's JSON, exactly what is checked and stored. */
    readonly json: string,
    /** SHA-256 of the schema's JSON as PostgreSQL's jsonb writes it (see EventTypeCatalog). */
    readonly hash: string,
  ) {}

  /**
   * The schema, checked by the catalogue's rules; an InvalidFieldError naming `schema`
   * when it breaks one: a key or string PostgreSQL cannot store as sent (a NUL, a lone
   * surrogate) or a number JSON cannot write (`1e999`), larger than 65,536 bytes, nested
   * deeper than 32, not a valid draft 2020-12 schema, a `$ref` to anything outside itself,
   * a `$id` below its root (it would move references' base elsewhere), a `pattern` that is
   * not a regular expression or whose nested quantifiers can take exponential time on a
   * crafted payload (ReDoS), a reference that loops without reaching into the payload, or
   * more than 10,000 subschemas once its references are unfolded (schema-expansion.ts).
   */
  static compile(schema: Record<string, unknown>, hash?: string): CompiledSchema {
    const refuse = (reason: string): never => {
      throw new InvalidFieldError('schema', reason);
    };
    const unfit = unstorable(schema);
    if (unfit) refuse(unfit);
    const json = JSON.stringify(schema);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > LIMITS.schemaBytes) {
      refuse(`must be at most ${LIMITS.schemaBytes} bytes of JSON (got ${bytes})`);
    }
    const facts = walkSchema(schema, LIMITS.schemaDepth);
    if (facts.tooDeep) refuse(`must be nested at most ${LIMITS.schemaDepth} levels deep`);
    if (schema.$schema !== undefined && schema.$schema !== SCHEMA_DRAFT_URI) {
      refuse(`must be a draft 2020-12 schema ($schema "${SCHEMA_DRAFT_URI}" or none)`);
    }
    const checker = metaSchemaChecker();
    if (!checker.validateSchema(schema)) {
      const [first] = checker.errors ?? [];
      refuse(
        `is not a valid draft 2020-12 schema: ${first?.instancePath || '/'} ${first?.message}`,
      );
    }
    for (const ref of facts.refs) {
      if (!ref.startsWith('#')) refuse(`may not reference anything outside itself ($ref "${ref}")`);
      if (resolveLocally(schema, ref, facts.anchors) === undefined) {
        refuse(`$ref "${ref}" names nothing in it`);
      }
    }
    if (facts.nestedIds > 0) refuse('may have $id at its root only');
    for (const pattern of facts.patterns) checkPattern(pattern, refuse);
    const resolve = (ref: string): unknown => resolveLocally(schema, ref, facts.anchors);
    const expansion = expansionProblem(schema, resolve, LIMITS.expandedSubschemas);
    if (expansion === 'loops') {
      refuse('has a $ref that leads back to itself without reaching into the payload');
    }
    if (expansion === 'too large') {
      refuse(
        `is too costly to check: over ${LIMITS.expandedSubschemas} subschemas once its references are unfolded`,
      );
    }
    try {
      new Validator(schema, '2020-12', true);
    } catch (err) {
      // What the meta-schema does not check, such as a root $id that is not a URI.
      return refuse(`cannot be used: ${(err as Error).message}`);
    }
    return new CompiledSchema(json, hash ?? hashSchema(json));
  }

  /** The same schema under the hash of its stored JSON (jsonb's own text). */
  storedAs(hash: string): CompiledSchema {
    return new CompiledSchema(this.json, hash);
  }
}

/** The SHA-256 of a schema's JSON. */
export function hashSchema(json: string): string {
  return createHash('sha256').update(json).digest('hex');
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
