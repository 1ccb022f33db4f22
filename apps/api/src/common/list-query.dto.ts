import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PAGE_LIMITS, type CreatedAtRange } from '@app/domain';
import { IsRfc3339, parseRfc3339, ToInteger } from './validators';

const LIMIT = `must be an integer from ${PAGE_LIMITS.min} to ${PAGE_LIMITS.max}`;

/** `limit`, `offset` and the `created_at.*` bounds that every list takes. */
export class ListQueryDto {
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
  offset?: number = 0;

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

  page(): { limit: number; offset: number } {
    return { limit: this.limit ?? PAGE_LIMITS.default, offset: this.offset ?? 0 };
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
