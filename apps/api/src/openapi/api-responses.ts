import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { describeStatus } from '../errors/api-error';
import { ErrorDto } from '../errors/error.dto';

/** One operation: a stable operationId, its success body and the error bodies it can give. */
export function ApiEndpoint(options: {
  operationId: string;
  summary: string;
  status: number;
  type?: Type<unknown>;
  errors: number[];
}): MethodDecorator {
  return applyDecorators(
    ApiOperation({ operationId: options.operationId, summary: options.summary }),
    ApiExtraModels(ErrorDto),
    ApiResponse({
      status: options.status,
      description: options.type ? options.type.name.replace(/Dto$/, '') : 'No content.',
      type: options.type,
    }),
    ...[...options.errors, 500, 503].map((status) =>
      ApiResponse({
        status,
        description: describeStatus(status),
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
      }),
    ),
  );
}
