import { gzipSync } from 'node:zlib';
import { ApiFixture, RECEIVER_HOOK, VALID_WEBHOOK } from '../helpers/api-fixture';

const JSON_TYPE = 'application/json';

/** A JSON body with `bad` spliced into the bytes of a string value: not UTF-8 text. */
const withBytes = (template: string, bad: Buffer): Buffer => {
  const [before, after] = template.split('BYTES');
  return Buffer.concat([Buffer.from(before), bad, Buffer.from(after)]);
};

/** Byte sequences no UTF-8 text holds: a stray continuation byte, a lone lead byte, an overlong "/", a surrogate, past U+10FFFF. */
const NOT_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
];

/** Names every JavaScript object answers to: a body or query must not set them silently. */
const OBJECT_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

describe('request hygiene: what a request holds is what the API reads', () => {
  const f = ApiFixture.use({}, { withHook: true });

  const count = async (table: string): Promise<number> => {
    const [row] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${table}`,
    );
    return row.n;
  };

  /** POSTs `bytes` as they are (supertest would write a Buffer as JSON of its bytes). */
  const postBytes = (path: string, bytes: Buffer, headers: Record<string, string> = {}) =>
    f
      .http()
      .post(path)
      .set({ 'Content-Type': JSON_TYPE, ...headers })
      .serialize((b: unknown) => b as string)
      .send(bytes);

  it('refuses a body that is not valid UTF-8 with 400 code 3, storing nothing', async () => {
    for (const bad of NOT_UTF8) {
      const delivery = withBytes(JSON.stringify({ webhook_id: f.hookId, payload: 'BYTES' }), bad);
      for (const type of [JSON_TYPE, `${JSON_TYPE}; charset=utf-8`]) {
        const res = await postBytes('/v1/deliveries', delivery, { 'Content-Type': type });
        expect([res.status, res.body]).toEqual([
          400,
          { code: 3, message: 'malformed request body', details: 'the body is not valid UTF-8' },
        ]);
      }
      // Compressed, it is the same body.
      const gzipped = await postBytes('/v1/deliveries', gzipSync(delivery), {
        'Content-Encoding': 'gzip',
      });
      expect([gzipped.status, gzipped.body.code]).toEqual([400, 3]);
      const webhook = withBytes(JSON.stringify({ ...RECEIVER_HOOK, name: 'hook BYTES' }), bad);
      const res = await postBytes('/v1/webhooks', webhook);
      expect([res.status, res.body.code]).toEqual([400, 3]);
    }
    expect(await count('deliveries')).toBe(0);
    expect(await count('webhooks')).toBe(1);
    // Text that is UTF-8, four-byte characters included, goes through byte for byte.
    const good = withBytes(
      JSON.stringify({ webhook_id: f.hookId, payload: 'BYTES' }),
      Buffer.from('é€😀\u{10FFFF}'),
    );
    const res = await postBytes('/v1/deliveries', good);
    expect(res.status).toBe(201);
    expect(res.body.payload).toBe('é€😀\u{10FFFF}');
  });

  it.each(OBJECT_NAMES)('refuses a body field named %s with code 4 naming it', async (name) => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['post', '/v1/webhooks', VALID_WEBHOOK],
      ['post', '/v1/deliveries', { webhook_id: f.hookId, payload: '{}' }],
      ['post', '/v1/events', { event_type: 'order.created', payload: '{}' }],
      ['post', '/v1/deliveries/redeliver', { dry_run: true }],
    ];
    const hook = await f.createWebhook();
    cases.push(['put', `/v1/webhooks/${hook.id}`, VALID_WEBHOOK]);
    cases.push(['post', `/v1/webhooks/${hook.id}/rotate-secret`, {}]);
    const delivery = await f.createDelivery();
    cases.push(['post', `/v1/deliveries/${delivery.id}/redeliver`, {}]);
    for (const value of ['{}', '1', '"x"', 'null', '{"polluted": true}']) {
      for (const [method, path, fields] of cases) {
        // Written as text: JSON.stringify would not write an own "__proto__" key.
        const body = `${JSON.stringify(fields).slice(0, -1)}${Object.keys(fields).length ? ',' : ''}"${name}":${value}}`;
        const res = await f
          .http()
          [method as 'post' | 'put'](path)
          .set('Content-Type', JSON_TYPE)
          .send(body);
        expect([method, path, res.status, res.body]).toEqual([
          method,
          path,
          400,
          {
            code: 4,
            message: 'request validation failed',
            details: `${name}: is not a field of this request.`,
          },
        ]);
      }
    }
    expect(await count('deliveries')).toBe(1);
    expect(await count('webhooks')).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(OBJECT_NAMES)(
    'refuses a query parameter named %s with code 4 naming it',
    async (name) => {
      for (const path of [
        '/v1/webhooks',
        '/v1/deliveries',
        '/v1/delivery-attempts',
        '/v1/events',
        '/v1/stats',
      ]) {
        const res = await f.http().get(`${path}?limit=1&${name}=1`);
        expect([path, res.status, res.body]).toEqual([
          path,
          400,
          {
            code: 4,
            message: 'request validation failed',
            details: `${name}: is not a field of this request.`,
          },
        ]);
      }
    },
  );

  it('refuses a query parameter on a write that takes none, naming it, doing nothing', async () => {
    const hook = await f.createWebhook();
    const delivery = await f.createDelivery();
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'failed'`);
    const writes: [string, string, object | undefined][] = [
      ['post', '/v1/webhooks', VALID_WEBHOOK],
      ['post', '/v1/deliveries', { webhook_id: f.hookId, payload: '{}' }],
      ['post', '/v1/events', { event_type: 'order.created', payload: '{}' }],
      // The dry run asked for in the wrong place must not redeliver for real.
      ['post', '/v1/deliveries/redeliver', {}],
      ['post', `/v1/deliveries/${delivery.id}/redeliver`, undefined],
      ['post', `/v1/webhooks/${hook.id}/rotate-secret`, undefined],
      ['put', `/v1/webhooks/${hook.id}`, VALID_WEBHOOK],
      ['delete', `/v1/deliveries/${delivery.id}`, undefined],
      ['delete', `/v1/webhooks/${hook.id}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      const req = f
        .http()
        [method as 'post' | 'put' | 'delete'](`${path}?dry_run=true&toString=1`)
        .set('Content-Type', JSON_TYPE);
      const res = await (body === undefined ? req : req.send(body));
      expect([method, path, res.status, res.body]).toEqual([
        method,
        path,
        400,
        {
          code: 4,
          message: 'request validation failed',
          details:
            'dry_run: is not a field of this request; toString: is not a field of this request.',
        },
      ]);
    }
    expect(await count('deliveries')).toBe(1);
    expect(await count('webhooks')).toBe(2);
    expect(await count('events')).toBe(0);
    const got = await f.http().get(`/v1/webhooks/${hook.id}`).expect(200);
    expect(got.body.secret_token).toBe(VALID_WEBHOOK.secret_token);
  });
});
