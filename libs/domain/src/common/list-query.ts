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

export interface Page {
  limit: number;
  offset: number;
}

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

/** Newest first, ties broken by id, so pages never overlap or skip a row. */
export function newestFirst<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  page: Page,
): SelectQueryBuilder<T> {
  return qb
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(page.limit)
    .offset(page.offset);
}
