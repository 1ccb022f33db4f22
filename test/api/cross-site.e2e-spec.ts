import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type request from 'supertest';
import { ApiFixture } from '../helpers/api-fixture';

type Headers = Record<string, string>;

/** What a browser adds to a request a page on `origin` sends to another site. */
const crossSite = (origin: string, site = 'cross-site'): Headers => ({
  Origin: origin,
  'Sec-Fetch-Site': site,
  'Sec-Fetch-Mode': 'no-cors',
});

const FORBIDDEN = { code: 15, message: 'forbidden' };

/** The number of deliveries in the database. */
const deliveryCount = async (f: ApiFixture): Promise<number> => {
  const [row] = await f.db.dataSource.query<{ n: number }[]>(
    'SELECT count(*)::int AS n FROM deliveries',
  );
  return row.n;
};

/** Sends `req` with `headers`, and `body` (as JSON) when given. */
const send = (req: request.Test, headers: Headers, body?: object): request.Test => {
  const withHeaders = req.set(headers);
  return body === undefined ? withHeaders : withHeaders.send(body);
};

/**
 * §3 "Browsers": with POSTMAND_AUTH=none (the default) the API answers anyone who reaches
 * it, so a page on another site must not be able to use it through a visitor's browser:
 * neither by sending it requests (a form, a no-cors fetch) nor by DNS rebinding (a name
 * of the attacker's that resolves to the service). Clients that are not browsers, which
 * send none of a browser's headers, are not affected whatever name they reach it by.
 */
describe('cross-site requests (POSTMAND_AUTH=none, defaults)', () => {
  const f = ApiFixture.use({}, { withHook: true });

  /** A failed delivery for the bulk redeliver to find. */
  const failed = async (): Promise<string> => {
    const delivery = await f.createDelivery();
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'failed' WHERE id = $1`, [
      delivery.id,
    ]);
    return delivery.id as string;
  };

  it('refuses a page on another site: no-cors fetch, form and read, with 403 code 15, creating nothing', async () => {
    const id = await failed();
    const attacks: [string, request.Test, Headers, object?][] = [
      // fetch(url, {method: 'POST', mode: 'no-cors'}): no body, no Content-Type.
      [
        'bulk, no-cors',
        f.http().post('/v1/deliveries/redeliver'),
        crossSite('https://evil.example'),
      ],
      [
        'single, no-cors',
        f.http().post(`/v1/deliveries/${id}/redeliver`),
        crossSite('https://evil.example'),
      ],
      // Another site of the same registrable domain is another origin too.
      [
        'bulk, same-site',
        f.http().post('/v1/deliveries/redeliver'),
        crossSite('https://blog.example', 'same-site'),
      ],
      // A browser that sends Origin but no Sec-Fetch-* (Safari before 16.4).
      [
        'bulk, Origin only',
        f.http().post('/v1/deliveries/redeliver'),
        { Origin: 'https://evil.example' },
      ],
      // A sandboxed frame or a file:// page sends "Origin: null".
      ['bulk, null Origin', f.http().post('/v1/deliveries/redeliver'), { Origin: 'null' }],
      [
        'bulk, JSON body',
        f.http().post('/v1/deliveries/redeliver'),
        crossSite('https://evil.example'),
        {},
      ],
      // Reads too: a list holds every webhook's secret_token.
      ['read', f.http().get('/v1/webhooks'), crossSite('https://evil.example')],
      ['read, no Origin', f.http().get('/v1/webhooks'), { 'Sec-Fetch-Site': 'cross-site' }],
      ['delete', f.http().delete(`/v1/deliveries/${id}`), crossSite('https://evil.example')],
    ];
    for (const [name, req, headers, body] of attacks) {
      const res = await send(req, headers, body);
      expect([name, res.status, res.body]).toEqual([
        name,
        403,
        { ...FORBIDDEN, details: expect.stringMatching(/^a browser request .* is refused/) },
      ]);
    }
    expect(await deliveryCount(f)).toBe(1);
  });

  it('refuses a form that names a type other than JSON, even without a body (415 code 9)', async () => {
    await failed();
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain',
    ]) {
      // A browser that sends neither Origin nor Sec-Fetch-Site still names the form's type.
      const res = await f
        .http()
        .post('/v1/deliveries/redeliver')
        .set({ 'Content-Type': type, 'Content-Length': '0' });
      expect([type, res.status, res.body]).toEqual([
        type,
        415,
        {
          code: 9,
          message: 'unsupported media type',
          details: `a request without a body names application/json or no Content-Type, got "${type}"`,
        },
      ]);
    }
    expect(await deliveryCount(f)).toBe(1);
  });

  it('refuses a browser request to a host name it does not answer to (DNS rebinding)', async () => {
    const id = await failed();
    for (const host of [
      'rebind.attacker.example',
      'rebind.attacker.example:8000',
      'postmand.ns',
      'localhost.evil.example',
      // Names it was not told to answer to, however private they look.
      'postmand',
      'postmand.ns.svc.cluster.local',
      'printer.local',
    ]) {
      // To the browser the page and the API are one origin: the attacker's.
      const requests: [request.Test, Headers][] = [
        [
          f.http().post(`/v1/deliveries/${id}/redeliver`),
          {
            Host: host,
            Origin: `http://${host}`,
            'Sec-Fetch-Site': 'same-origin',
            'Content-Type': 'application/json',
          },
        ],
        [f.http().get('/v1/webhooks'), { Host: host, 'Sec-Fetch-Site': 'same-origin' }],
        // A browser without Sec-Fetch-Site still sends Origin on a POST.
        [f.http().post('/v1/deliveries/redeliver'), { Host: host, Origin: `http://${host}` }],
      ];
      for (const [req, headers] of requests) {
        const res = await send(req, headers);
        expect([host, res.status, res.body]).toEqual([
          host,
          403,
          {
            ...FORBIDDEN,
            details:
              'a browser request to a host name this service does not answer to is refused (DNS rebinding); add the name to POSTMAND_ALLOWED_HOSTS or set POSTMAND_PUBLIC_URL',
          },
        ]);
      }
    }
    expect(await deliveryCount(f)).toBe(1);
  });

  it('refuses a cross-site request whose target is in absolute form, as Express routes it', async () => {
    const id = await failed();
    const server = f.api.app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    for (const target of [
      `http://127.0.0.1:${port}/v1/deliveries/redeliver`,
      `HTTP://127.0.0.1:${port}/v1/deliveries/${id}/redeliver`,
    ]) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: target,
            headers: crossSite('https://evil.example'),
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect([target, answer.status, JSON.parse(answer.body).code]).toEqual([target, 403, 15]);
    }
    const [row] = await f.db.dataSource.query<{ status: string }[]>(
      'SELECT status FROM deliveries WHERE id = $1',
      [id],
    );
    expect(row.status).toBe('failed');
  });

  it('serves a page of its own, by IP, localhost and the names it is told to answer to', async () => {
    const id = await failed();
    const hosts = [
      `127.0.0.1:${8000}`,
      '127.0.0.1',
      '[::1]:8000',
      'localhost:8000',
      'LOCALHOST',
      'dashboard.localhost',
    ];
    for (const host of hosts) {
      const same = { Host: host, 'Sec-Fetch-Site': 'same-origin' };
      const read = await f.http().get('/v1/webhooks').set(same);
      expect([host, read.status]).toEqual([host, 200]);
      // The dashboard's write: same origin, Origin sent, Content-Type JSON.
      const write = await f
        .http()
        .post(`/v1/deliveries/${id}/redeliver`)
        .set({ ...same, Origin: `http://${host}`, 'Content-Type': 'application/json' });
      expect([host, write.status]).toEqual([host, 201]);
    }
    // A URL typed into the address bar, or a bookmark.
    await f.http().get('/v1/webhooks').set({ 'Sec-Fetch-Site': 'none' }).expect(200);
    // An https Origin behind a proxy that speaks http to the API.
    await f
      .http()
      .post(`/v1/deliveries/${id}/redeliver`)
      .set({ Host: 'localhost', Origin: 'https://localhost', 'Sec-Fetch-Site': 'same-origin' })
      .expect(201);
  });

  it('leaves clients that are not browsers alone: curl, SDKs, other services by any name', async () => {
    const id = await failed();
    for (const host of [
      '127.0.0.1',
      'postmand.ns',
      'hooks.example.com',
      'rebind.attacker.example',
    ]) {
      await f.http().get('/v1/webhooks').set('Host', host).expect(200);
      // `curl -X POST …/redeliver`: no body, no Content-Type.
      await f.http().post(`/v1/deliveries/${id}/redeliver`).set('Host', host).expect(201);
      await f
        .http()
        .post(`/v1/deliveries/${id}/redeliver`)
        .set({ Host: host, 'Content-Type': 'application/json' })
        .expect(201);
    }
    const bulk = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .send({ dry_run: true })
      .expect(200);
    expect(bulk.body.count).toBeGreaterThan(0);
  });

  it('guards /v1 only: the OpenAPI document and the dashboard are pages anyone may load', async () => {
    const headers = { ...crossSite('https://evil.example'), Host: 'rebind.attacker.example' };
    await f.http().get('/swagger/doc.json').set(headers).expect(200);
    await f.http().get('/V1/webhooks').set(headers).expect(403);
  });
});

describe('cross-site requests with POSTMAND_PUBLIC_URL and POSTMAND_ALLOWED_HOSTS', () => {
  const f = ApiFixture.use(
    {
      POSTMAND_PUBLIC_URL: 'https://hooks.example.com/',
      POSTMAND_ALLOWED_HOSTS: '.corp.example, postmand.ns',
    },
    { withHook: true },
  );

  it('serves browsers on the public host and the allowed names, and refuses others', async () => {
    const delivery = await f.createDelivery();
    const url = `/v1/deliveries/${delivery.id}/redeliver`;
    const write = (headers: Headers) =>
      f
        .http()
        .post(url)
        .set({ 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json', ...headers });
    await write({ Host: 'hooks.example.com', Origin: 'https://hooks.example.com' }).expect(201);
    // A proxy that passes the request on to a listed name of the service, Origin untouched.
    await write({ Host: 'postmand.ns:8000', Origin: 'https://hooks.example.com' }).expect(201);
    // ... and to a name not listed: a proxy must pass the Host on, or the name be listed.
    await write({ Host: 'postmand:8000', Origin: 'https://hooks.example.com' }).expect(403);
    for (const host of ['corp.example', 'api.corp.example', 'a.b.corp.example', 'postmand.ns']) {
      const res = await write({ Host: host, Origin: `http://${host}` });
      expect([host, res.status]).toEqual([host, 201]);
    }
    for (const host of [
      'evilcorp.example',
      'corp.example.evil',
      'hooks.example.com.evil',
      'x.postmand.ns',
    ]) {
      const res = await write({ Host: host, Origin: `http://${host}` });
      expect([host, res.status, res.body.code]).toEqual([host, 403, 15]);
    }
    // The public URL's origin is the service's own; its host under another scheme is not
    // another site (a proxy), but another host is.
    const other = await write({ Host: 'hooks.example.com', Origin: 'https://other.example.com' });
    expect([other.status, other.body.code]).toEqual([403, 15]);
  });
});

describe('cross-site requests with POSTMAND_ALLOWED_HOSTS=*', () => {
  const f = ApiFixture.use({ POSTMAND_ALLOWED_HOSTS: '*' }, { withHook: true });

  it('lets a browser reach it by any name, still refusing other sites', async () => {
    await f
      .http()
      .get('/v1/webhooks')
      .set({ Host: 'anything.example', 'Sec-Fetch-Site': 'same-origin' })
      .expect(200);
    const res = await f
      .http()
      .get('/v1/webhooks')
      .set({ Host: 'anything.example', ...crossSite('https://evil.example') });
    expect([res.status, res.body.code]).toEqual([403, 15]);
  });
});

describe('cross-site requests with POSTMAND_AUTH=api_key', () => {
  const f = ApiFixture.use({ POSTMAND_AUTH: 'api_key' });

  it('refuses another site before asking for a key', async () => {
    const res = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .set(crossSite('https://evil.example'));
    expect([res.status, res.body.code]).toEqual([403, 15]);
    const unauthorized = await f
      .http()
      .get('/v1/webhooks')
      .set({ 'Sec-Fetch-Site': 'same-origin' });
    expect([unauthorized.status, unauthorized.body.code]).toEqual([401, 14]);
  });
});
