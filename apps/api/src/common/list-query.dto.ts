import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { CreatedAtRange } from '@app/domain';
import { IsRfc3339, parseRfc3339, ToInteger } from './validators';

/** `limit`, `offset` and the `created_at.*` bounds that every list takes. */
export class ListQueryDto {
  /** Page size. */
  @IsOptional()
  @ToInteger()
  @Min(1, { message: 'must be an integer from 1 to 1000' })
  @Max(1000, { message: 'must be an integer from 1 to 1000' })
  @IsInt({ message: 'must be an integer from 1 to 1000' })
  @ApiPropertyOptional({ type: 'integer', default: 50 })
  limit?: number = 50;

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
    return { limit: this.limit ?? 50, offset: this.offset ?? 0 };
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
