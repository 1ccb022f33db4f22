import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `postmand_json_doc` (SubscriptionFilters), made safe to run wherever it is called:
 *  - PARALLEL UNSAFE: its EXCEPTION block (which catches the cast's errors) starts a
 *    subtransaction, which a parallel worker cannot; marked PARALLEL SAFE, a plan that ran
 *    it in a worker would fail instead of answering NULL.
 *  - `search_path = pg_catalog, pg_temp`: its body (the cast to jsonb, `substring`) then
 *    resolves in the system catalogue only, whatever the caller's search_path, so no
 *    object of a schema a role can write to is picked up in its stead.
 * The function is named unqualified, as SubscriptionFilters created it and as the publish
 * statement calls it (the app sets no schema: its tables are unqualified too): the schema
 * it resolves to is the one the migrations run in, not one written here. A catalogue
 * change only: no lock on any table.
 */
export class JsonDocFunctionSafety1765756800030 implements MigrationInterface {
  name = 'JsonDocFunctionSafety1765756800030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER FUNCTION postmand_json_doc(text) PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION postmand_json_doc(text) PARALLEL SAFE RESET search_path`);
  }
}
