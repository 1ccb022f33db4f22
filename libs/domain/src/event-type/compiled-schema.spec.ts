import { InvalidFieldError } from '../common/domain-errors';
import { CompiledSchema } from './compiled-schema';

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
    const schema = CompiledSchema.compile({
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
    const schema = CompiledSchema.compile({ type: 'array', items: { type: 'integer' } });
    expect(schema.problems(JSON.stringify(Array(30).fill('x')))).toHaveLength(10);
  });

  it('answers a payload nested past the stack on a recursive schema, without throwing', () => {
    const schema = CompiledSchema.compile({ type: 'array', items: { $ref: '#' } });
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
    const schema = CompiledSchema.compile({
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
});
