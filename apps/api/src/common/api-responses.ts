import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorDto } from './error.dto';

const ERROR_STATUSES: Record<number, string> = {
  400: 'Malformed body (code 3) or failed validation (code 4).',
  404: 'Unknown id (code 2 for a malformed id, 5/6/7 for an unknown one).',
  413: 'Payload too large (code 8).',
  415: 'Body is not application/json (code 9).',
  500: 'Internal server error (code 1).',
};

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
    ...[...options.errors, 500].map((status) =>
      ApiResponse({
        status,
        description: ERROR_STATUSES[status],
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
      }),
    ),
  );
}
