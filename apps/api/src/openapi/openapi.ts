import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { POSTMAND_VERSION } from '@app/platform';
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
export function setupOpenApi(app: NestExpressApplication): void {
  const document = buildOpenApiDocument(app);
  // The Go project's address. The UI's asset links are relative to /swagger, so the old
  // address redirects rather than serving the page from one level deeper.
  app.use('/swagger/index.html', (_req: Request, res: Response) => res.redirect(301, '/swagger'));
  SwaggerModule.setup('swagger', app, document, {
    jsonDocumentUrl: 'swagger/doc.json',
    yamlDocumentUrl: 'swagger/doc.yaml',
    customSiteTitle: 'postmand API',
  });
}
