import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Maps a raw row (snake_case columns, as returned by `RETURNING *`) onto an entity using
 * the entity's own column metadata, so raw SQL and the query builder yield the same shape.
 */
/** A raw row as node-postgres returns it. */
export type Row = Record<string, unknown>;

export function rowToEntity<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) column.setEntityValue(entity, row[column.databaseName]);
  }
  return entity;
}
