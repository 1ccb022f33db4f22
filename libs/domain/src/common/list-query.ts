import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Bounds on `created_at`, each optional (the API's `created_at.gt` … `created_at.lte`).
 * Text bounds are RFC 3339 and cast by PostgreSQL, which keeps microseconds exact.
 */
export interface CreatedAtRange {
  gt?: Date | string;
  gte?: Date | string;
  lt?: Date | string;
  lte?: Date | string;
}

/** How many items a list page may hold, and how many it holds when the client does not say. */
export const PAGE_LIMITS = { min: 1, max: 1000, default: 50 } as const;

/** A canonical, lower-case UUID, as ids are written. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Page {
  limit: number;
  offset: number;
  /**
   * Keyset paging (SPEC §8): the sort key of the last row of the previous page, from its
   * cursor; the page holds the rows that follow it, in the same order. Given with
   * offset 0 only.
   */
  after?: string[];
}

/** A page of rows with the cursor of the next page (null when no row follows). */
export interface ListPage<T> {
  rows: T[];
  nextCursor: string | null;
}

/**
 * A webhooks-list sort key: a name and an id. The name is one a webhook can have: text
 * PostgreSQL can hold (no NUL, no lone surrogate), so that a crafted cursor is a 400, not
 * a database error.
 */
export const isNameKey = (key: string[]): boolean =>
  key.length === 2 &&
  key[0].length <= 255 &&
  !key[0].includes('\u0000') &&
  key[0].isWellFormed() &&
  UUID.test(key[1]);

/**
 * A page's cursor: the list it belongs to and its last row's sort key, as base64url of a
 * JSON array. Opaque to clients; a cursor of another list is refused, not misread.
 */
export function encodeCursor(list: string, key: string[]): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

/** The sort key a cursor of `list` holds, or undefined when it is not one. */
export function decodeCursor(
  list: string,
  cursor: string,
  valid: (key: string[]) => boolean,
): string[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed[0] !== list) return undefined;
  const key = parsed.slice(1) as unknown[];
  if (!key.every((v): v is string => typeof v === 'string')) return undefined;
  return valid(key) ? key : undefined;
}

/** A time as toISOString writes one in years 1–9999, the years PostgreSQL stores and reads back. */
const ISO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A newest-first sort key: `created_at` exactly as toISOString writes it (so not year 0,
 * a negative year or one past 9999, which toISOString writes as `+010000-…`), and the id.
 */
export const isNewestFirstKey = (key: string[]): boolean =>
  key.length === 2 &&
  ISO_INSTANT.test(key[0]) &&
  !Number.isNaN(Date.parse(key[0])) &&
  new Date(key[0]).toISOString() === key[0] &&
  UUID.test(key[1]);

/** The cursor after `row` in a newest-first list. */
export const newestFirstCursor =
  (list: string) =>
  (row: { createdAt: Date; id: string }): string =>
    encodeCursor(list, [row.createdAt.toISOString(), row.id]);

const OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** ANDs the given `created_at` bounds onto a query over `alias`. */
export function whereCreatedAt<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  range: CreatedAtRange = {},
): SelectQueryBuilder<T> {
  for (const key of Object.keys(OPERATORS) as (keyof CreatedAtRange)[]) {
    const bound = range[key];
    if (bound)
      qb.andWhere(`${alias}.createdAt ${OPERATORS[key]} CAST(:created_at_${key} AS timestamptz)`, {
        [`created_at_${key}`]: bound,
      });
  }
  return qb;
}

/**
 * Newest first, ties broken by id, so pages never overlap or skip a row; after a cursor,
 * the rows below its key (an index range scan, however deep). One row beyond the page is
 * read, to tell whether another page follows (BoundedPage drops it).
 */
export function newestFirst<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  page: Page,
): SelectQueryBuilder<T> {
  if (page.after) {
    qb.andWhere(
      `(${alias}.createdAt, ${alias}.id) < (CAST(:after_created_at AS timestamptz), CAST(:after_id AS uuid))`,
      { after_created_at: page.after[0], after_id: page.after[1] },
    );
  }
  return qb
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(page.limit + 1)
    .offset(page.offset);
}
