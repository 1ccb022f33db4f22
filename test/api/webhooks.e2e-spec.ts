import { ApiFixture, ISO_MS, VALID_WEBHOOK as VALID } from '../helpers/api-fixture';

const UNKNOWN_ID = '5f1c1a4e-8f0a-4b1e-9a53-0c5d7b8e9f10';

describe('/v1/webhooks', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  const create = async (body: object = VALID): Promise<Record<string, unknown>> =>
    (await http().post('/v1/webhooks').send(body).expect(201)).body as Record<string, unknown>;

  it('creates a webhook and returns it as the Go project did, with the v2 and v3 fields added', async () => {
    const res = await http().post('/v1/webhooks').send(VALID).expect(201);
    expect(res.body).toEqual({
      ...VALID,
      event_types: ['*'],
      tenant_id: null,
      max_concurrency: null,
      rate_limit: null,
      ordering: 'none',
      filter: null,
      circuit: { state: 'closed', consecutive_failures: 0, open_until: null },
      disabled_reason: null,
      id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      created_at: expect.stringMatching(ISO_MS),
      updated_at: expect.stringMatching(ISO_MS),
    });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('fills in the defaults for optional fields', async () => {
    const body = await create({
      name: 'minimal',
      url: 'http://10.0.0.1:8080/x',
      content_type: 'text/plain',
      valid_status_codes: [204],
    });
    expect(body).toMatchObject({
      secret_token: '',
      active: true,
      max_delivery_attempts: 5,
      delivery_attempt_timeout: 10,
      retry_min_backoff: 10,
      retry_max_backoff: 3600,
    });
  });

  it('treats null optional fields as left out', async () => {
    const body = await create({
      ...VALID,
      secret_token: null,
      active: null,
      retry_max_backoff: null,
    });
    expect(body).toMatchObject({ secret_token: '', active: true, retry_max_backoff: 3600 });
  });

  it('ignores read-only fields, so that what was read can be sent back', async () => {
    const body = await create({
      ...VALID,
      id: '00000000-0000-4000-8000-000000000000',
      created_at: '2000-01-01T00:00:00Z',
      updated_at: '2000-01-01T00:00:00Z',
    });
    expect(body.id).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(body.created_at).not.toBe('2000-01-01T00:00:00.000Z');
    const put = await http()
      .put(`/v1/webhooks/${body.id as string}`)
      .send(body)
      .expect(200);
    expect(put.body).toMatchObject({ ...VALID, id: body.id, created_at: body.created_at });
  });

  it('refuses unknown fields, naming them: a typo never creates an unsigned webhook', async () => {
    const { secret_token, ...rest } = VALID;
    const res = await http()
      .post('/v1/webhooks')
      .send({ ...rest, secret: secret_token, colour: 'blue' })
      .expect(400);
    expect(res.body).toEqual({
      code: 4,
      message: 'request validation failed',
      details: 'colour: is not a field of this request; secret: is not a field of this request.',
    });
    expect(await f.db.dataSource.query('SELECT id FROM webhooks')).toEqual([]);
  });

  it.each([
    [{ name: 'ab' }, 'name: must be 3 to 255 characters long.'],
    [{ name: 'x'.repeat(256) }, 'name: must be 3 to 255 characters long.'],
    [{ name: 42 }, 'name: must be a string.'],
    [{ name: 'bad\u0000name' }, 'name: must not contain NUL characters or unpaired surrogates.'],
    [{ url: 'mailto:ops@example.com' }, 'url: must be an absolute http or https URL.'],
    [{ url: '/relative' }, 'url: must be an absolute http or https URL.'],
    [{ url: 'ftp://example.com' }, 'url: must be an absolute http or https URL.'],
    [{ content_type: '' }, 'content_type: must not be empty or blank.'],
    [{ content_type: '   ' }, 'content_type: must not be empty or blank.'],
    // Accepted by the WHATWG parser, refused by the table's CHECK: one rule for both.
    [{ url: 'http:///x' }, 'url: must be an absolute http or https URL.'],
    [{ url: 'https:////127.0.0.1:9000/ok' }, 'url: must be an absolute http or https URL.'],
    [{ url: 'http:\\\\example.com/' }, 'url: must be an absolute http or https URL.'],
    // Stored verbatim, sent rewritten (tabs and newlines dropped, spaces encoded).
    [{ url: 'http://example.com/a\r\nb' }, 'url: must not contain spaces or control characters.'],
    [{ url: 'http://exa\tmple.com/' }, 'url: must not contain spaces or control characters.'],
    [{ url: 'http://example.com/a b' }, 'url: must not contain spaces or control characters.'],
    // Lengths in code points, as PostgreSQL counts them: U+FE0F is a character of its own.
    [{ name: 'a\uFE0F'.repeat(200) }, 'name: must be 3 to 255 characters long.'],
    [{ secret_token: 'a\uFE0F'.repeat(200) }, 'secret_token: must be at most 255 characters long.'],
    [
      { content_type: 'text/plain\r\nX-Evil: 1' },
      'content_type: must be a valid HTTP header value (printable ASCII).',
    ],
    [
      { valid_status_codes: [] },
      'valid_status_codes: must be a non-empty array of integers from 100 to 599.',
    ],
    [
      { valid_status_codes: [200, 600] },
      'valid_status_codes: must be a non-empty array of integers from 100 to 599.',
    ],
    [
      { valid_status_codes: ['200'] },
      'valid_status_codes: must be a non-empty array of integers from 100 to 599.',
    ],
    [
      { valid_status_codes: 200 },
      'valid_status_codes: must be a non-empty array of integers from 100 to 599.',
    ],
    [{ secret_token: 'x'.repeat(256) }, 'secret_token: must be at most 255 characters long.'],
    [{ active: 'yes' }, 'active: must be true or false.'],
    [{ max_delivery_attempts: 0 }, 'max_delivery_attempts: must be an integer from 1 to 100.'],
    [{ max_delivery_attempts: 101 }, 'max_delivery_attempts: must be an integer from 1 to 100.'],
    [{ max_delivery_attempts: 2.5 }, 'max_delivery_attempts: must be an integer from 1 to 100.'],
    [{ max_delivery_attempts: '5' }, 'max_delivery_attempts: must be an integer from 1 to 100.'],
    [{ max_delivery_attempts: 1e300 }, 'max_delivery_attempts: must be an integer from 1 to 100.'],
    [
      { delivery_attempt_timeout: 301 },
      'delivery_attempt_timeout: must be an integer from 1 to 300.',
    ],
    [{ retry_min_backoff: 0 }, 'retry_min_backoff: must be an integer from 1 to 604800.'],
    [{ retry_max_backoff: 604801 }, 'retry_max_backoff: must be an integer from 1 to 604800.'],
    [
      { retry_min_backoff: 60, retry_max_backoff: 10 },
      'retry_max_backoff: must be at least retry_min_backoff (60), got 10.',
    ],
    [
      { retry_min_backoff: 7200, retry_max_backoff: undefined },
      'retry_max_backoff: must be at least retry_min_backoff (7200), got 3600.',
    ],
  ])('rejects %j with code 4', async (override, details) => {
    const res = await http()
      .post('/v1/webhooks')
      .send({ ...VALID, ...override })
      .expect(400);
    expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
  });

  it('lists every problem, sorted by field, and names missing fields', async () => {
    const res = await http().post('/v1/webhooks').send({ url: 'nope', active: 1 }).expect(400);
    expect(res.body.details).toBe(
      'active: must be true or false; content_type: is required; name: is required; ' +
        'url: must be an absolute http or https URL; valid_status_codes: is required.',
    );
  });

  it('answers malformed bodies with code 3 and other media types with code 9', async () => {
    const bad = await http()
      .post('/v1/webhooks')
      .set('Content-Type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(bad.body).toMatchObject({ code: 3, message: 'malformed request body' });
    for (const body of ['[]', '"text"', '42', 'null', ' null ', 'true']) {
      const res = await http()
        .post('/v1/webhooks')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(res.body).toEqual({
        code: 3,
        message: 'malformed request body',
        details: 'the body must be a JSON object',
      });
    }
    const text = await http()
      .post('/v1/webhooks')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(VALID))
      .expect(415);
    expect(text.body).toMatchObject({ code: 9, message: 'unsupported media type' });
    const form = await http().post('/v1/webhooks').type('form').send({ name: 'x' }).expect(415);
    expect(form.body.code).toBe(9);
  });

  it('gets, replaces (PUT back what was GOT) and deletes', async () => {
    const created = await create();
    const got = (
      await http()
        .get(`/v1/webhooks/${created.id as string}`)
        .expect(200)
    ).body;
    expect(got).toEqual(created);

    const putBack = await http()
      .put(`/v1/webhooks/${created.id as string}`)
      .send({ ...got, name: 'renamed' })
      .expect(200);
    expect(putBack.body).toMatchObject({ ...VALID, id: created.id, name: 'renamed' });
    expect(putBack.body.created_at).toBe(created.created_at);

    // Full replacement: what is left out takes its default.
    const replaced = await http()
      .put(`/v1/webhooks/${created.id as string}`)
      .send({
        name: 'bare',
        url: VALID.url,
        content_type: 'application/json',
        valid_status_codes: [200],
      })
      .expect(200);
    expect(replaced.body).toMatchObject({
      secret_token: '',
      retry_max_backoff: 3600,
      delivery_attempt_timeout: 10,
    });

    await http()
      .delete(`/v1/webhooks/${created.id as string}`)
      .expect(204, '');
    const gone = await http()
      .get(`/v1/webhooks/${created.id as string}`)
      .expect(404);
    expect(gone.body).toEqual({ code: 5, message: 'webhook not found' });
  });

  it('answers unknown and malformed ids with codes 5 and 2, and keeps data on a rejected PUT', async () => {
    const created = await create();
    await http()
      .put(`/v1/webhooks/${UNKNOWN_ID}`)
      .send(VALID)
      .expect(404, { code: 5, message: 'webhook not found' });
    await http()
      .delete(`/v1/webhooks/${UNKNOWN_ID}`)
      .expect(404, { code: 5, message: 'webhook not found' });
    for (const path of ['/v1/webhooks/nope', '/v1/webhooks/123', `/v1/webhooks/${UNKNOWN_ID}x`]) {
      await http().get(path).expect(404, { code: 2, message: 'invalid id' });
      await http().delete(path).expect(404, { code: 2, message: 'invalid id' });
    }
    await http()
      .put(`/v1/webhooks/${created.id as string}`)
      .send({ ...VALID, name: 'x' })
      .expect(400);
    const after = (
      await http()
        .get(`/v1/webhooks/${created.id as string}`)
        .expect(200)
    ).body;
    expect(after).toEqual(created);
  });
});
