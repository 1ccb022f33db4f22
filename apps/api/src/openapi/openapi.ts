import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { POSTMAND_VERSION } from '@app/domain';
import { ErrorDto } from '../common/error.dto';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('postmand')
    .setDescription(
      'Self-hosted webhook delivery: register webhooks, create deliveries, read every ' +
        'delivery attempt. Errors always have the shape of ErrorDto.',
    )
    .setVersion(POSTMAND_VERSION)
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorDto],
    operationIdFactory: (_controller, method) => method,
  });
}

/** Swagger UI at /swagger (and /swagger/index.html), the document at /swagger/doc.json. */
export function setupOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('swagger', app, document, {
    jsonDocumentUrl: 'swagger/doc.json',
    yamlDocumentUrl: 'swagger/doc.yaml',
    customSiteTitle: 'postmand API',
  });
}
