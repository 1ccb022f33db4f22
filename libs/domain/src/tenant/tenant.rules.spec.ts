import { isTenantId, isTenantKey, metadataProblem } from './tenant.rules';

describe('tenant rules', () => {
  it('takes ids of 1 to 64 letters, digits, "_", "." and "-", and nothing else', () => {
    for (const id of ['a', 'Z', '0', 'cus_01HX.a-b', 'x'.repeat(64), '..', '-']) {
      expect([id, isTenantId(id)]).toEqual([id, true]);
    }
    for (const id of ['', 'x'.repeat(65), 'a b', 'a/b', 'café', 'a\nb', 'a:b', 42, null]) {
      expect([id, isTenantId(id)]).toEqual([id, false]);
    }
  });

  it('takes a cursor key of exactly one valid id', () => {
    expect(isTenantKey(['acme'])).toBe(true);
    expect(isTenantKey([])).toBe(false);
    expect(isTenantKey(['acme', 'x'])).toBe(false);
    expect(isTenantKey(['bad id'])).toBe(false);
  });

  it('takes metadata up to its limits, counting characters as code points', () => {
    const full = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']));
    expect(metadataProblem({})).toBeUndefined();
    expect(metadataProblem(full)).toBeUndefined();
    expect(metadataProblem({ ['k'.repeat(64)]: 'v'.repeat(512) })).toBeUndefined();
    // 512 code points, 1024 UTF-16 units.
    expect(metadataProblem({ emoji: '😀'.repeat(512) })).toBeUndefined();
  });

  it.each([
    [null, 'must be an object of string values'],
    [[], 'must be an object of string values'],
    ['a', 'must be an object of string values'],
    [
      Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])),
      'must hold at most 32 keys',
    ],
    [{ '': 'v' }, 'keys must be 1 to 64 characters long (without NUL or unpaired surrogates)'],
    [
      { ['k'.repeat(65)]: 'v' },
      'keys must be 1 to 64 characters long (without NUL or unpaired surrogates)',
    ],
    [
      { 'a\u0000': 'v' },
      'keys must be 1 to 64 characters long (without NUL or unpaired surrogates)',
    ],
    [{ n: 1 }, 'the value of "n" must be a string'],
    [{ n: ['a'] }, 'the value of "n" must be a string'],
    [
      { v: 'x'.repeat(513) },
      'the value of "v" must be at most 512 characters long (without NUL or unpaired surrogates)',
    ],
    [
      { v: '\uD800' },
      'the value of "v" must be at most 512 characters long (without NUL or unpaired surrogates)',
    ],
  ])('refuses metadata %j: %s', (value, problem) => {
    expect(metadataProblem(value)).toBe(problem);
  });
});
