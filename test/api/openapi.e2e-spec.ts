import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import * as ts from 'typescript';
import { ApiKeyRepository, ApiKeysService } from '@app/domain';
import { ApiFixture } from '../helpers/api-fixture';

const MODULES = path.resolve(__dirname, '../../node_modules');

const OPERATIONS = [
  'createWebhook',
  'listWebhooks',
  'getWebhook',
  'updateWebhook',
  'deleteWebhook',
  'rotateWebhookSecret',
  'testWebhook',
  'listEventTypes',
  'getEventType',
  'putEventType',
  'deleteEventType',
  'createDelivery',
  'listDeliveries',
  'getDelivery',
  'deleteDelivery',
  'redeliverDelivery',
  'redeliverDeliveries',
  'listDeliveryAttempts',
  'getDeliveryAttempt',
  'createEvent',
  'listEvents',
  'getEvent',
  'getStats',
  'getWebhookSuccessRates',
  'putTenant',
  'listTenants',
  'getTenant',
  'deleteTenant',
  'createPortalSession',
  'revokePortalSessions',
  'listPortalSessions',
  'revokePortalSession',
  'getCurrentPortalSession',
];

/**
 * A program a client author would write against the generated types: if the document
 * were incomplete (an untyped body, a missing field or parameter) it would not compile.
 */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths, components } from './schema';

type Webhook = components['schemas']['WebhookDto'];

async function main(): Promise<void> {
  const client = createClient<paths>({
    baseUrl: process.env.BASE_URL,
    headers: { Authorization: 'Bearer ' + process.env.API_KEY },
  });
  const anonymous = createClient<paths>({ baseUrl: process.env.BASE_URL });
  const reader = createClient<paths>({
    baseUrl: process.env.BASE_URL,
    headers: { Authorization: 'Bearer ' + process.env.READ_KEY },
  });
  const unauthorized = await anonymous.GET('/v1/webhooks');
  const readList = await reader.GET('/v1/webhooks');
  const created = await client.POST('/v1/webhooks', {
    body: {
      name: 'generated client',
      url: 'https://example.com/hook',
      content_type: 'application/json',
      valid_status_codes: [200, 202],
      retry_max_backoff: 120,
    },
  });
  if (!created.data) throw new Error('create failed: ' + JSON.stringify(created.error));
  const webhook: Webhook = created.data;

  const fetched = await client.GET('/v1/webhooks/{id}', { params: { path: { id: webhook.id } } });
  const listed = await client.GET('/v1/webhooks', { params: { query: { limit: 10, active: true } } });
  const updated = await client.PUT('/v1/webhooks/{id}', {
    params: { path: { id: webhook.id } },
    body: { ...webhook, name: 'renamed by client', active: false },
  });
  const rotated = await client.POST('/v1/webhooks/{id}/rotate-secret', {
    params: { path: { id: webhook.id } },
    body: { grace_period: 3600 },
  });
  const readerWrite = await reader.POST('/v1/webhooks/{id}/rotate-secret', {
    params: { path: { id: webhook.id } },
    body: {},
  });
  const delivery = await client.POST('/v1/deliveries', {
    body: { webhook_id: webhook.id, payload: '{"hello":"world"}' },
  });
  if (!delivery.data) throw new Error('delivery failed');
  const status: 'pending' | 'succeeded' | 'failed' = delivery.data.status;
  const again = await client.POST('/v1/deliveries/{id}/redeliver', {
    params: { path: { id: delivery.data.id } },
  });
  const deliveries = await client.GET('/v1/deliveries', {
    params: { query: { webhook_id: webhook.id, status: 'pending', 'created_at.gte': webhook.created_at } },
  });
  const one = await client.GET('/v1/deliveries/{id}', { params: { path: { id: delivery.data.id } } });
  const attempts = await client.GET('/v1/delivery-attempts', {
    params: { query: { delivery_id: delivery.data.id, success: false } },
  });
  const event = await client.POST('/v1/events', {
    params: { header: { 'Idempotency-Key': 'client-event-1' } },
    body: { event_type: 'order.created', payload: '{"order":1}' },
  });
  const replayed = await client.POST('/v1/events', {
    params: { header: { 'Idempotency-Key': 'client-event-1' } },
    body: { event_type: 'order.created', payload: '{"order":1}' },
  });
  const events = await client.GET('/v1/events', { params: { query: { event_type: 'order.created' } } });
  const fanned = await client.GET('/v1/deliveries', {
    params: { query: { event_id: event.data?.id, event_type: 'order.created' } },
  });
  const bulk = await client.POST('/v1/deliveries/redeliver', {
    body: { status: 'pending', webhook_id: webhook.id, dry_run: true },
  });
  const bulkFailed = await client.POST('/v1/deliveries/redeliver', { body: { dry_run: true } });
  const oneEvent = await client.GET('/v1/events/{id}', { params: { path: { id: event.data!.id } } });
  const missing = await client.GET('/v1/delivery-attempts/{id}', {
    params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
  });
  const invalid = await client.POST('/v1/webhooks', {
    body: { name: 'x', url: 'mailto:x', content_type: 'a', valid_status_codes: [200] },
  });
  // 1,000 deliveries of one webhook, paged through by cursor.
  const pager = await client.POST('/v1/webhooks', {
    body: { name: 'pager', url: 'https://example.com/pager', content_type: 'text/plain', valid_status_codes: [200] },
  });
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        client.POST('/v1/deliveries', { body: { webhook_id: pager.data!.id, payload: String(i + j) } }),
      ),
    );
  }
  const paged: string[] = [];
  let pages = 0;
  let after: string | undefined;
  do {
    const page = await client.GET('/v1/deliveries', {
      params: { query: { webhook_id: pager.data!.id, limit: 100, after } },
    });
    if (!page.data) throw new Error('page failed: ' + JSON.stringify(page.error));
    paged.push(...page.data.deliveries.map((d) => d.payload));
    pages++;
    after = page.data.next_cursor ?? undefined;
  } while (after !== undefined);
  const removedDelivery = await client.DELETE('/v1/deliveries/{id}', {
    params: { path: { id: delivery.data.id } },
  });
  const removed = await client.DELETE('/v1/webhooks/{id}', { params: { path: { id: webhook.id } } });
  const tenant = await client.PUT('/v1/tenants/{tenant_id}', {
    params: { path: { tenant_id: 'acme' } },
    body: { name: 'Acme Corp', metadata: { plan: 'enterprise' }, max_webhooks: 10 },
  });
  const tenantAgain = await client.PUT('/v1/tenants/{tenant_id}', {
    params: { path: { tenant_id: 'acme' } },
    body: { ...tenant.data!, max_webhooks: null },
  });
  const tenants = await client.GET('/v1/tenants', { params: { query: { limit: 10 } } });
  const oneTenant = await client.GET('/v1/tenants/{tenant_id}', {
    params: { path: { tenant_id: 'acme' } },
  });
  const plan: string | undefined = oneTenant.data?.metadata.plan;
  const removedTenant = await client.DELETE('/v1/tenants/{tenant_id}', {
    params: { path: { tenant_id: 'acme' } },
  });
  const missingTenant = await client.GET('/v1/tenants/{tenant_id}', {
    params: { path: { tenant_id: 'acme' } },
  });

  console.log(JSON.stringify({
    unauthorizedCode: unauthorized.error?.code,
    readListStatus: readList.response.status,
    rotatedSecret: rotated.data?.secret_token.startsWith('whsec_'),
    readerWriteCode: readerWrite.error?.code,
    createdName: webhook.name,
    retryMaxBackoff: webhook.retry_max_backoff,
    fetchedId: fetched.data?.id,
    listedCount: listed.data?.webhooks.length,
    listedLimit: listed.data?.limit,
    updatedName: updated.data?.name,
    updatedActive: updated.data?.active,
    status,
    redeliveredPayload: again.data?.payload,
    deliveriesCount: deliveries.data?.deliveries.length,
    oneAttempts: one.data?.delivery_attempts,
    attemptsCount: attempts.data?.delivery_attempts.length,
    eventDeliveries: event.data?.delivery_count,
    replayedHeader: replayed.response.headers.get('idempotent-replayed'),
    sameEvent: replayed.data?.id === event.data?.id,
    eventsCount: events.data?.events.length,
    fannedType: fanned.data?.deliveries[0]?.event_type,
    oneEventType: oneEvent.data?.event_type,
    bulkCount: bulk.data?.count,
    bulkStatus: bulk.response.status,
    bulkFailedCount: bulkFailed.data?.count,
    missingCode: missing.error?.code,
    invalidCode: invalid.error?.code,
    invalidDetails: invalid.error?.details,
    removedDeliveryStatus: removedDelivery.response.status,
    removedStatus: removed.response.status,
    pagedCount: paged.length,
    pagedDistinct: new Set(paged).size,
    pages,
    tenantStatus: tenant.response.status,
    tenantAgainStatus: tenantAgain.response.status,
    tenantMaxWebhooks: tenantAgain.data?.max_webhooks,
    tenantIds: tenants.data?.tenants.map((t) => t.id),
    tenantsCursor: tenants.data?.next_cursor,
    plan,
    removedTenantStatus: removedTenant.response.status,
    missingTenantCode: missingTenant.error?.code,
  }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

describe('OpenAPI document', () => {
  let writeKey: string;
  let readKey: string;
  // With access control on: the document and Swagger UI need no key, the client does.
  const f = ApiFixture.use(
    { POSTMAND_AUTH: 'api_key' },
    {
      listen: true,
      seed: async (db) => {
        const keys = new ApiKeysService(new ApiKeyRepository(db.dataSource));
        writeKey = (await keys.create('client', 'write')).key;
        readKey = (await keys.create('client-reader', 'read')).key;
      },
    },
  );
  const http = () => f.http();

  it('serves Swagger UI at /swagger and at /swagger/index.html, with assets that load', async () => {
    for (const path of ['/swagger', '/swagger/index.html']) {
      const page = await http()
        .get(path)
        .expect(200)
        .expect('Content-Type', /text\/html/);
      expect(page.text).toContain('<title>postmand API</title>');
      const links = [...page.text.matchAll(/(?:href|src)="(\.\/[^"]+)"/g)].map((m) => m[1]);
      expect(links.length).toBeGreaterThan(2);
      // Each asset as a browser on this page would resolve it.
      for (const link of links) {
        await http()
          .get(new URL(link, `http://x${path}`).pathname)
          .expect(200);
      }
    }
  });

  it('is a valid OpenAPI 3 document with every operation, enum and limit', async () => {
    const doc = (await http().get('/swagger/doc.json').expect(200)).body;
    await SwaggerParser.validate(structuredClone(doc));
    expect(doc.openapi).toMatch(/^3\./);
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((ops) => Object.values(ops).map((op) => op.operationId))
      .sort();
    expect(ids).toEqual([...OPERATIONS].sort());

    const schemas = doc.components.schemas;
    expect(schemas.DeliveryStatus.enum).toEqual(['pending', 'succeeded', 'failed']);
    expect(schemas.WebhookRequestDto.required.sort()).toEqual(
      ['content_type', 'name', 'url', 'valid_status_codes'].sort(),
    );
    expect(schemas.WebhookRequestDto.properties.max_delivery_attempts).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      description: expect.stringContaining('Default 5.'),
    });
    expect(schemas.WebhookListDto.properties.webhooks.items.$ref).toBe(
      '#/components/schemas/WebhookDto',
    );
    expect(schemas.ErrorDto.required.sort()).toEqual(['code', 'message']);
    const createDelivery = doc.paths['/v1/deliveries'].post;
    for (const status of ['400', '404', '413', '415', '500']) {
      expect(createDelivery.responses[status].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/ErrorDto',
      );
    }
    const limit = doc.paths['/v1/deliveries'].get.parameters.find(
      (p: { name: string }) => p.name === 'limit',
    );
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 50 });

    // Tenants (§11): the platform's own ids in the path, both successes of PUT, code 16.
    const tenantPath = doc.paths['/v1/tenants/{tenant_id}'];
    expect(tenantPath.put.parameters).toContainEqual(
      expect.objectContaining({
        name: 'tenant_id',
        in: 'path',
        schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      }),
    );
    expect(Object.keys(tenantPath.put.responses).sort()).toEqual(
      ['200', '201', '400', '401', '403', '415', '500', '503'].sort(),
    );
    expect(tenantPath.get.responses['404'].description).toContain('tenant not found (code 16)');
    expect(schemas.TenantRequestDto.required ?? []).toEqual([]);
    expect(schemas.TenantRequestDto.properties.max_webhooks).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      nullable: true,
    });
    expect(schemas.TenantRequestDto.properties.metadata).toMatchObject({
      type: 'object',
      maxProperties: 32,
      additionalProperties: { type: 'string', maxLength: 512 },
    });
    expect(schemas.TenantListDto.properties.tenants.items.$ref).toBe(
      '#/components/schemas/TenantDto',
    );

    // Portal sessions (§12): listed without a token; one revoked by id, code 20 when unknown.
    expect(Object.keys(schemas.ListedPortalSessionDto.properties).sort()).toEqual(
      ['created_at', 'expires_at', 'id', 'read_only'].sort(),
    );
    const onePath = doc.paths['/v1/tenants/{tenant_id}/portal-sessions/{session_id}'];
    expect(onePath.delete.parameters).toContainEqual(
      expect.objectContaining({
        name: 'session_id',
        in: 'path',
        schema: expect.objectContaining({ format: 'uuid' }),
      }),
    );
    expect(onePath.delete.responses['404'].description).toContain(
      'portal session not found (code 20)',
    );
    expect(schemas.ErrorDto.properties.code.enum).toContain(20);
  });

  it('generates a typed client that compiles and drives the API', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postmand-client-'));
    try {
      const doc = (await http().get('/swagger/doc.json').expect(200)).body;
      // As a client author would: the openapi-typescript CLI on the served document.
      fs.writeFileSync(path.join(dir, 'doc.json'), JSON.stringify(doc));
      const cli = path.join(MODULES, 'openapi-typescript/bin/cli.js');
      execFileSync(
        process.execPath,
        [cli, path.join(dir, 'doc.json'), '-o', path.join(dir, 'schema.ts')],
        {
          stdio: 'pipe',
        },
      );
      fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT);

      const options: ts.CompilerOptions = {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.resolve(__dirname, '../../node_modules/@types')],
        baseUrl: dir,
        paths: {
          'openapi-fetch': [require.resolve('openapi-fetch').replace(/index\.cjs$/, 'index.d.ts')],
        },
      };
      const program = ts.createProgram([path.join(dir, 'client.ts')], options);
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);

      const js = ts.transpileModule(CLIENT, {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
      }).outputText;
      fs.writeFileSync(path.join(dir, 'client.js'), js);
      // Asynchronously: the API answering the client runs in this very process.
      const { stdout: output } = await promisify(execFile)(
        process.execPath,
        [path.join(dir, 'client.js')],
        {
          env: {
            ...process.env,
            BASE_URL: f.baseUrl,
            API_KEY: writeKey,
            READ_KEY: readKey,
            NODE_PATH: path.resolve(__dirname, '../../node_modules'),
          },
          encoding: 'utf8',
        },
      );
      expect(JSON.parse(output)).toEqual({
        unauthorizedCode: 14,
        readListStatus: 200,
        rotatedSecret: true,
        readerWriteCode: 15,
        createdName: 'generated client',
        retryMaxBackoff: 120,
        fetchedId: expect.any(String),
        listedCount: 1,
        listedLimit: 10,
        updatedName: 'renamed by client',
        updatedActive: false,
        status: 'pending',
        redeliveredPayload: '{"hello":"world"}',
        deliveriesCount: 2,
        oneAttempts: 0,
        attemptsCount: 0,
        eventDeliveries: 1,
        replayedHeader: 'true',
        sameEvent: true,
        eventsCount: 1,
        fannedType: 'order.created',
        oneEventType: 'order.created',
        bulkCount: 3,
        bulkStatus: 200,
        bulkFailedCount: 0,
        missingCode: 7,
        invalidCode: 4,
        invalidDetails:
          'name: must be 3 to 255 characters long; url: must be an absolute http or https URL.',
        removedDeliveryStatus: 204,
        removedStatus: 204,
        pagedCount: 1000,
        pagedDistinct: 1000,
        pages: 10,
        tenantStatus: 201,
        tenantAgainStatus: 200,
        tenantMaxWebhooks: null,
        tenantIds: ['acme'],
        tenantsCursor: null,
        plan: 'enterprise',
        removedTenantStatus: 204,
        missingTenantCode: 16,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
