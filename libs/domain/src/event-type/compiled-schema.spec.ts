import { InvalidFieldError } from '../common/domain-errors';
import { CompiledSchema } from './compiled-schema';
import { SchemaValidation } from './schema-validation';

/** A schema checked by the catalogue's rules, then made ready to check payloads. */
const checked = (schema: Record<string, unknown>): SchemaValidation =>
  new SchemaValidation(JSON.parse(CompiledSchema.compile(schema).json) as Record<string, unknown>);

const refusal = (schema: Record<string, unknown>): string => {
  try {
    CompiledSchema.compile(schema);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidFieldError);
    expect((err as InvalidFieldError).field).toBe('schema');
    return (err as InvalidFieldError).problem;
  }
  throw new Error('compiled');
};

describe('CompiledSchema', () => {
  it('names the innermost failures by JSON pointer, a missing member by its own', () => {
    const schema = checked({
      type: 'object',
      required: ['id', 'a/b'],
      additionalProperties: false,
      properties: {
        id: { type: 'integer' },
        'a/b': { type: 'string' },
        tags: { type: 'array', items: { $ref: '#/$defs/tag' } },
      },
      $defs: { tag: { type: 'string', maxLength: 3 } },
    });
    expect(schema.problems('{"id": 1, "a/b": "x", "tags": ["ok"]}')).toEqual([]);
    expect(schema.problems('{"tags": ["ok", "long", 7], "extra": true}')).toEqual([
      '/id: is required',
      '/a~1b: is required',
      expect.stringMatching(/^\/tags\/1: /),
      expect.stringMatching(/^\/tags\/2: /),
      '/extra: is not allowed',
    ]);
    expect(schema.problems('[1')).toEqual([expect.stringMatching(/^: is not JSON \(/)]);
  });

  it('reports at most 10 problems', () => {
    const schema = checked({ type: 'array', items: { type: 'integer' } });
    expect(schema.problems(JSON.stringify(Array(30).fill('x')))).toHaveLength(10);
  });

  it('answers a payload nested past the stack on a recursive schema, without throwing', () => {
    const schema = checked({ type: 'array', items: { $ref: '#' } });
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(schema.problems(deep)).toEqual([
      ': could not be checked against the schema (nested too deeply)',
    ]);
  });

  it('refuses remote and dangling references, nested $id, unsafe or invalid patterns', () => {
    expect(refusal({ $ref: 'https://example.com/s.json' })).toContain('outside itself');
    expect(refusal({ $dynamicRef: 'other#meta' })).toContain('outside itself');
    expect(refusal({ $ref: '#/$defs/none' })).toContain('names nothing');
    expect(refusal({ $ref: '#nowhere' })).toContain('names nothing');
    expect(refusal({ $defs: { a: { $id: 'https://example.com/a' } } })).toContain('$id');
    expect(refusal({ patternProperties: { '(x*)*y': {} } })).toContain('exponential');
    expect(refusal({ pattern: '[' })).toContain('not a valid regular expression');
    expect(refusal({ type: 'object', required: 'id' })).toContain('draft 2020-12');
    expect(refusal({ $id: 'http://[bad' })).toContain('cannot be used');
    expect(refusal({ $ref: '#%zz' })).toContain('names nothing');
  });

  it('takes local anchors and pointers, and data that looks like keywords', () => {
    const schema = checked({
      $id: 'https://example.com/order',
      $defs: { money: { $anchor: 'money', type: 'number' } },
      properties: {
        total: { $ref: '#money' },
        $ref: { const: { $ref: 'https://elsewhere' } },
      },
      enum: [{ $ref: 'https://not-a-ref' }, { total: 1 }],
    });
    expect(schema.problems('{"total": 1}')).toEqual([]);
    expect(schema.problems('{"total": "1"}')).toEqual([
      expect.stringMatching(/^: .*does not match any of/),
      expect.stringMatching(/^\/total: /),
    ]);
  });

  it('describes 40,000 failures of an 80 KB payload as its first 10, in one linear pass', () => {
    const schema = checked({ type: 'array', items: { type: 'integer' } });
    const problems = schema.problems(JSON.stringify(Array(20_000).fill('xx')));
    expect(problems).toEqual(
      Array.from({ length: 10 }, (_, i) => expect.stringMatching(new RegExp(`^/${i}: `))),
    );
  });

  it('writes pointers by RFC 6901, not percent-encoded, and cuts long ones', () => {
    const schema = checked({
      type: 'object',
      properties: { 'a b': { type: 'integer' }, 'x/~%#é': { type: 'integer' } },
      additionalProperties: { type: 'integer' },
      required: ['né e'],
    });
    const long = 'k'.repeat(1000);
    expect(schema.problems(JSON.stringify({ 'a b': 's', 'x/~%#é': 's', [long]: 's' }))).toEqual([
      '/né e: is required',
      expect.stringMatching(/^\/a b: /),
      expect.stringMatching(/^\/x~1~0%#é: /),
      expect.stringMatching(new RegExp(`^/${'k'.repeat(198)}…: `)),
    ]);
    for (const problem of schema.problems(JSON.stringify({ [long]: long }))) {
      for (const part of problem.split(': ')) expect(part.length).toBeLessThanOrEqual(200);
    }
  });

  it('refuses references that loop in place or unfold past 10,000 subschemas', () => {
    expect(refusal({ $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' })).toContain(
      'leads back to itself',
    );
    expect(refusal({ allOf: [{ $ref: '#' }] })).toContain('leads back to itself');
    const fanOut = (levels: number): Record<string, unknown> => {
      const $defs: Record<string, unknown> = { [`a${levels}`]: { type: 'object' } };
      for (let n = 0; n < levels; n++) {
        $defs[`a${n}`] = { allOf: [{ $ref: `#/$defs/a${n + 1}` }, { $ref: `#/$defs/a${n + 1}` }] };
      }
      return { $defs, $ref: '#/$defs/a0' };
    };
    expect(refusal(fanOut(40))).toContain('too costly to check');
    expect(() => CompiledSchema.compile(fanOut(8))).not.toThrow();
    // A recursion that reaches into the payload is a tree, not a loop.
    const tree = checked({
      $defs: {
        node: { type: 'object', properties: { kids: { items: { $ref: '#/$defs/node' } } } },
      },
      $ref: '#/$defs/node',
    });
    expect(tree.problems('{"kids": [{"kids": [1]}]}')).toEqual([
      expect.stringMatching(/^\/kids\/0\/kids\/0: /),
    ]);
  });

  it('refuses what PostgreSQL cannot store as sent: NUL, lone surrogates, 1e999', () => {
    expect(refusal({ description: 'a\u0000b' })).toContain('NUL characters');
    expect(refusal({ properties: { 'a\u0000': {} } })).toContain('NUL characters');
    expect(refusal({ const: '\ud800' })).toContain('unpaired surrogates');
    expect(refusal({ maximum: JSON.parse('1e999') as number })).toContain('a number JSON cannot');
    expect(refusal({ enum: [[-Infinity]] })).toContain('a number JSON cannot');
  });
});
