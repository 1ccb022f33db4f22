import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { SECRET_ROTATION, WEBHOOK_FIELDS } from '@app/domain';
import { CodePointLength, IsSigningSecret, IsStorableText } from '../../validation/validators';

const { gracePeriod: GRACE } = SECRET_ROTATION;
const SECRET_LENGTH = WEBHOOK_FIELDS.secretToken.maxLength;
const GRACE_PROBLEM = `must be an integer from ${GRACE.min} to ${GRACE.max}`;

/** `POST /v1/webhooks/{id}/rotate-secret` (§9); no body, or `{}`, takes both defaults. */
export class RotateSecretRequestDto {
  /**
   * The new secret. Default: a new `whsec_` + base64 of 32 random bytes (Standard
   * Webhooks' form, which the response returns); a `whsec_` one given must be standard
   * base64 of 24–64 bytes after the prefix.
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  @IsOptional()
  @ApiPropertyOptional({ minLength: 1, maxLength: SECRET_LENGTH })
  @CodePointLength(1, SECRET_LENGTH, `must be 1 to ${SECRET_LENGTH} characters long`)
  @IsSigningSecret()
  @IsStorableText()
  @IsString({ message: 'must be a string' })
  secret_token?: string;

  /**
   * Seconds the replaced secret keeps signing beside the new one (0: it stops at once).
   * Default 86400 (a day).
   */
  @IsOptional()
  // The default is told in words, not as `default`: openapi-typescript would type a field
  // with a default as required.
  @ApiPropertyOptional({ type: 'integer', minimum: GRACE.min, maximum: GRACE.max })
  @Min(GRACE.min, { message: GRACE_PROBLEM })
  @Max(GRACE.max, { message: GRACE_PROBLEM })
  @IsInt({ message: GRACE_PROBLEM })
  grace_period?: number;
}
