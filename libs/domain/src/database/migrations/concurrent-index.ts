import type { QueryRunner } from 'typeorm';

/**
 * Builds index `name` with `ddl` (CREATE … CONCURRENTLY) unless it is there and valid: a
 * run interrupted mid-build leaves it invalid (dropped and built again), one interrupted
 * later leaves it valid (kept: rebuilding it would read the table again for nothing).
 */
export async function buildIndex(q: QueryRunner, name: string, ddl: string): Promise<void> {
  const found = (await q.query(
    `SELECT x.indisvalid AS valid FROM pg_index x WHERE x.indexrelid = to_regclass($1)`,
    [name],
  )) as { valid: boolean }[];
  if (found[0]?.valid) return;
  if (found.length > 0) await q.query(`DROP INDEX CONCURRENTLY ${name}`);
  await q.query(ddl);
}
