import fc from 'fast-check';

/** What the fuzzing test throws at the API: odd values, bodies, media types, queries, ids. */

// Values that have broken JSON APIs before: wrong types, nulls, huge and odd numbers,
// deep nesting, long and odd unicode, NUL, lone surrogates. As JSON text, so that deep
// nesting never has to be built (or printed by fast-check) as an object.
export const nasty: fc.Arbitrary<string> = fc.oneof(
  fc
    .constantFrom(
      null,
      true,
      0,
      -1,
      -0,
      1e308,
      -1e308,
      2 ** 53 + 1,
      1.5,
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff\ud800',
      '😀'.repeat(300),
      'é'.repeat(5000),
      '1e3',
      '0x10',
      'NaN',
      'null',
      'true',
      '[]',
      '{}',
      '2021-02-30T25:61:00Z',
      '-000001-01-01T00:00:00Z',
      'http://',
      'javascript:alert(1)',
      '00000000-0000-0000-0000-000000000000',
      '../../etc/passwd',
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '123456789012345678901234567890',
    '0.0000000000000000001e-400',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt().map(String),
  fc.string({ unit: 'binary', maxLength: 300 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'grapheme', maxLength: 50 }).map((v) => JSON.stringify(v)),
  fc
    .array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxLength: 20 })
    .map((v) => JSON.stringify(v)),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }).map((v) => JSON.stringify(v)),
  fc
    .tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('[', '{"a":'))
    .map(([depth, open]) => open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth)),
);

/** JSON text of an object whose values are already JSON text. */
export function objectText(fields: Record<string, string>): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',')}}`;
}

/** A valid body (as JSON text) with fields replaced by something nasty, removed, or added. */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const base = Object.fromEntries(Object.entries(valid).map(([k, v]) => [k, JSON.stringify(v)]));
  const key = fc.oneof(fc.constantFrom(...Object.keys(valid)), fc.string({ maxLength: 20 }));
  return fc.oneof(
    fc.tuple(key, nasty).map(([k, v]) => objectText({ ...base, [k]: v })),
    fc
      .tuple(key, key, nasty, nasty)
      .map(([k1, k2, v1, v2]) => objectText({ ...base, [k1]: v1, [k2]: v2 })),
    key.map((k) => {
      const copy = { ...base };
      delete copy[k];
      return objectText(copy);
    }),
    nasty,
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );
}

/** Bodies that are not JSON at all, or JSON that no parser should like. */
export const brokenJson: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    '[1,2',
    'undefined',
    '\u0000',
    '{"a":"\\x"}',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc
    .integer({ min: 1_000, max: 200_000 })
    .map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
);

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  '*/*',
  ';;;',
);

/** Query strings: known parameters with odd values, unknown ones, broken encodings. */
export const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'limit',
          'offset',
          'active',
          'status',
          'success',
          'webhook_id',
          'delivery_id',
          'created_at.gt',
          'created_at.gte',
          'created_at.lt',
          'created_at.lte',
          'limit[]',
          'status[0]',
          'created_at[gt]',
          '__proto__',
          'constructor',
        ),
        fc.string({ maxLength: 10 }),
      ),
      fc.oneof(
        fc.constantFrom(
          '-1',
          '0',
          '1e3',
          '1.5',
          '99999999999999999999',
          '',
          'true',
          'maybe',
          '%',
          '%zz',
          '%00',
          '%E0%A4%A',
        ),
        fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
        fc.integer().map(String),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k.replace(/[^\x21-\x7e]/g, '')}=${v}`).join('&'));

export const garbageId = fc.oneof(
  fc.uuid(),
  fc.constantFrom(
    'nope',
    '0',
    '-1',
    '%',
    '%00',
    '..',
    'null',
    '00000000-0000-0000-0000-00000000000g',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
);
