import { isEventTypeName } from '../event/event-type.rules';

/** The limits of a catalogue entry (SPEC §14). */
export const EVENT_TYPE_CATALOGUE_LIMITS = {
  descriptionLength: 1024,
  /** A schema's JSON, serialized, in bytes. */
  schemaBytes: 65_536,
  /** Nesting of a schema's objects and arrays: deeper is refused before it is read. */
  schemaDepth: 32,
  /** A `pattern` (or a `patternProperties` key), in characters. */
  patternLength: 1024,
  /** Subschemas a schema may apply once its references are unfolded (schema-expansion). */
  expandedSubschemas: 10_000,
  /** `<JSON pointer>: <reason>` pairs in a 422's details. */
  mismatchDetails: 10,
};

/** The one draft a schema may declare (or leave `$schema` out). */
export const SCHEMA_DRAFT_URI = 'https://json-schema.org/draft/2020-12/schema';

/** An event-types-list sort key: a name. */
export const isEventTypeKey = (key: string[]): boolean =>
  key.length === 1 && isEventTypeName(key[0]);
