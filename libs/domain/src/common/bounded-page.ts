import type { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Bytes of large text read from the database at once while a page is sent: a page of
 * 1,000 deliveries of 1 MiB each must not be 1 GB in the API's memory.
 */
export const PAGE_BODY_BUDGET_BYTES = 4 * 1024 * 1024;

/**
 * A list page whose rows carry large text columns (a delivery's payload, an attempt's raw
 * exchange). The page query reads only the ids and the bodies' sizes (`octet_length`
 * reads a TOAST header, not the value), in the page's order; the rows follow by id, in
 * chunks of at most `budgetBytes` of body (one row when a single row is larger), as the
 * caller consumes them. Memory holds one chunk, however large the page.
 *
 * A row deleted between the page query and its chunk is left out (a page holds at most
 * `limit` rows, never more); each row is read whole, at one moment.
 */
export class BoundedPage<T extends ObjectLiteral & { id: string }> implements AsyncIterable<T> {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly target: EntityTarget<T>,
    private readonly rows: { id: string; bytes: number }[],
    private readonly budgetBytes: number,
  ) {}

  /**
   * Runs the page query `qb` (filters, order, limit and offset already applied; rows
   * aliased `alias`) for ids and sizes of the `bodies` properties only.
   */
  static async load<T extends ObjectLiteral & { id: string }>(
    dataSource: DataSource,
    qb: SelectQueryBuilder<T>,
    alias: string,
    bodies: (keyof T & string)[],
    budgetBytes = PAGE_BODY_BUDGET_BYTES,
  ): Promise<BoundedPage<T>> {
    const metadata = dataSource.getMetadata(qb.expressionMap.mainAlias!.target);
    const size = bodies
      .map((property) => {
        const column = metadata.findColumnWithPropertyName(property)!.databaseName;
        return `coalesce(octet_length(${alias}.${column}), 0)`;
      })
      .join(' + ');
    const raw = await qb
      .select(`${alias}.id`, 'id')
      .addSelect(size, 'bytes')
      .getRawMany<{ id: string; bytes: string }>();
    const rows = raw.map((r) => ({ id: r.id, bytes: Number(r.bytes) }));
    return new BoundedPage(dataSource, metadata.target, rows, budgetBytes);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    let start = 0;
    while (start < this.rows.length) {
      let end = start + 1;
      let bytes = this.rows[start].bytes;
      while (end < this.rows.length && bytes + this.rows[end].bytes <= this.budgetBytes) {
        bytes += this.rows[end++].bytes;
      }
      const ids = this.rows.slice(start, end).map((row) => row.id);
      const found = await this.dataSource
        .getRepository(this.target)
        .createQueryBuilder('r')
        .whereInIds(ids)
        .getMany();
      const byId = new Map(found.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        if (row) yield row;
      }
      start = end;
    }
  }

  /** Every row: for callers that want an array (and know the page is small). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const row of this) all.push(row);
    return all;
  }
}
