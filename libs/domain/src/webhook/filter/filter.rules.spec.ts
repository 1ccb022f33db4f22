import { compileFilter, filterProblem, jsonpathLiteral } from './filter.jsonpath';
import { compareCodePoints, matchesFilter, selectPath } from './filter.evaluate';
import { FILTER_LIMITS } from './filter.rules';

const UNSAFE =
  'an integer beyond ±9007199254740991 (2^53 − 1), which is not kept exactly (a double ' +
  'rounds it); compare it as a string instead';

/** `depth` filters nested in one another by `$not`, around `{a: 1}`. */
const nested = (depth: number): object =>
  depth === 1 ? { a: 1 } : { $not: nested(depth - 1) as Record<string, unknown> };

describe('subscription filters: what is valid (§15)', () => {
  it.each([
    ['no filter', null],
    ['the empty filter', {}],
    ['a scalar of each type', { a: 'x', b: 1.5, c: true, d: null }],
    [
      'every operator',
      {
        'data.tier': { $eq: 'gold', $neq: 'free' },
        n: { $gt: 1, $gte: 1, $lt: 'z', $lte: 'z' },
        s: { $in: ['a', 1, null, false], $nin: [2] },
        e: { $exists: false },
        tags: { $contains: 'vip' },
      },
    ],
    ['combinators', { $and: [{ a: 1 }], $or: [{ b: 1 }, { c: 2 }], $not: { d: 3 } }],
    ['paths of every character', { 'a-b_C.9.x': 1 }],
    ['depth 5', nested(5)],
    ['20 filters in an $or', { $or: Array.from({ length: 20 }, (_, i) => ({ a: i })) }],
    ['the safe integers at both ends', { a: 2 ** 53 - 1, b: { $gt: -(2 ** 53 - 1) } }],
    ['100 scalars in an $in', { a: { $in: Array.from({ length: 100 }, (_, i) => i) } }],
  ])('accepts %s', (_, filter) => {
    expect(filterProblem(filter)).toBeUndefined();
  });

  it.each([
    ['an array', [], 'must be null or a JSON object'],
    ['a string', 'x', 'must be null or a JSON object'],
    ['an unknown operator', { 'data.tier': { $foo: 1 } }, 'data.tier: unknown operator $foo'],
    [
      'an unknown combinator',
      { $nor: [] },
      '$nor: unknown operator ($and, $or, $not combine filters)',
    ],
    [
      'an empty segment',
      { 'a..b': 1 },
      'a..b: is not a path (segments of letters, digits, "_" and "-" joined by ".")',
    ],
    [
      'a space in a path',
      { 'a b': 1 },
      'a b: is not a path (segments of letters, digits, "_" and "-" joined by ".")',
    ],
    [
      'an array as a value',
      { a: [1] },
      'a: must be a scalar (a string, number, boolean or null) or an object of operators',
    ],
    ['no operator', { a: {} }, 'a: must hold at least one operator'],
    [
      'an object to $eq',
      { a: { $eq: {} } },
      'a: $eq needs a scalar (a string, number, boolean or null)',
    ],
    ['a boolean to $gt', { a: { $gt: true } }, 'a: $gt needs a number or a string'],
    ['null to $lte', { a: { $lte: null } }, 'a: $lte needs a number or a string'],
    [
      'an empty $in',
      { a: { $in: [] } },
      'a: $in needs an array of 1 to 100 scalars (strings, numbers, booleans or null)',
    ],
    [
      '101 in a $nin',
      { a: { $nin: Array.from({ length: 101 }, (_, i) => i) } },
      'a: $nin needs an array of 1 to 100 scalars (strings, numbers, booleans or null)',
    ],
    [
      'an object in an $in',
      { a: { $in: [{}] } },
      'a: $in needs an array of 1 to 100 scalars (strings, numbers, booleans or null)',
    ],
    ['a string to $exists', { a: { $exists: 'yes' } }, 'a: $exists needs true or false'],
    [
      'an array to $contains',
      { a: { $contains: [1] } },
      'a: $contains needs a scalar (a string, number, boolean or null)',
    ],
    ['an empty $and', { $and: [] }, '$and: must be an array of 1 to 20 filters'],
    [
      '21 in an $or',
      { $or: Array.from({ length: 21 }, () => ({})) },
      '$or: must be an array of 1 to 20 filters',
    ],
    ['a scalar in an $or', { $or: [{}, 1] }, '$or[1]: must be a filter (a JSON object)'],
    [
      'a bad entry deep down',
      { $or: [{ $not: { x: { $in: 1 } } }] },
      '$or[0].$not.x: $in needs an array of 1 to 100 scalars (strings, numbers, booleans or null)',
    ],
    ['depth 6', nested(6), '$not.$not.$not.$not.$not: nests deeper than 5 filters'],
    ['a NUL', { a: '\u0000' }, 'a: must not be text holding NUL or an unpaired surrogate'],
    [
      'a lone surrogate',
      { a: { $eq: '\uD800' } },
      'a: $eq needs a scalar (a string, number, boolean or null)',
    ],
    ['an infinite number', { a: { $gt: Infinity } }, 'a: $gt needs a number or a string'],
    ['an integer past 2^53 − 1', { a: 2 ** 53 }, `a: must not be ${UNSAFE}`],
    ['one below -(2^53 − 1) to $gte', { a: { $gte: -(2 ** 53) } }, `a: $gte must not be ${UNSAFE}`],
    ['one in an $in', { a: { $in: [1, 1e21] } }, `a: $in must not hold ${UNSAFE}`],
  ])('refuses %s, saying where and why', (_, filter, problem) => {
    expect(filterProblem(filter)).toBe(problem);
  });

  it('refuses more than 4096 bytes of JSON, counted in UTF-8', () => {
    const at = (n: number) => ({ a: 'é'.repeat(n) });
    const overhead = JSON.stringify(at(0)).length;
    const fits = (FILTER_LIMITS.bytes - overhead) / 2;
    expect(filterProblem(at(fits))).toBeUndefined();
    expect(filterProblem(at(fits + 1))).toBe('must be at most 4096 bytes as JSON (it is 4098)');
  });

  it('refuses a path of more than 4 segments of digits, before compiling it', () => {
    expect(filterProblem({ 'a.0.1.2.3': 1 })).toBeUndefined();
    expect(filterProblem({ $not: { 'a.0.1.2.3.b.4': 1 } })).toBe(
      '$not.a.0.1.2.3.b.4: has more than 4 segments of digits (each is read as an element ' +
        'and as a key, doubling the compiled form)',
    );
    const many = Array.from({ length: 1000 }, () => '0').join('.');
    expect(filterProblem({ [many]: 1 })).toMatch(/^0\.0.*: has more than 4 segments of digits/);
  });

  it('refuses a filter that compiles to more than 32,768 characters, keeping large plain ones', () => {
    const ranges = {
      $and: Array.from({ length: 20 }, (_, i) => ({
        $or: Array.from({ length: 5 }, (_, j) => ({ [`data.f${i}x${j}`]: { $gte: i, $lt: j } })),
      })),
    };
    expect(filterProblem(ranges)).toBeUndefined();
    const digits = {
      $or: Array.from({ length: 20 }, (_, i) => ({ [`data.${i}.0.1.2.value`]: 'x' })),
    };
    expect(filterProblem(digits)).toMatch(/^compiles to more than 32768 characters/);
  });
});

describe('subscription filters: compiled', () => {
  it('quotes keys and writes literals that jsonpath reads as the same value', () => {
    expect(jsonpathLiteral('a"b\\c\n\u007f é😀')).toBe('"a\\"b\\\\c\\u000a\\u007f é😀"');
    expect(jsonpathLiteral(-0)).toBe('0');
    expect(jsonpathLiteral(1e21)).toBe('1e+21');
    expect(jsonpathLiteral(null)).toBe('null');
    expect(compileFilter({ 'data.tier': 'gold' })).toEqual({
      path: 'strict exists($ ? (exists(@."data" ? (exists(@."tier" ? (@ == "gold"))))))',
    });
    expect(compileFilter(null)).toEqual({ path: null });
    expect(compileFilter({})).toEqual({ path: 'strict 1 == 1' });
  });
});

describe('subscription filters: the reference evaluator', () => {
  const doc = { a: [1, { '0': 'k' }], o: { '0': 'zero' }, n: null, s: 'B', t: ['x', 1] };

  it('reads a segment of digits as an element of an array, a key of an object', () => {
    expect(selectPath(doc, 'a.0')).toBe(1);
    expect(selectPath(doc, 'a.1.0')).toBe('k');
    expect(selectPath(doc, 'o.0')).toBe('zero');
    expect(matchesFilter({ 'a.-1': { $exists: true } }, doc)).toBe(false);
  });

  it('tells null from nothing, and types apart', () => {
    expect(matchesFilter({ n: null }, doc)).toBe(true);
    expect(matchesFilter({ missing: null }, doc)).toBe(false);
    expect(matchesFilter({ missing: { $neq: null, $nin: [1], $exists: false } }, doc)).toBe(true);
    expect(matchesFilter({ 'a.0': '1' }, doc)).toBe(false);
    expect(matchesFilter({ 'a.0': 1.0 }, doc)).toBe(true);
    expect(matchesFilter({ a: { $neq: 1 } }, doc)).toBe(true);
    expect(matchesFilter({ t: { $contains: 1 } }, doc)).toBe(true);
    expect(matchesFilter({ s: { $gt: 1 } }, doc)).toBe(false);
    expect(matchesFilter({ s: { $lt: 'a' } }, doc)).toBe(true);
  });

  it('compares strings by code point, not by UTF-16 unit', () => {
    expect(compareCodePoints('\uFFFF', '😀')).toBe(-1);
    expect('\uFFFF' < '😀').toBe(false);
  });

  it('matches nothing on a payload that is not an object or an array', () => {
    expect(matchesFilter({}, 'x')).toBe(false);
    expect(matchesFilter({}, undefined)).toBe(false);
    expect(matchesFilter({}, [])).toBe(true);
  });
});
