import type request from 'supertest';
import { ApiFixture } from '../helpers/api-fixture';

describe('API HTTP behaviour', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  it('answers unknown routes with 404 code 10', async () => {
    const notFound = { code: 10, message: 'route not found' };
    await http().get('/nope').expect(404, notFound);
    await http().get('/v2/webhooks').expect(404, notFound);
    await http()
      .delete('/v1/webhooks/00000000-0000-4000-8000-000000000000/x')
      .expect(404, notFound);
  });

  it.each([
    ['patch', '/v1/webhooks', 'GET, HEAD, POST', '/v1/webhooks'],
    [
      'options',
      '/v1/webhooks/00000000-0000-4000-8000-000000000000',
      'DELETE, GET, HEAD, PUT',
      '/v1/webhooks/:id',
    ],
    ['delete', '/v1/deliveries', 'GET, HEAD, POST', '/v1/deliveries'],
    ['post', '/v1/delivery-attempts', 'GET, HEAD', '/v1/delivery-attempts'],
    [
      'get',
      '/v1/deliveries/00000000-0000-4000-8000-000000000000/redeliver',
      'POST',
      '/v1/deliveries/:id/redeliver',
    ],
  ])(
    'answers %s %s, a path served with other methods, with 405 and Allow',
    async (method, path, allow, template) => {
      const res = await (http() as unknown as Record<string, (p: string) => request.Test>)
        [method](path)
        .expect(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.body).toEqual({
        code: 10,
        message: 'method not allowed',
        details: `${method.toUpperCase()} is not served at ${template}; allowed: ${allow}`,
      });
    },
  );

  // Shrunk counter-examples of test/system/fuzz.e2e-spec.ts: each was a 500 (a stack
  // overflow past the JSON parser) before bodies were limited to 32 levels of nesting.
  it('answers deeply nested JSON with 400 code 3, wherever the nesting is', async () => {
    const deep = (open: string, close: string, depth: number): string =>
      open.repeat(depth) + '1' + close.repeat(depth);
    const valid = {
      name: 'nested',
      url: 'http://127.0.0.1:9/hook',
      content_type: 'application/json',
      valid_status_codes: [200],
    };
    const bodies: [string, string][] = [
      ['/v1/webhooks', `${JSON.stringify(valid).slice(0, -1)},"":${deep('[', ']', 4_000)}}`],
      ['/v1/deliveries', `{"webhook_id":${deep('[', ']', 2_000)},"payload":"{}"}`],
      ['/v1/webhooks', deep('{"a":', '}', 3_000)],
    ];
    for (const [path, body] of bodies) {
      await http().post(path).set('content-type', 'application/json').send(body).expect(400, {
        code: 3,
        message: 'malformed request body',
        details: 'JSON nested more than 32 levels deep',
      });
    }
    // 32 levels are fine: they reach validation, which names the unknown field.
    const ok = await http()
      .post('/v1/webhooks')
      .set('content-type', 'application/json')
      .send(`${JSON.stringify(valid).slice(0, -1)},"extra":${deep('[', ']', 31)}}`);
    expect(ok.body).toEqual({
      code: 4,
      message: 'request validation failed',
      details: 'extra: is not a field of this request.',
    });
  });

  it('sets security headers on every response, with a restrictive CSP outside /swagger', async () => {
    for (const path of ['/v1/webhooks', '/nope', '/v1/webhooks/bad-id']) {
      const res = await http().get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const ui = await http().get('/swagger').expect(200);
    expect(ui.headers['x-content-type-options']).toBe('nosniff');
    expect(ui.headers['content-security-policy']).toBeUndefined();
  });

  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const kept = await http().get('/v1/webhooks').set('X-Request-Id', 'abc-123').expect(200);
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await http().get('/v1/webhooks').set('X-Request-Id', 'bad id\t!').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never leaks SQL or stacks: a broken query is a bare code 1', async () => {
    // Take the table away under the running API: the repository's SQL now fails.
    await f.db.dataSource.query('ALTER TABLE webhooks RENAME TO webhooks_away');
    try {
      const res = await http().get('/v1/webhooks').expect(500);
      expect(res.body).toEqual({ code: 1, message: 'internal server error' });
    } finally {
      await f.db.dataSource.query('ALTER TABLE webhooks_away RENAME TO webhooks');
    }
  });

  it('counts requests by route template and status in the metrics registry', async () => {
    await http().get('/v1/webhooks').expect(200);
    await http().get('/v1/webhooks/4bd1b6a2-3c62-4a4e-9f1a-2a1f2b3c4d5e').expect(404);
    const text = await f.api.registry.metrics();
    expect(text).toMatch(
      /postmand_api_requests_total\{method="GET",route="\/v1\/webhooks",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /postmand_api_requests_total\{method="GET",route="\/v1\/webhooks\/:id",status="404"\} \d+/,
    );
    expect(text).toContain('postmand_api_request_duration_seconds_bucket');
  });

  it('counts requests the body parser refused under their route, not as unmatched', async () => {
    await http().post('/v1/webhooks').set('content-type', 'text/plain').send('x').expect(415);
    await http()
      .post('/v1/deliveries')
      .set('content-type', 'application/json')
      .send('{')
      .expect(400);
    const id = '4bd1b6a2-3c62-4a4e-9f1a-2a1f2b3c4d5e';
    await http().put(`/v1/webhooks/${id}`).set('content-type', 'text/xml').send('<a/>').expect(415);
    const text = await f.api.registry.metrics();
    for (const series of [
      'method="POST",route="/v1/webhooks",status="415"',
      'method="POST",route="/v1/deliveries",status="400"',
      'method="PUT",route="/v1/webhooks/:id",status="415"',
    ]) {
      expect(text).toContain(`postmand_api_requests_total{${series}} `);
    }
    expect(text).not.toMatch(/route="unmatched",status="4(00|15)"/);
  });
});
