import { Injectable, type PipeTransform } from '@nestjs/common';
import { isTenantId, TENANT_ID_RULE } from '@app/domain';
import { ApiError } from '../errors/api-error';

/**
 * A path's tenant id (§11): one that breaks the rule is a 400 code 4 naming `tenant_id`,
 * not the 404 code 2 of a malformed UUID, since the platform chose it and PUT creates it:
 * the client must hear that the id is refused, not that it is missing.
 */
@Injectable()
export class TenantIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isTenantId(value)) throw ApiError.validation([['tenant_id', TENANT_ID_RULE]]);
    return value;
  }
}
