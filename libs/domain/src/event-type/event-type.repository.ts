import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PAGE_BODY_BUDGET_BYTES } from '../common/bounded-page';
import { encodeCursor, type CreatedAtRange, type ListPage, type Page } from '../common/list-query';
import { rowToEntity, timeParam, type Row } from '../common/rows';
import type { Sql } from '../common/unit-of-work';
import { EventType } from './event-type.entity';

/** What a client sets on an event type, every field given (the service fills in defaults). */
export interface EventTypeInput {
  description: string;
  schema: Record<string, unknown> | null;
  example: string | null;
  deprecated: boolean;
}

export interface EventTypeListFilter extends Page {
  createdAt?: CreatedAtRange;
}

const OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** What publishing needs of a type: whether it is deprecated and its schema's version. */
export interface EventTypeHead {
  deprecated: boolean;
  /** SHA-256 of the schema's JSON as stored (jsonb's own text), or null without one. */
  schemaHash: string | null;
}

/** Every statement about the event type catalogue. */
@Injectable()
export class EventTypeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the type or replaces it (PUT), in one statement, so two PUTs of a new name at
   * once give one row, never a duplicate-key error; `created_at` is kept. `created`: a row
   * this statement inserted has no `xmax`, one it updated has this transaction's.
   */
  async put(
    name: string,
    input: EventTypeInput,
  ): Promise<{ type: EventType; created: boolean; schemaHash: string | null }> {
    const rows = await this.dataSource.query<Row[]>(
      `INSERT INTO event_types AS t (name, description, schema, example, deprecated)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description,
         schema = EXCLUDED.schema, example = EXCLUDED.example,
         deprecated = EXCLUDED.deprecated, updated_at = greatest(now(), t.created_at)
       RETURNING t.*, (t.xmax = 0) AS created,
         encode(sha256(convert_to(t.schema::text, 'UTF8')), 'hex') AS schema_hash`,
      [
        name,
        input.description,
        input.schema === null ? null : JSON.stringify(input.schema),
        input.example,
        input.deprecated,
      ],
    );
    return {
      type: rowToEntity(this.dataSource, EventType, rows[0]),
      created: rows[0].created === true,
      schemaHash: (rows[0].schema_hash as string | null) ?? null,
    };
  }

  findByName(name: string): Promise<EventType | null> {
    return this.dataSource.getRepository(EventType).findOneBy({ name });
  }

  /**
   * The type's deprecation and its schema's hash, not the schema: a few dozen bytes,
   * however large the schema, read by the catalogue cache every few seconds per type.
   */
  async head(name: string, sql: Sql = this.dataSource): Promise<EventTypeHead | null> {
    const rows = await sql.query<{ deprecated: boolean; hash: string | null }[]>(
      `SELECT deprecated, encode(sha256(convert_to(schema::text, 'UTF8')), 'hex') AS hash
       FROM event_types WHERE name = $1`,
      [name],
    );
    return rows[0] ? { deprecated: rows[0].deprecated, schemaHash: rows[0].hash } : null;
  }

  /** The schema of `name` as stored, with its hash; null when it has none (or no type). */
  async schema(
    name: string,
    sql: Sql = this.dataSource,
  ): Promise<{ schema: Record<string, unknown>; hash: string } | null> {
    const rows = await sql.query<{ schema: string | null; hash: string | null }[]>(
      `SELECT schema::text AS schema,
              encode(sha256(convert_to(schema::text, 'UTF8')), 'hex') AS hash
       FROM event_types WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    if (!row?.schema || !row.hash) return null;
    return { schema: JSON.parse(row.schema) as Record<string, unknown>, hash: row.hash };
  }

  /**
   * Ordered by name (byte by byte: the column's collation is "C"), the primary key's
   * order, so a page is an index range scan however deep; after a cursor, the names that
   * follow its name. One row beyond the page tells whether another page follows.
   *
   * A page is budgeted (SPEC §3) as the tenants' list is: a schema may take 64 KB and an
   * example a payload's size, so the names come first with their sizes, the page ends
   * before the type that would take it past PAGE_BODY_BUDGET_BYTES (never before the
   * first), with a cursor to go on; then only those types are read.
   */
  async list(page: EventTypeListFilter): Promise<ListPage<EventType>> {
    const size = `coalesce(octet_length(t.schema::text), 0) + coalesce(octet_length(t.example), 0)`;
    const params: unknown[] = [page.limit + 1, page.offset];
    const where: string[] = [];
    if (page.after) where.push(`t.name > $${params.push(page.after[0])}`);
    for (const [key, op] of Object.entries(OPERATORS) as [keyof CreatedAtRange, string][]) {
      const bound = page.createdAt?.[key];
      if (bound) where.push(`t.created_at ${op} $${params.push(timeParam(bound))}::timestamptz`);
    }
    const sizes = await this.dataSource.query<{ name: string; size: string }[]>(
      `SELECT t.name, ${size} AS size FROM event_types t
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY t.name LIMIT $1 OFFSET $2`,
      params,
    );
    const names: string[] = [];
    let bytes = 0;
    for (const row of sizes.slice(0, page.limit)) {
      bytes += Number(row.size);
      if (names.length > 0 && bytes > PAGE_BODY_BUDGET_BYTES) break;
      names.push(row.name);
    }
    const more = sizes.length > names.length;
    const rows =
      names.length === 0
        ? []
        : (
            await this.dataSource.query<Row[]>(
              `SELECT * FROM event_types WHERE name = ANY($1) ORDER BY name`,
              [names],
            )
          ).map((r) => rowToEntity(this.dataSource, EventType, r));
    const last = rows[rows.length - 1];
    return { rows, nextCursor: more && last ? encodeCursor('event_types', [last.name]) : null };
  }

  /** Deletes the type; false when there was none. Events already published keep their type. */
  async delete(name: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM event_types WHERE name = $1`,
      [name],
    );
    return count > 0;
  }
}
