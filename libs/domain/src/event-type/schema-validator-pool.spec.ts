import { CompiledSchema } from './compiled-schema';
import { SchemaValidatorPool } from './schema-validator-pool';

/**
 * The schema threads: a validation that would hold the event loop for seconds, or
 * forever, is answered timedOut once past the deadline, and the thread that ran it is
 * replaced, so the validations after it are answered as before.
 */
describe('SchemaValidatorPool', () => {
  const pool = new SchemaValidatorPool();
  afterAll(() => pool.onModuleDestroy());

  const matches = CompiledSchema.compile({ type: 'object', required: ['id'] });

  it('answers matches and mismatches, sending each schema once per thread', async () => {
    expect(await pool.check(matches, '{"id": 1}')).toEqual({ timedOut: false, problems: [] });
    expect(await pool.check(matches, '{}')).toEqual({
      timedOut: false,
      problems: ['/id: is required'],
    });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => pool.check(matches, i % 2 ? '{"id": 1}' : '[]')),
    );
    expect(answers.filter((a) => !a.timedOut && a.problems.length === 0)).toHaveLength(25);
  });

  it.each([
    ['a backtracking pattern', { pattern: '^(a|a)*$' }, JSON.stringify(`${'a'.repeat(40)}b`)],
    ['another', { pattern: '^(\\w|\\d)+$' }, JSON.stringify(`${'1'.repeat(40)}!`)],
    [
      'uniqueItems on 20,000 objects',
      { uniqueItems: true },
      JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i }))),
    ],
  ])('answers timedOut for %s, and goes on answering', async (_, schema, payload) => {
    const costly = CompiledSchema.compile(schema);
    const answers = await Promise.all([
      pool.check(costly, payload),
      pool.check(costly, payload),
      pool.check(matches, '{"id": 2}'),
    ]);
    expect(answers).toEqual([
      { timedOut: true },
      { timedOut: true },
      { timedOut: false, problems: [] },
    ]);
    expect(await pool.check(matches, '{}')).toEqual({
      timedOut: false,
      problems: ['/id: is required'],
    });
  });
});
