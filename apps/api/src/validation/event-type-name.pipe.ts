import { Injectable, type PipeTransform } from '@nestjs/common';
import { isEventTypeName } from '@app/domain';
import { ApiError } from '../errors/api-error';

/**
 * A path's event type name (§14): one that breaks §5's rule is a 400 code 4 naming
 * `name` (PUT creates by it: the client must hear that the name is refused).
 */
@Injectable()
export class EventTypeNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isEventTypeName(value)) {
      throw ApiError.validation([
        [
          'name',
          'must be dot-separated segments of letters, digits, "_" and "-", at most 256 characters',
        ],
      ]);
    }
    return value;
  }
}
