import fc from 'fast-check';
import type request from 'supertest';
import { WEBHOOK_URL_PATTERN } from '@app/domain';
import { ApiFixture } from '../helpers/api-fixture';

/**
 * Values at and just past every limit the API checks, built from characters that count
 * differently in UTF-16, in code points and in bytes. Whatever the API accepts must be
 * stored (no database error, so no 5xx); whatever it refuses is a 4xx.
 */

// One code unit, two code units, a code point of its own that joins the one before, a
// combining mark, a three-byte character, and characters a URL or header must not hold.
const CHARS = ['a', '😀', '\uFE0F', '\u0301', '€', ' ', '\t', '\r', '\n', '%', '\u0085', '\u00a0'];

/** Strings of exactly `length` code points drawn from `chars`. */
const textOf = (length: number, chars = CHARS): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom(...chars), { minLength: length, maxLength: length })
    .map((a) => a.join(''));

/** Lengths at and around each limit. */
const around = (...limits: number[]): fc.Arbitrary<number> =>
  fc.constantFrom(...limits.flatMap((n) => [n - 1, n, n + 1]).filter((n) => n >= 0));

const URL_STARTS = [
  'http://',
  'https://',
  'HTTP://',
  'http:///',
  'https:////',
  'http:\\\\',
  'http:/',
  'http://user:p%40ss@',
  'http://:@',
  'http://[::1]',
  'http://[fe80::1%25eth0]',
  'http://1.2.3.4:65536',
  'http://xn--',
  'ftp://',
  ' http://',
];

const url = fc
  .tuple(
    fc.constantFrom(...URL_STARTS),
    fc.oneof(fc.constantFrom('example.com', 'ä.example', '127.0.0.1:9', ''), textOf(3)),
    fc.oneof(
      fc.constant('/'),
      around(4096).chain((n) => textOf(Math.max(0, n - 30), ['a', '/', '?', '#', ' ', '\t', '😀'])),
    ),
  )
  .map(([start, host, rest]) => `${start}${host}${rest}`);

const instant = fc
  .tuple(
    fc.constantFrom('0000', '0001', '1969', '2024', '9999', '10000'),
    fc.constantFrom('01-01', '02-29', '02-30', '12-31', '13-01'),
    fc.constantFrom('00:00:00', '15:59:00', '23:59:59', '23:59:60', '24:00:00'),
    fc.constantFrom('', '.999', '.9995', '.999999999', '.1234567890'),
    fc.constantFrom(
      'Z',
      '+00:00',
      '+15:59',
      '-15:59',
      '+16:00',
      '-16:00',
      '+23:59',
      '+00:60',
      ' 01:00',
    ),
  )
  .map(([year, day, time, fraction, offset]) => `${year}-${day}T${time}${fraction}${offset}`);

const integerAround = (min: number, max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(min - 1, min, max, max + 1, min + 0.5, 2 ** 31, 2 ** 53, -(2 ** 31) - 1, 1e308),
    fc.constantFrom(String(min), `${max}`),
  );

const VALID_WEBHOOK: Record<string, unknown> = {
  name: 'boundaries',
  url: 'http://127.0.0.1:9/',
  content_type: 'application/json',
  valid_status_codes: [200],
  secret_token: '',
  active: false,
  max_delivery_attempts: 5,
  delivery_attempt_timeout: 10,
  retry_min_backoff: 10,
  retry_max_backoff: 3600,
};

const webhookFields = fc.record({
  name: around(3, 255).chain((n) => textOf(n)),
  url,
  content_type: fc.oneof(
    around(1, 255).chain((n) => textOf(n)),
    around(1, 255).chain((n) => textOf(n, ['a', '/', ' ', '+', ';'])),
    fc.constantFrom('   ', '\t', 'a/b'),
  ),
  valid_status_codes: fc.oneof(
    fc.array(fc.constantFrom(99, 100, 200, 599, 600), { minLength: 0, maxLength: 3 }),
    around(500).map((n) => Array.from({ length: n }, () => 200)),
  ),
  secret_token: around(255).chain((n) => textOf(n)),
  active: fc.constantFrom(true, false, null),
  max_delivery_attempts: integerAround(1, 100),
  delivery_attempt_timeout: integerAround(1, 300),
  retry_min_backoff: integerAround(1, 604_800),
  retry_max_backoff: integerAround(1, 604_800),
});

/** A valid webhook with one to three of its fields at or past a limit. */
const webhookBody = fc
  .tuple(webhookFields, fc.subarray(Object.keys(VALID_WEBHOOK), { minLength: 1, maxLength: 3 }))
  .map(([fields, keys]) => ({
    ...VALID_WEBHOOK,
    ...Object.fromEntries(keys.map((k) => [k, fields[k as keyof typeof fields]])),
  }));

const MAX_PAYLOAD_BYTES = 64;

describe('API: values at and past every limit', () => {
  // Deliveries are made for the fixture's webhook; no worker runs, nothing is sent.
  const f = ApiFixture.use(
    { POSTMAND_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) },
    { withHook: true },
  );
  const http = (): ReturnType<typeof f.http> => f.http();

  const noServerError = (res: request.Response, what: unknown): void => {
    if (res.status >= 500) {
      throw new Error(`${res.status} for ${JSON.stringify(what)}: ${JSON.stringify(res.body)}`);
    }
  };

  it('the validator applies the very test of the table CHECK on webhooks.url', async () => {
    const [{ definition }] = await f.db.dataSource.query<{ definition: string }[]>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conrelid = 'webhooks'::regclass AND conname = 'webhooks_url_check'`,
    );
    expect(definition).toBe(`CHECK ((url ~* '${WEBHOOK_URL_PATTERN}'::text))`);
  });

  it('POST and PUT /v1/webhooks', async () => {
    await fc.assert(
      fc.asyncProperty(webhookBody, fc.boolean(), async (body, put) => {
        const res = await (
          put ? http().put(`/v1/webhooks/${f.hookId}`) : http().post('/v1/webhooks')
        ).send(body);
        noServerError(res, body);
        if (res.status < 300) {
          // What was accepted is what is stored and answered, character for character.
          expect(res.body).toMatchObject({
            name: body.name,
            url: body.url,
            content_type: body.content_type,
          });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('POST /v1/deliveries', async () => {
    const body = fc.record(
      {
        webhook_id: fc.constant(f.hookId),
        payload: around(
          MAX_PAYLOAD_BYTES / 4,
          Math.floor(MAX_PAYLOAD_BYTES / 3),
          MAX_PAYLOAD_BYTES,
        ).chain((n) => textOf(n)),
        scheduled_at: instant,
      },
      { requiredKeys: ['webhook_id', 'payload'] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (delivery) => {
        const res = await http().post('/v1/deliveries').send(delivery);
        noServerError(res, delivery);
        if (res.status < 300) expect(res.body.payload).toBe(delivery.payload);
      }),
      { numRuns: 300 },
    );
  });

  it('list filters and paging', async () => {
    const query = fc.record(
      {
        limit: fc.constantFrom('0', '1', '1000', '1001', '-1', '1.0', '01'),
        offset: fc.constantFrom('0', '999999999999999', '9999999999999999', '-0'),
        'created_at.gt': instant,
        'created_at.lte': instant,
      },
      { requiredKeys: [] },
    );
    const list = fc.constantFrom('/v1/webhooks', '/v1/deliveries', '/v1/delivery-attempts');
    await fc.assert(
      fc.asyncProperty(list, query, async (path, q) => {
        const res = await http().get(path).query(q);
        noServerError(res, { path, q });
      }),
      { numRuns: 300 },
    );
  });
});
