import { ApiProperty } from '@nestjs/swagger';
import { IsEventTypeName } from '../../validation/validators';

/** `POST /v1/webhooks/{id}/test`: the type whose example to send. */
export class TestWebhookRequestDto {
  /**
   * A type in the catalogue that has an example (404 code 18 when unknown; 400 without
   * an example).
   * @example "order.created"
   */
  @IsEventTypeName()
  @ApiProperty({ maxLength: 256, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' })
  event_type!: string;
}
