import type { MigrationInterface, QueryRunner } from 'typeorm';

const LOCK_TIMEOUT = '5s';

/**
 * v3 §15, subscription filters: a webhook's `filter` (a JSON object, or NULL for none) and
 * `filter_path`, the same filter compiled to an SQL/JSON path predicate when the webhook
 * is written (filter.jsonpath.ts), which the publish statement evaluates on each event's
 * payload. And `postmand_json_doc`, the payload parsed as jsonb for that: NULL when it is
 * not a JSON object or array, or not JSON at all (PostgreSQL 15 has no `IS JSON`; the
 * cast's error is caught, so such a payload never fails a publish).
 *
 * Cheap on a big table: nullable columns without a default are written into the
 * catalogue only (no table rewrite); every existing webhook has no filter. The ALTER
 * takes the table's ACCESS EXCLUSIVE lock for a moment; queued behind a long transaction
 * it would hold every writer up behind it, so `lock_timeout` (5 s, this transaction's
 * only) bounds the wait: past it the migration fails having changed nothing, and says to
 * run `postmand migrate` again. Each step is written to be run again safely.
 */
export class SubscriptionFilters1765756800010 implements MigrationInterface {
  name = 'SubscriptionFilters1765756800010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    try {
      await q.query(
        `ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS filter jsonb,
                              ADD COLUMN IF NOT EXISTS filter_path jsonpath`,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      throw new Error(
        `SubscriptionFilters: the lock on webhooks was not granted within ${LOCK_TIMEOUT} ` +
          '(a long transaction holds it); nothing was changed. Run `postmand migrate` ' +
          'again, once that transaction is over.',
        { cause: err },
      );
    }
    // Only the leading white space is looked at before the cast: a payload that does not
    // open with { or [ (most of them, when they are not JSON) costs no parse and no
    // subtransaction. The EXCEPTION block catches every error of the cast (bad JSON,
    // \u0000, nesting past the stack, a number beyond numeric's range).
    await q.query(`
      CREATE OR REPLACE FUNCTION postmand_json_doc(payload text) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      BEGIN
        IF substring(payload FROM '^[ \\t\\n\\r]*([\\[{])') IS NULL THEN RETURN NULL; END IF;
        BEGIN
          RETURN payload::jsonb;
        EXCEPTION WHEN OTHERS THEN
          RETURN NULL;
        END;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await q.query(`DROP FUNCTION IF EXISTS postmand_json_doc(text)`);
    await q.query(
      `ALTER TABLE webhooks DROP COLUMN IF EXISTS filter_path, DROP COLUMN IF EXISTS filter`,
    );
  }
}
