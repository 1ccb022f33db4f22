// What tests (and benchmarks) may read of the domain beyond its public surface: the
// statements whose plans and locking they inspect. Apps never import it (ESLint forbids it).
export { CLAIM_SETTINGS, CLAIM_SQL, WALK_STEPS } from './dispatch/claim.sql';
export { PUBLISH_SQL } from './event/event.repository';
// §15 in plain TypeScript, the reference the compiled filters are tested against.
export { matchesFilter, parsePayload } from './webhook/filter/filter.evaluate';
// §14's schema checks, measured in and out of the schema threads.
export { CompiledSchema } from './event-type/compiled-schema';
export { SchemaValidation } from './event-type/schema-validation';
export { SchemaValidatorPool } from './event-type/schema-validator-pool';
