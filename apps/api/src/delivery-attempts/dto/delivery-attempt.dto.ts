import { ApiProperty } from '@nestjs/swagger';
import type { DeliveryAttempt } from '@app/domain';
import { ListPageDto } from '../../lists/list-page.dto';

export class DeliveryAttemptDto {
  /** @example "d72719d6-5a79-4df7-a2c2-2029ab0e1848" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  id!: string;
  /** @example "a6e9a525-ac5a-488c-b118-bd7327ce6d8d" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  webhook_id!: string;
  /** Its webhook's tenant (§11); null: the platform's own. @example null */
  @ApiProperty({ type: 'string', nullable: true })
  tenant_id!: string | null;
  /** @example "bc76122c-e56b-45c7-8dc3-b80a861191d5" */
  @ApiProperty({ type: 'string', format: 'uuid' })
  delivery_id!: string;
  /**
   * Request line, Host, headers, blank line, body.
   * @example "POST /post HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/json\r\n\r\n{\"success\": true}"
   */
  raw_request!: string;
  /**
   * Status line, headers, blank line, the first POSTMAND_MAX_RESPONSE_BYTES of the body.
   * @example "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
   */
  raw_response!: string;
  /** 0 when no response came back. @example 200 */
  @ApiProperty({ type: 'integer' })
  response_status_code!: number;
  /** Milliseconds. @example 547 */
  @ApiProperty({ type: 'integer' })
  execution_duration!: number;
  success!: boolean;
  /** Transport failure (refused, reset, DNS, timeout); "" when a response came back. */
  error!: string;
  /** @example "2021-03-08T20:46:51.681Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;

  static from(this: void, a: DeliveryAttempt): DeliveryAttemptDto {
    return {
      id: a.id,
      webhook_id: a.webhookId,
      tenant_id: a.tenantId,
      delivery_id: a.deliveryId,
      raw_request: a.rawRequest,
      raw_response: a.rawResponse,
      response_status_code: a.responseStatusCode,
      execution_duration: a.executionDuration,
      success: a.success,
      error: a.error,
      created_at: a.createdAt.toISOString(),
    };
  }
}

export class DeliveryAttemptListDto extends ListPageDto {
  delivery_attempts!: DeliveryAttemptDto[];
}
