import { ApiProperty } from '@nestjs/swagger';
/** The body of every error response. */
export class ErrorDto {
  /**
   * 1 internal, 2 invalid id, 3 malformed body, 4 validation failed, 5 webhook not found,
   * 6 delivery not found, 7 delivery attempt not found, 8 payload too large,
   * 9 unsupported media type, 10 route not found.
   * @example 4
   */
  @ApiProperty({ type: 'integer', enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] })
  code!: number;
  /** @example "request validation failed" */
  message!: string;
  /**
   * For code 4: `field: reason` pairs sorted by field, joined by "; ", ending in ".".
   * @example "name: must be 3 to 255 characters long."
   */
  details?: string;
}
