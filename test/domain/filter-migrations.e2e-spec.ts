import { migrate, MIGRATIONS } from '@app/domain';
import { createTestDatabase } from '../support/database';
import { migratedBefore } from '../helpers/migrations';

const NAME = 'SubscriptionFilters1765756800010';

/** SubscriptionFilters (SPEC §15) on a database with webhooks in it. */
describe('migrations: subscription filters', () => {
  it('adds the columns without rewriting the table, runs again safely, parses payloads without failing, and reverts', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const { old, webhookId, before } = await migratedBefore(fresh, NAME);
      const relfile = `SELECT relfilenode FROM pg_class WHERE relname = 'webhooks'`;
      const [{ relfilenode }] = await old.query<{ relfilenode: number }[]>(relfile);
      await old.destroy();
      expect(await migrate(fresh.dataSource)).toEqual(MIGRATIONS.slice(before).map((m) => m.name));
      const sql = fresh.dataSource;
      // Nullable, without a default: written into the catalogue only, the table kept.
      expect(await sql.query(relfile)).toEqual([{ relfilenode }]);
      expect(await sql.query(`SELECT id, filter, filter_path FROM webhooks`)).toEqual([
        { id: webhookId, filter: null, filter_path: null },
      ]);

      // Run again (as after a failure half-way): nothing changes, nothing fails.
      const migration = new (
        MIGRATIONS[before] as new () => {
          up(q: unknown): Promise<void>;
          down(q: unknown): Promise<void>;
        }
      )();
      const runner = sql.createQueryRunner();
      try {
        await runner.startTransaction();
        await migration.up(runner);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      expect(await sql.query(relfile)).toEqual([{ relfilenode }]);

      const docs = await sql.query<{ doc: unknown }[]>(
        `SELECT postmand_json_doc(p) AS doc FROM unnest($1::text[]) WITH ORDINALITY AS t (p, n)
         ORDER BY n`,
        [[' {"a":1}', '[1]', '"a"', '1', 'x', '{"a":', '{"a":"\\u0000"}', '[1e1000000]', '']],
      );
      expect(docs.map((d) => d.doc)).toEqual([
        { a: 1 },
        [1],
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);

      // Reverted, with the migrations after it.
      for (let i = before; i < MIGRATIONS.length; i++) {
        await sql.undoLastMigration({ transaction: 'each' });
      }
      const columns = await sql.query(
        `SELECT column_name FROM information_schema.columns
         WHERE table_name = 'webhooks' AND column_name LIKE 'filter%'`,
      );
      expect(columns).toEqual([]);
      const [{ n }] = await sql.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'postmand_json_doc'`,
      );
      expect(n).toBe(0);
      expect(await migrate(sql)).toEqual(MIGRATIONS.slice(before).map((m) => m.name));
    } finally {
      await fresh.drop();
    }
  });

  it('JsonDocFunctionSafety: postmand_json_doc is parallel unsafe, with its own search_path, and reverts', async () => {
    const fresh = await createTestDatabase();
    try {
      const sql = fresh.dataSource;
      const attributes = async () =>
        (
          await sql.query<{ parallel: string; config: string[] | null }[]>(
            `SELECT proparallel AS parallel, proconfig AS config FROM pg_proc
             WHERE proname = 'postmand_json_doc'`,
          )
        )[0];
      expect(await attributes()).toEqual({
        parallel: 'u',
        config: ['search_path=pg_catalog, pg_temp'],
      });
      // Forced into a parallel plan, a call whose cast fails (its EXCEPTION block) answers
      // NULL rather than failing: the function is kept in the leader.
      const runner = sql.createQueryRunner();
      try {
        await runner.startTransaction();
        await runner.query(`SET LOCAL force_parallel_mode = on`);
        await runner.query(`SET LOCAL search_path = pg_temp, public`);
        const rows = (await runner.query(
          `SELECT postmand_json_doc(p) AS doc FROM unnest(ARRAY['{"a":', '{"a":1}']) AS p`,
        )) as { doc: unknown }[];
        expect(rows.map((r) => r.doc)).toEqual([null, { a: 1 }]);
        await runner.rollbackTransaction();
      } finally {
        await runner.release();
      }

      // Undone with those after it, and applied again with them.
      const names = MIGRATIONS.map((m) => m.name);
      const again = names.slice(names.indexOf('JsonDocFunctionSafety1765756800030'));
      for (let i = 0; i < again.length; i++) await sql.undoLastMigration({ transaction: 'each' });
      expect(await attributes()).toEqual({ parallel: 's', config: null });
      expect(await migrate(sql)).toEqual(again);
    } finally {
      await fresh.drop();
    }
  });
});
