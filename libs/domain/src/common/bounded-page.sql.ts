/*
 * BoundedPage's SQL: what it adds to a repository's page query (the repository's query
 * builder), and the statement it runs as the page is consumed.
 */

/** The total size in bytes of the bodies (`columns`) of the row aliased `alias`. */
export function bodyBytesSql(alias: string, columns: string[]): string {
  return columns.map((c) => `coalesce(octet_length(${alias}.${c}), 0)`).join(' + ');
}

/** The body `column` when the row's bodies (`size` bytes) are at most `inlineBytes`, else NULL. */
export function inlineBodySql(
  size: string,
  alias: string,
  column: string,
  inlineBytes: number,
): string {
  return `CASE WHEN (${size}) <= ${inlineBytes} THEN ${alias}.${column} END`;
}

/**
 * The bodies (`columns`) of the rows of `table` whose id is in $1, as slices of
 * `sliceBytes` bytes, in one statement: each body is detoasted once (the MATERIALIZED
 * row), then cut into byte ranges. Rows come as (id, n: the column's index in `columns`,
 * part), in order. A body that is empty still yields one row (a NULL part), so that a
 * row that exists is told from one that was deleted.
 */
export function bodySlicesSql(table: string, columns: string[], sliceBytes: number): string {
  const values = columns.map((c, i) => `(${i}, t.${c})`).join(', ');
  return `WITH r AS MATERIALIZED (
         SELECT t.id, f.n, convert_to(f.v, 'UTF8') AS b
         FROM ${table} t CROSS JOIN LATERAL (VALUES ${values}) AS f(n, v)
         WHERE t.id = ANY($1::uuid[])
       )
       SELECT r.id, r.n, substring(r.b FROM s FOR ${sliceBytes}) AS part
       FROM r LEFT JOIN LATERAL generate_series(1, octet_length(r.b), ${sliceBytes}) s ON true
       ORDER BY r.id, r.n, s`;
}
