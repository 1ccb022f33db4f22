import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
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
  // The Go project's address serves the page itself (old bookmarks, curl without -L): the
  // variant Swagger UI writes for /swagger/, whose asset links ("./swagger-ui.css") resolve
  // from /swagger/index.html too. Rewritten before routing, so no path is stripped.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.url === '/swagger/index.html' || req.url.startsWith('/swagger/index.html?')) {
      // Both: Swagger UI tells the two variants apart by the original URL.
      req.url = req.url.replace('/swagger/index.html', '/swagger/');
      req.originalUrl = req.url;
    }
    next();
  });
  SwaggerModule.setup('swagger', app, document, {
    jsonDocumentUrl: 'swagger/doc.json',
    yamlDocumentUrl: 'swagger/doc.yaml',
    customSiteTitle: 'postmand API',
  });
}
