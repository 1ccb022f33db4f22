import type { DataSource, EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { bodyBytesSql, bodySlicesSql, inlineBodySql } from './bounded-page.sql';
import type { Row } from './rows';

/** Body bytes read from the database at once while a page is read. */
export const PAGE_BODY_BUDGET_BYTES = 1024 * 1024;

/**
 * Bodies arrive in slices of this many bytes, each a small Buffer: a large JavaScript
 * string (anything over V8's 128 KB regular-object size) lives in the old generation
 * until a full collection, and a page of such strings grew the API by 100-200 MB.
 */
const SLICE_BYTES = 32 * 1024;

/**
 * Bodies up to this size come with the page query itself, as text: most pages are
 * read in one statement, and such strings stay young (collected cheaply).
 */
const INLINE_BYTES = 16 * 1024;

/**
 * One row of a page: its columns without the bodies, and each body, in order, as text
 * (a small body) or as UTF-8 slices (a large one).
 */
export interface PageRow<T> {
  row: T;
  bodies: (string | Buffer[])[];
}

interface PageEntry<T> {
  row: T;
  bytes: number;
  /** The bodies when all were small enough to come inline, else undefined. */
  inline?: string[];
}

/**
 * A list page whose rows carry large text columns (a delivery's payload, an attempt's raw
 * exchange). The page query reads every other column, the bodies' sizes (`octet_length`
 * reads a TOAST header, not the value) and the bodies of small rows; large rows' bodies
 * follow by id as the caller consumes the rows, in chunks of at most `budgetBytes` (one
 * row when a single row is larger), in small slices. So memory holds the page's small
 * bodies and one chunk of small buffers, however large the page.
 *
 * A row deleted between the page query and its chunk is left out (a page holds at most
 * `limit` rows, never more). Bodies never change after insert.
 */
export class BoundedPage<T extends ObjectLiteral & { id: string }> implements AsyncIterable<
  PageRow<T>
> {
  private readonly bodyColumns: ColumnMetadata[];

  private constructor(
    private readonly dataSource: DataSource,
    private readonly metadata: EntityMetadata,
    /** The properties read as the page is consumed, in the order of each row's `bodies`. */
    readonly bodyProperties: (keyof T & string)[],
    private readonly rows: PageEntry<T>[],
    private readonly budgetBytes: number,
    /** The cursor of the page that follows, or null when no row follows this one. */
    readonly nextCursor: string | null,
  ) {
    this.bodyColumns = bodyProperties.map((p) => metadata.findColumnWithPropertyName(p)!);
  }

  /**
   * Runs the page query `qb` (filters, order, offset applied, and a limit of one row
   * beyond the page: `newestFirst`; rows aliased `alias`) without the `bodies`
   * properties, which are read as the page is consumed. `bytes` is an SQL expression of
   * the bodies' total size when the sum of their octet_length is not the cheap way.
   */
  static async load<T extends ObjectLiteral & { id: string }>(
    dataSource: DataSource,
    qb: SelectQueryBuilder<T>,
    alias: string,
    bodies: (keyof T & string)[],
    options: {
      limit: number;
      cursorOf: (row: T) => string;
      bytes?: string;
      budgetBytes?: number;
    },
  ): Promise<BoundedPage<T>> {
    const metadata = dataSource.getMetadata(qb.expressionMap.mainAlias!.target);
    const bodyColumns = bodies.map((p) => metadata.findColumnWithPropertyName(p)!.databaseName);
    const light = metadata.columns.filter((c) => !bodies.includes(c.propertyName as never));
    const size = options.bytes ?? bodyBytesSql(alias, bodyColumns);
    qb.select(light.map((c) => `${alias}.${c.propertyName}`)).addSelect(size, 'body_bytes');
    bodyColumns.forEach((c, i) =>
      qb.addSelect(inlineBodySql(size, alias, c, INLINE_BYTES), `inline_${i}`),
    );
    const { entities, raw } = await qb.getRawAndEntities<Row>();
    const byId = new Map(raw.map((r) => [String(r[`${alias}_id`]), r]));
    const more = entities.length > options.limit;
    if (more) entities.length = options.limit;
    const rows = entities.map((row): PageEntry<T> => {
      const r = byId.get(row.id)!;
      const bytes = Number(r.body_bytes);
      const inline =
        bytes <= INLINE_BYTES ? bodyColumns.map((_, i) => String(r[`inline_${i}`])) : undefined;
      return { row, bytes, inline };
    });
    const next = more ? options.cursorOf(entities[entities.length - 1]) : null;
    return new BoundedPage(
      dataSource,
      metadata,
      bodies,
      rows,
      options.budgetBytes ?? PAGE_BODY_BUDGET_BYTES,
      next,
    );
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PageRow<T>> {
    let start = 0;
    while (start < this.rows.length) {
      const first = this.rows[start];
      if (first.inline) {
        yield { row: first.row, bodies: first.inline };
        start++;
        continue;
      }
      // The large rows that follow, up to the budget (at least one).
      let end = start + 1;
      let bytes = first.bytes;
      while (
        end < this.rows.length &&
        !this.rows[end].inline &&
        bytes + this.rows[end].bytes <= this.budgetBytes
      ) {
        bytes += this.rows[end++].bytes;
      }
      const chunk = this.rows.slice(start, end);
      const bodies = await this.readBodies(chunk.map((r) => r.row.id));
      for (const { row } of chunk) {
        const found = bodies.get(row.id);
        if (found) yield { row, bodies: found };
      }
      start = end;
    }
  }

  /** The whole page as entities when every body came inline (most pages), else undefined. */
  inline(): T[] | undefined {
    if (!this.rows.every((r) => r.inline)) return undefined;
    return this.rows.map(({ row, inline }) => this.withBodies(row, inline!));
  }

  /** `row` with its body columns set to `texts`, in order. */
  private withBodies(row: T, texts: string[]): T {
    texts.forEach((text, i) => this.bodyColumns[i].setEntityValue(row, text));
    return row;
  }

  /** The bodies of `ids` as slices, in one statement (bodySlicesSql). */
  private async readBodies(ids: string[]): Promise<Map<string, Buffer[][]>> {
    const slices = await this.dataSource.query<{ id: string; n: number; part: Buffer | null }[]>(
      bodySlicesSql(
        this.metadata.tableName,
        this.bodyColumns.map((c) => c.databaseName),
        SLICE_BYTES,
      ),
      [ids],
    );
    const bodies = new Map<string, Buffer[][]>();
    for (const { id, n, part } of slices) {
      let row = bodies.get(id);
      if (!row) bodies.set(id, (row = this.bodyColumns.map(() => [])));
      if (part) row[n].push(part);
    }
    return bodies;
  }
}
