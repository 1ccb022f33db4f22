import fc from 'fast-check';
import { compileFilter, type WebhookFilter } from '@app/domain';
import { randomUUID } from 'node:crypto';
import { matchesFilter, parsePayload, PUBLISH_SQL } from '@app/domain/testing';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { WEBHOOK_COLUMNS } from '../helpers/migrations';

/**
 * The compiled form of a filter (what the publish statement runs) against SPEC §15 in
 * plain TypeScript (filter.evaluate.ts), on random payloads and filters, evaluated by the
 * real PostgreSQL through the migrated `postmand_json_doc`, many cases per query. Built
 * over a small vocabulary of keys and values, so that paths hit and values are equal often.
 */

const KEYS = ['a', 'b', '0', '1', 'x-y'];
const SCALARS = [
  0,
  1,
  -1,
  2.5,
  2 ** 53 - 1,
  1e-7,
  'a',
  'b',
  'B',
  'é',
  '😀',
  '\uffff',
  '1',
  '',
  true,
  false,
  null,
];

const scalar = fc.constantFrom(...SCALARS);
const path = fc
  .array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 })
  .map((s) => s.join('.'));

/** A payload (an object or array) nested at most `depth` more levels. */
const docAt = (depth: number): fc.Arbitrary<unknown> => {
  const value: fc.Arbitrary<unknown> =
    depth === 0
      ? scalar
      : fc.oneof({ weight: 2, arbitrary: scalar }, { weight: 1, arbitrary: docAt(depth - 1) });
  return fc.oneof(
    { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 4 }) },
    { weight: 2, arbitrary: fc.array(value, { maxLength: 3 }) },
  );
};
const doc = docAt(2);

/**
 * Payload texts as a client writes them, beside JSON.stringify's: numbers a double does
 * not hold exactly or at all, other spellings of a number, duplicate keys (the last one
 * counts, in both), \u escapes (of text jsonb holds and of text it refuses: NUL, lone
 * surrogates), leading white space.
 */
const RAW = [
  '{"a":9007199254740993}',
  '{"a":[9007199254740993,-9007199254740993]}',
  '{"a":1e400}',
  '[-1e400]',
  '{"a":2.50}',
  '{"a":1E0,"b":-1.0}',
  '{"a":1,"a":2}',
  '{"a":"x","a":"a"}',
  '{"a":"\\u0062","\\u0062":"\\u00e9"}',
  '["\\ud83d\\ude00","\\uffff"]',
  '{"a":"\\u0000"}',
  '{"a":{"0":"\\ud800"}}',
  '{"\\udfff":1}',
  ' \n\t{"a":1}',
  '\r\n[1,"a"]',
];
const payload = fc.oneof(
  { weight: 4, arbitrary: doc.map((d) => JSON.stringify(d)) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(' ', '\n', '\t\r '), doc)
      .map(([space, d]) => space + JSON.stringify(d)),
  },
);

const operators = fc
  .record(
    {
      $eq: scalar,
      $neq: scalar,
      $gt: fc.constantFrom(0, 1, 2.5, 'a', 'B', 'é', '😀'),
      $gte: fc.constantFrom(0, 1, 'a', '\uffff'),
      $lt: fc.constantFrom(1, 2.5, 'b', '😀'),
      $lte: fc.constantFrom(-1, 1, 'B', ''),
      $in: fc.array(scalar, { minLength: 1, maxLength: 4 }),
      $nin: fc.array(scalar, { minLength: 1, maxLength: 4 }),
      $exists: fc.boolean(),
      $contains: scalar,
    },
    { requiredKeys: [] },
  )
  .filter((ops) => Object.keys(ops).length > 0);

/** A filter at most `depth` filters deep (within §15's 5). */
const filterAt = (depth: number): fc.Arbitrary<WebhookFilter> => {
  const entry: fc.Arbitrary<[string, unknown]> =
    depth === 1
      ? fc.tuple(path, fc.oneof(scalar, operators))
      : fc.oneof(
          { weight: 4, arbitrary: fc.tuple(path, fc.oneof(scalar, operators)) },
          {
            weight: 1,
            arbitrary: fc.tuple(
              fc.constantFrom('$and', '$or'),
              fc.array(filterAt(depth - 1), { minLength: 1, maxLength: 3 }),
            ),
          },
          { weight: 1, arbitrary: fc.tuple(fc.constant('$not'), filterAt(depth - 1)) },
        );
  return fc.array(entry, { maxLength: 3 }).map((entries) => Object.fromEntries(entries));
};
// Valid filters only: a few random ones of depth 5 compile past FILTER_LIMITS.compiledLength.
const filter = filterAt(5).filter((f) => 'path' in compileFilter(f));

describe('filters compiled to jsonpath agree with §15 (property)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  /** Each payload matched against its compiled filter by PostgreSQL, in one query. */
  const evaluate = async (cases: [string, string | null][]): Promise<boolean[]> => {
    const rows = await db.dataSource.query<{ m: boolean }[]>(
      `SELECT coalesce(postmand_json_doc(t.d) @@ t.p::jsonpath, false) AS m
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t (d, p, n) ORDER BY t.n`,
      [cases.map((c) => c[0]), cases.map((c) => c[1])],
    );
    return rows.map((r) => r.m);
  };

  const pathOf = (f: WebhookFilter): string => {
    const compiled = compileFilter(f);
    if (!('path' in compiled) || compiled.path === null) throw new Error(JSON.stringify(compiled));
    return compiled.path;
  };

  it('on thousands of random payloads and filters, with both outcomes common', async () => {
    const outcomes = { true: 0, false: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(payload, filter), { minLength: 250, maxLength: 250 }),
        async (cases) => {
          const got = await evaluate(cases.map(([text, f]) => [text, pathOf(f)]));
          cases.forEach(([text, f], i) => {
            const expected = matchesFilter(f, parsePayload(text));
            outcomes[String(expected) as 'true' | 'false']++;
            if (got[i] !== expected) {
              throw new Error(
                `payload ${text} filter ${JSON.stringify(f)}: PostgreSQL ${got[i]}, §15 ${expected}`,
              );
            }
          });
        },
      ),
      { numRuns: 16, seed: 20261207 },
    );
    const total = outcomes.true + outcomes.false;
    expect(total).toBe(4000);
    expect(outcomes.true / total).toBeGreaterThan(0.2);
    expect(outcomes.false / total).toBeGreaterThan(0.2);
  });

  it('matches nothing when the payload is not a JSON object or array, or jsonb cannot hold it', async () => {
    const payloads = [
      '"a"',
      '1',
      'null',
      'true',
      'not json',
      '{"a":',
      ' [1',
      // JSON objects that jsonb refuses: a \u0000 escape, lone surrogates, a number past
      // numeric's range.
      '{"a":"\\u0000"}',
      '{"\\u0000":1}',
      '{"a":"\\ud800"}',
      '["\\udc00x"]',
      '{"a":1e131072}',
      `${'['.repeat(100_000)}`,
    ];
    const got = await evaluate(payloads.map((p) => [p, pathOf({})]));
    expect(got).toEqual(payloads.map(() => false));
    // The reference agrees, but on the number: it reads numbers as doubles (Infinity).
    const reference = payloads.map((p) => matchesFilter({}, parsePayload(p)));
    expect(reference).toEqual(payloads.map((p) => p === '{"a":1e131072}'));
    expect(await evaluate([[' \n{"a":1}', pathOf({ a: 1 })]])).toEqual([true]);
  });

  it('cannot be broken out of: any text or number is one literal, equal to itself only', async () => {
    const text = fc
      .string({ unit: 'grapheme', maxLength: 30 })
      .filter((s) => !s.includes('\u0000') && s.isWellFormed());
    const value = fc.oneof(
      text,
      // A filter refuses integers a double does not keep exactly (past 2^53 − 1).
      fc
        .double({ noNaN: true, noDefaultInfinity: true })
        .filter((d) => !Number.isInteger(d) || Number.isSafeInteger(d)),
      fc.constantFrom('"', '\\', '")) || (1 == 1', '\n'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 100, maxLength: 100 }), async (values) => {
        const cases: [string, string][] = [];
        for (const v of values) {
          const other = typeof v === 'number' ? (v + 1 === v ? -v - 1 : v + 1) : `${v}x`;
          cases.push([JSON.stringify({ k: v }), pathOf({ k: v })]);
          cases.push([JSON.stringify({ k: other }), pathOf({ k: v })]);
          cases.push([JSON.stringify({ k: [other, v] }), pathOf({ k: { $contains: v } })]);
        }
        const got = await evaluate(cases);
        values.forEach((v, i) => {
          expect([v, got[3 * i], got[3 * i + 1], got[3 * i + 2]]).toEqual([v, true, false, true]);
        });
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  it('in one publish statement of several events, matches each on its own payload', async () => {
    const sql = db.dataSource;
    const hooks: Record<string, string> = {};
    for (const [name, f] of [
      ['gold', { tier: 'gold' }],
      ['silver', { tier: 'silver' }],
      ['plain', null],
    ] as const) {
      const [{ id }] = await sql.query<{ id: string }[]>(
        `INSERT INTO webhooks (${WEBHOOK_COLUMNS}, event_types, filter, filter_path)
         VALUES ('hook', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 3600,
                 '{batch.created}', $1, $2)
         RETURNING id`,
        [f === null ? null : JSON.stringify(f), f === null ? null : pathOf(f)],
      );
      hooks[name] = id;
    }
    const payloads = ['{"tier":"gold"}', '{"tier":"silver"}', 'not json', '{"tier":"gold"}'];
    const ids = payloads.map(() => randomUUID());
    const positions = payloads.flatMap((_, i) => [i + 1, i + 1]);
    const rows = await sql.query<{ input_id: string; matches: string }[]>(PUBLISH_SQL, [
      ids,
      payloads.map(() => 'batch.created'),
      payloads,
      payloads.map(() => null),
      positions,
      payloads.flatMap(() => ['batch.created', '*']),
      payloads.map(() => 1000),
      payloads.map(() => null),
    ]);
    const matches = Object.fromEntries(rows.map((r) => [r.input_id, Number(r.matches)]));
    expect(ids.map((id) => matches[id])).toEqual([2, 2, 1, 2]);
    const made = await sql.query<{ event_id: string; webhook_id: string }[]>(
      `SELECT event_id, webhook_id FROM deliveries WHERE event_id = ANY ($1)`,
      [ids],
    );
    const of = (i: number) =>
      made
        .filter((d) => d.event_id === ids[i])
        .map((d) => d.webhook_id)
        .sort();
    expect([of(0), of(1), of(2), of(3)]).toEqual([
      [hooks.gold, hooks.plain].sort(),
      [hooks.silver, hooks.plain].sort(),
      [hooks.plain],
      [hooks.gold, hooks.plain].sort(),
    ]);
  });
});
