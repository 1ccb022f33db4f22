import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** A raw row as node-postgres returns it. */
export type Row = Record<string, unknown>;

/**
 * Maps a raw row (snake_case columns, as `RETURNING` gives them) onto an entity with the
 * entity's own column metadata: the one row mapper of every table, so raw SQL and the
 * query builder yield the same shape. With `prefix`, the row's columns are named
 * `<prefix><column>` (a statement that returns two tables' columns side by side); only
 * the columns present are set.
 */
export function rowToEntity<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  row: Row,
  prefix = '',
): T {
  return rowMapper(dataSource, target, prefix)(row);
}

/**
 * `rowToEntity` made once for many rows of one statement (the claim): the metadata and
 * the prefixed column names are looked up when it is made, not for every row.
 */
export function rowMapper<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  prefix = '',
): (row: Row) => T {
  const metadata = dataSource.getMetadata(target);
  const columns = metadata.columns.map((column) => [column, prefix + column.databaseName] as const);
  return (row) => {
    const entity = metadata.create() as T;
    for (const [column, name] of columns) {
      if (name in row) column.setEntityValue(entity, row[name]);
    }
    return entity;
  };
}

/** A time as a statement parameter: ISO text (a Date) or the caller's RFC 3339 text; null when absent. */
export function timeParam(value: Date | string | undefined): string | null {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}
