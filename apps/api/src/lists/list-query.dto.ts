import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { decodeCursor, PAGE_LIMITS, type CreatedAtRange, type Page } from '@app/domain';
import type { CrossFieldRules } from '../validation/validation.pipe';
import { IsRfc3339, parseRfc3339, ToInteger } from '../validation/validators';

const LIMIT = `must be an integer from ${PAGE_LIMITS.min} to ${PAGE_LIMITS.max}`;

/** Which list a query's cursors belong to, and the shape of that list's sort key. */
export interface CursorKind {
  list: string;
  valid: (key: string[]) => boolean;
}

/**
 * `limit`, `offset` or `after`, and the `created_at.*` bounds that every list takes. A
 * subclass says which cursors it takes (`cursorKind`, a method: an own property would be
 * taken for a query parameter).
 */
export abstract class ListQueryDto implements CrossFieldRules {
  protected abstract cursorKind(): CursorKind;

  /** Page size. */
  @IsOptional()
  @ToInteger()
  @Min(PAGE_LIMITS.min, { message: LIMIT })
  @Max(PAGE_LIMITS.max, { message: LIMIT })
  @IsInt({ message: LIMIT })
  @ApiPropertyOptional({ type: 'integer', default: PAGE_LIMITS.default })
  limit?: number = PAGE_LIMITS.default;

  /** Rows to skip. */
  @IsOptional()
  @ToInteger()
  @Min(0, { message: 'must be an integer of 0 or more' })
  @IsInt({ message: 'must be an integer of 0 or more' })
  @ApiPropertyOptional({ type: 'integer', default: 0 })
  offset?: number;

  /**
   * Keyset paging: the `next_cursor` of the previous page. The page holds the items that
   * follow it, in the same order and with the same filters; however deep, it costs what
   * the first page costs. Not together with `offset`.
   */
  @IsOptional()
  @IsString({ message: 'must be a cursor (the next_cursor of a page of this list)' })
  @ApiPropertyOptional({ type: 'string' })
  after?: string;

  /** Only rows created after this RFC 3339 time. */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  'created_at.gt'?: string;

  /** Only rows created at or after this RFC 3339 time. */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  'created_at.gte'?: string;

  /** Only rows created before this RFC 3339 time. */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  'created_at.lt'?: string;

  /** Only rows created at or before this RFC 3339 time. */
  @IsOptional()
  @IsRfc3339()
  @ApiPropertyOptional({ type: 'string', format: 'date-time' })
  'created_at.lte'?: string;

  page(): Page {
    const kind = this.cursorKind();
    return {
      limit: this.limit ?? PAGE_LIMITS.default,
      offset: this.offset ?? 0,
      after: this.after === undefined ? undefined : decodeCursor(kind.list, this.after, kind.valid),
    };
  }

  crossFieldProblems(failed: Set<string>): [string, string][] {
    if (this.after === undefined || failed.has('after')) return [];
    if (this.offset !== undefined) {
      return [['after', 'cannot be combined with offset: a cursor page starts at its cursor']];
    }
    const kind = this.cursorKind();
    if (!decodeCursor(kind.list, this.after, kind.valid)) {
      return [['after', 'is not a cursor of this list (use the next_cursor of one of its pages)']];
    }
    return [];
  }

  createdAt(): CreatedAtRange {
    return {
      gt: parseRfc3339(this['created_at.gt']),
      gte: parseRfc3339(this['created_at.gte']),
      lt: parseRfc3339(this['created_at.lt']),
      lte: parseRfc3339(this['created_at.lte']),
    };
  }
}
