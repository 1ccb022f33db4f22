import { ApiProperty } from '@nestjs/swagger';
import { isEventTypeName, isTenantId, RESERVED_PREFIX, type EventInput } from '@app/domain';
import { PayloadRequestDto } from '../../deliveries/dto/payload-request.dto';
import { IsEventTypeName, IsNotReserved, parseRfc3339 } from '../../validation/validators';
import { OptionalTenantId } from '../../tenants/dto/tenant-id.property';

const FIELDS = new Set(['event_type', 'payload', 'scheduled_at', 'tenant_id']);

/** An event to publish. Its read-only fields (`id`, `delivery_count`, …) are ignored, others refused. */
export class EventRequestDto extends PayloadRequestDto {
  static readonly readOnlyFields = ['id', 'delivery_count', 'created_at'];

  /**
   * Dot-separated segments of letters, digits, `_` and `-` (at most 256 characters);
   * `postmand.` types are the service's own.
   * @example "order.created"
   */
  @IsNotReserved(RESERVED_PREFIX)
  @IsEventTypeName()
  @ApiProperty({ maxLength: 256, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' })
  event_type!: string;

  /**
   * The tenant (§11) it is published for: it fans out to that tenant's webhooks only.
   * Null or left out: to the platform's own webhooks (those without a tenant). An unknown
   * tenant is a 404 code 16.
   * @example "acme"
   */
  @OptionalTenantId()
  tenant_id?: string | null;

  /** AcceptsAsIs: the rules above, checked without class-validator. */
  static acceptsAsIs(body: Record<string, unknown>): boolean {
    const { event_type: type, tenant_id: tenant } = body;
    return (
      typeof type === 'string' &&
      isEventTypeName(type) &&
      !type.startsWith(RESERVED_PREFIX) &&
      (tenant === undefined || tenant === null || isTenantId(tenant)) &&
      PayloadRequestDto.payloadAsIs(body, FIELDS)
    );
  }

  toInput(): EventInput {
    return {
      eventType: this.event_type,
      payload: this.payload,
      scheduledAt: parseRfc3339(this.scheduled_at),
      tenantId: this.tenant_id ?? null,
    };
  }
}
