import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { POSTMAND_CONFIG, POSTMAND_VERSION, type PostmandConfig } from '@app/platform';
import { describeStatus } from '../errors/api-error';
import { ErrorDto } from '../errors/error.dto';

/** The security scheme's name in the document (Swagger UI's "Authorize" dialog shows it). */
const BEARER = 'api_key';
/** A portal session's scheme (§12): a `pmp_` token, accepted whatever POSTMAND_AUTH is. */
const PORTAL = 'portal_session';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const auth = app.get<PostmandConfig>(POSTMAND_CONFIG).auth === 'api_key';
  const builder = new DocumentBuilder()
    .setTitle('postmand')
    .setDescription(
      'Self-hosted webhook delivery: register webhooks, create deliveries, read every ' +
        'delivery attempt. Errors always have the shape of ErrorDto.' +
        (auth
          ? ' Every operation needs an API key (`Authorization: Bearer pmk_…`, made with ' +
            '`postmand api-key create`); a key of scope `read` may only GET.'
          : '') +
        ' A portal session (`Authorization: Bearer pmp_…`, from createPortalSession) acts for ' +
        'one tenant with any POSTMAND_AUTH: it sees only that tenant’s items, and an operation ' +
        'it may not use is a 403; an unknown, expired or revoked session is a 401.',
    )
    .setVersion(POSTMAND_VERSION)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'pmp_…',
        description:
          'A portal session token from createPortalSession: one tenant’s items only (SPEC §12).',
      },
      PORTAL,
    );
  if (auth) {
    builder.addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'pmk_…',
        description:
          'An API key from `postmand api-key create`. Scope `read`: GET only; `write`: everything.',
      },
      BEARER,
    );
  }
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorDto],
    operationIdFactory: (_controller, method) => method,
  });
  if (auth) requireApiKey(document);
  portalSessionErrors(document);
  return document;
}

/**
 * Every operation may be sent with a portal session: an unknown, expired or revoked one is
 * a 401, and an operation the session may not use (or a read-only one's write) a 403.
 */
function portalSessionErrors(document: OpenAPIObject): void {
  const error = (status: number) => ({
    description: describeStatus(status),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } },
  });
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['401'] ??= error(401);
      operation.responses['403'] ??= error(403);
    }
  }
}

/** Every operation takes the bearer key, answers 401 without one and 403 to a read key's write. */
function requireApiKey(document: OpenAPIObject): void {
  document.security = [{ [BEARER]: [] }];
  const error = (status: number) => ({
    description: describeStatus(status),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } },
  });
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['401'] = error(401);
      if (method !== 'get') operation.responses['403'] = error(403);
    }
  }
}

/** Swagger UI at /swagger (and /swagger/index.html), the document at /swagger/doc.json. */
export function setupOpenApi(app: NestExpressApplication): void {
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
  // A factory: Swagger builds the document at its first request (once), not at start-up,
  // where scanning every controller and DTO held up the API's first answer.
  SwaggerModule.setup('swagger', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'swagger/doc.json',
    yamlDocumentUrl: 'swagger/doc.yaml',
    customSiteTitle: 'postmand API',
  });
}
