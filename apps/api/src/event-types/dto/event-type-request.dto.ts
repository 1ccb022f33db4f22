import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString } from 'class-validator';
import { EVENT_TYPE_CATALOGUE_LIMITS, type EventTypeDraft } from '@app/domain';
import { CodePointLength, IsStorableText } from '../../validation/validators';

const { descriptionLength, schemaBytes } = EVENT_TYPE_CATALOGUE_LIMITS;

/**
 * An event type as clients send it (PUT): every field is optional; one left out (or null)
 * takes its default, since a PUT is a full replacement. Read-only fields (`name`,
 * `created_at`, `updated_at`) are ignored, so a client may PUT back what it GOT; any other
 * field is refused.
 */
export class EventTypeRequestDto {
  static readonly readOnlyFields = ['name', 'created_at', 'updated_at'];

  /** At most 1024 characters. Default `""`. @example "An order was placed." */
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @IsStorableText()
  @CodePointLength(0, descriptionLength, `must be at most ${descriptionLength} characters long`)
  @ApiPropertyOptional({ type: 'string', maxLength: descriptionLength })
  description?: string | null;

  /**
   * A JSON Schema (draft 2020-12) every payload of the type must match, as a JSON object
   * of at most 65,536 bytes; it may not reference anything outside itself. Null (the
   * default): payloads are not checked.
   * @example {"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "integer"}}}
   */
  // The value as it was sent: class-transformer would rebuild the object.
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj.schema)
  @IsOptional()
  @IsObject({ message: `must be a JSON object (a JSON Schema) of at most ${schemaBytes} bytes` })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  schema?: Record<string, unknown> | null;

  /**
   * A payload of the type, sent by `POST /v1/webhooks/{id}/test`; with a schema, JSON
   * that matches it. Null (the default): none.
   * @example "{\"order_id\": 42}"
   */
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @IsStorableText()
  @ApiPropertyOptional({ type: 'string', nullable: true })
  example?: string | null;

  /** A type producers should stop using; it still publishes. Default false. @example false */
  @IsOptional()
  @IsBoolean({ message: 'must be a boolean' })
  @ApiPropertyOptional({ type: 'boolean' })
  deprecated?: boolean | null;

  /** What the client wrote; the service fills in the defaults of what it left out. */
  toDraft(): EventTypeDraft {
    return {
      description: this.description,
      schema: this.schema,
      example: this.example,
      deprecated: this.deprecated,
    };
  }
}
