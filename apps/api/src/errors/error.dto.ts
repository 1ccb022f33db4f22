import { ApiProperty } from '@nestjs/swagger';
import { ERROR_CODES } from './api-error';
/** The body of every error response. */
export class ErrorDto {
  /**
   * What went wrong, one code per kind (docs/api.md "Errors"); the HTTP status of each
   * response lists its codes.
   * @example 4
   */
  @ApiProperty({ type: 'integer', enum: ERROR_CODES })
  code!: number;
  /** @example "request validation failed" */
  message!: string;
  /**
   * For code 4: `field: reason` pairs sorted by field, joined by "; ", ending in ".".
   * @example "name: must be 3 to 255 characters long."
   */
  details?: string;
}
