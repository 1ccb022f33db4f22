import { ApiProperty } from '@nestjs/swagger';

/** What every list answer carries beside its items (§2's paging, §10's cursors). */
export abstract class ListPageDto {
  /** @example 50 */
  @ApiProperty({ type: 'integer' })
  limit!: number;
  /** @example 0 */
  @ApiProperty({ type: 'integer' })
  offset!: number;
  /**
   * The `after` of the next page, or null when no item follows this one (also with
   * offset paging).
   */
  @ApiProperty({ type: 'string', nullable: true })
  next_cursor!: string | null;
}
