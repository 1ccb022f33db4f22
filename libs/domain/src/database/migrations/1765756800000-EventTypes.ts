import type { MigrationInterface, QueryRunner } from 'typeorm';

/** §5's name rule, as written when this migration landed. */
const NAME = '[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*';

const LOCK_TIMEOUT = '5s';

/** A lock not granted within LOCK_TIMEOUT (55P03), as an error that says what to do. */
function clearly(err: unknown): unknown {
  if ((err as { code?: string }).code !== '55P03') return err;
  return new Error(
    `EventTypes: the lock on deliveries was not granted within ${LOCK_TIMEOUT} (a long ` +
      `transaction holds it); nothing was changed. Run \`postmand migrate\` again, once ` +
      `that transaction is over.`,
    { cause: err },
  );
}

/**
 * v3 §14: `event_types`, the catalogue of the types producers publish, each with an
 * optional JSON Schema its events' payloads must match and an example payload.
 *
 * Names compare byte by byte (`COLLATE "C"`), so the list's order by name is the same on
 * every database whatever its locale, and the primary key's index serves it. The limits
 * are written out here, not read from the rules: a migration that has landed must not
 * change when a rule does.
 *
 * A test delivery (`POST /v1/webhooks/{id}/test`) carries its type without an event, so
 * `deliveries_event_both_or_neither` becomes "a delivery of an event has its type". The
 * new constraint is added NOT VALID: the ALTER's ACCESS EXCLUSIVE lock on deliveries is
 * held for a moment (no row read), at most LOCK_TIMEOUT waited for (queued behind a long
 * transaction it would hold every writer up behind it); past it this fails, nothing
 * changed, saying to run it again. EventTypesValidate, next, outside any transaction,
 * validates it: reading the whole table, under a lock that lets writes go on.
 */
export class EventTypes1765756800000 implements MigrationInterface {
  name = 'EventTypes1765756800000';

  async up(q: QueryRunner): Promise<void> {
    try {
      await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await this.apply(q);
    } catch (err) {
      throw clearly(err);
    }
  }

  private async apply(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_types (
        name        text COLLATE "C" PRIMARY KEY
                      CHECK (char_length(name) BETWEEN 1 AND 256 AND name ~ '^${NAME}$'),
        description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1024),
        schema      jsonb CHECK (jsonb_typeof(schema) = 'object'),
        example     text,
        deprecated  boolean NOT NULL DEFAULT false,
        created_at  timestamptz(3) NOT NULL DEFAULT now(),
        updated_at  timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_both_or_neither,
        ADD CONSTRAINT deliveries_event_has_type
          CHECK (event_id IS NULL OR event_type IS NOT NULL) NOT VALID`);
  }

  /**
   * Test deliveries (a type without an event) lose their type, the older schema having no
   * such delivery: an UPDATE that reads the table under a lock that lets writes go on.
   * The older constraint comes back NOT VALID: enforced on every row written from then on,
   * and every row there holds it (the UPDATE made sure), but not validated, since a revert
   * runs in one transaction (TypeORM's, whatever a migration says) and validating would
   * read the whole table under the ALTER's ACCESS EXCLUSIVE lock, held to its end. To mark
   * it validated afterwards, without stopping writes:
   * `ALTER TABLE deliveries VALIDATE CONSTRAINT deliveries_event_both_or_neither`.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await q.query(
      `UPDATE deliveries SET event_type = NULL WHERE event_id IS NULL AND event_type IS NOT NULL`,
    );
    await q.query(`
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_has_type,
        ADD CONSTRAINT deliveries_event_both_or_neither
          CHECK ((event_id IS NULL) = (event_type IS NULL)) NOT VALID`);
    await q.query(`DROP TABLE event_types`);
  }
}
