import { ApiProperty } from '@nestjs/swagger';
import type { Tenant } from '@app/domain';
import { ListPageDto } from '../../lists/list-page.dto';

/** A tenant as the API returns it (§11). */
export class TenantDto {
  /** The platform's id for it: 1–64 characters of [A-Za-z0-9_.-]. @example "acme" */
  id!: string;
  /** @example "Acme Corp" */
  name!: string;
  /** @example {"plan": "enterprise"} */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
  /** Most webhooks it may have; null: no limit. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  max_webhooks!: number | null;
  /** @example "2021-03-08T20:41:25.433Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at!: string;
  /** @example "2021-03-08T20:41:25.433Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  updated_at!: string;

  static from(this: void, t: Tenant): TenantDto {
    return {
      id: t.id,
      name: t.name,
      metadata: t.metadata,
      max_webhooks: t.maxWebhooks,
      created_at: t.createdAt.toISOString(),
      updated_at: t.updatedAt.toISOString(),
    };
  }
}

export class TenantListDto extends ListPageDto {
  tenants!: TenantDto[];
}
