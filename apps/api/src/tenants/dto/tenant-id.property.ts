import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { TENANT_ID_PATTERN } from '@app/domain';
import { IsTenantId } from '../../validation/validators';

/**
 * A request body's optional `tenant_id` (§11): a tenant's id by its rule, or null (the
 * platform's own); documented as such. Whether the tenant exists is the domain's to say
 * (404 code 16).
 */
export const OptionalTenantId = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsTenantId(),
    ApiPropertyOptional({
      type: 'string',
      nullable: true,
      minLength: 1,
      maxLength: 64,
      pattern: TENANT_ID_PATTERN,
    }),
  );
