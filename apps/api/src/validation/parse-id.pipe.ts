import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { isUuid } from './validators';

/** A path id that is not a UUID can name nothing: 404 code 2, as the Go project did. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new ApiError('invalidId');
    return value.toLowerCase();
  }
}
