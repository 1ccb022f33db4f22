import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { TENANT_LIMITS, type TenantDraft } from '@app/domain';
import { CodePointLength, IsStorableText, IsTenantMetadata } from '../../validation/validators';

const { name, metadata, maxWebhooks } = TENANT_LIMITS;
const MAX_WEBHOOKS = `must be an integer from ${maxWebhooks.min} to ${maxWebhooks.max}, or null`;

/**
 * A tenant as clients send it (PUT). Every field is optional: one left out (or null) takes
 * its default, since a PUT is a full replacement. Read-only fields (`id`, `created_at`,
 * `updated_at`) are ignored, so a client may PUT back what it GOT; any other field is
 * refused.
 */
export class TenantRequestDto {
  static readonly readOnlyFields = ['id', 'created_at', 'updated_at'];

  /** 1–255 characters. Default: the tenant's id. @example "Acme Corp" */
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @IsStorableText()
  @CodePointLength(name.min, name.max, `must be ${name.min} to ${name.max} characters long`)
  @ApiPropertyOptional({ type: 'string', minLength: name.min, maxLength: name.max })
  name?: string | null;

  /**
   * The platform's own notes on the tenant: at most 32 keys of 1–64 characters, each value
   * a string of at most 512 characters. Default `{}`.
   * @example {"plan": "enterprise"}
   */
  // The value as it was sent: class-transformer would rebuild the object, dropping keys
  // that name members of an object ("toString", "valueOf"), plain keys to the platform.
  // (Those Nest itself would delete, such as "__proto__", the validation pipe refuses.)
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj.metadata)
  @IsOptional()
  @IsTenantMetadata()
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: metadata.maxValueLength },
    maxProperties: metadata.maxKeys,
  })
  metadata?: Record<string, string> | null;

  /** Most webhooks the tenant may have; null (the default): no limit. @example 10 */
  @IsOptional()
  @IsInt({ message: MAX_WEBHOOKS })
  @Max(maxWebhooks.max, { message: MAX_WEBHOOKS })
  @Min(maxWebhooks.min, { message: MAX_WEBHOOKS })
  @ApiPropertyOptional({
    type: 'integer',
    minimum: maxWebhooks.min,
    maximum: maxWebhooks.max,
    nullable: true,
  })
  max_webhooks?: number | null;

  /** What the client wrote; the service fills in the defaults of what it left out. */
  toDraft(): TenantDraft {
    return { name: this.name, metadata: this.metadata, maxWebhooks: this.max_webhooks };
  }
}
