import { CompiledSchema } from './compiled-schema';
import { SchemaValidatorPool } from './schema-validator-pool';
import { threadCpuMs } from './thread-cpu-time';

/** A regular expression that backtracks forever (for this test's purposes) on its text. */
const RUNAWAY = CompiledSchema.compile({ pattern: '^(a|a)*$' });
const RUNAWAY_TEXT = JSON.stringify(`${'a'.repeat(60)}b`);

/**
 * The schema threads: a validation that would hold the event loop for seconds, or
 * forever, is answered timedOut once past the deadline, and the thread that ran it is
 * replaced, so the validations after it are answered as before; a validation that was
 * answered in time is not refused because the event loop looked late; one that could not
 * be judged by CPU time (starved, /proc unreadable or reading still) is overloaded, never
 * timedOut. The machine's behaviours are played by the pool's CPU reader (readCpu).
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
    expect(answers.filter((a) => 'problems' in a && a.problems.length === 0)).toHaveLength(25);
  });

  it.each([
    ['by CPU time', threadCpuMs],
    ['by wall-clock time (no CPU reading: setImmediate alone)', () => null],
  ])(
    'keeps an answer that arrived while the event loop was held past the deadline, judged %s',
    async (_, readCpu) => {
      const held = new SchemaValidatorPool();
      held.readCpu = readCpu;
      try {
        // Both threads have answered once, so they are ready: the next check is sent at once.
        await Promise.all([held.check(matches, '{"id": 1}'), held.check(matches, '{"id": 1}')]);
        // Out of the threads' message callback, as an HTTP request's handler is: within it,
        // Node would read a message that arrived meanwhile before going back to the loop.
        await new Promise((resolve) => setImmediate(resolve));
        const verdict = held.check(matches, '{"id": 3}');
        // A long synchronous job holds the event loop for several deadlines, while the thread
        // answers at once: when the loop is free, the deadline's timer is due before the
        // answer is read, and the answer must win.
        const start = performance.now();
        while (performance.now() - start < 4 * held.deadlineMs);
        expect(await verdict).toEqual({ timedOut: false, problems: [] });
      } finally {
        await held.onModuleDestroy();
      }
    },
  );

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

  describe('overloaded, not timedOut, when the payload is not shown costly', () => {
    let machine: SchemaValidatorPool;
    beforeEach(() => (machine = new SchemaValidatorPool()));
    afterEach(() => machine.onModuleDestroy());

    it('when the wall-clock cap passes while the thread used less CPU than the deadline', async () => {
      // A starved thread: it gets a hundredth of the CPU it would (the reading still moves).
      machine.readCpu = (thread) => {
        const ms = threadCpuMs(thread);
        return ms === null ? null : ms / 100;
      };
      machine.capDeadlines = 4;
      expect(await machine.check(RUNAWAY, RUNAWAY_TEXT)).toEqual({ overloaded: true });
      expect(await machine.check(matches, '{}')).toEqual({
        timedOut: false,
        problems: ['/id: is required'],
      });
    });

    it('when the deadline is judged by wall-clock time alone (no /proc)', async () => {
      machine.readCpu = () => null;
      expect(await machine.check(RUNAWAY, RUNAWAY_TEXT)).toEqual({ overloaded: true });
      expect(await machine.check(matches, '{"id": 1}')).toEqual({ timedOut: false, problems: [] });
    });

    it('when the CPU reading stands still while the process runs: judged by wall clock, not held for the cap', async () => {
      // A /proc whose utime and stime never move. With a cap this far off, a pool that
      // believed the reading would hold the thread (and this test) until the test's timeout.
      machine.readCpu = () => 0;
      machine.capDeadlines = 1_000_000;
      expect(await machine.check(RUNAWAY, RUNAWAY_TEXT)).toEqual({ overloaded: true });
      expect(await machine.check(matches, '{"id": 1}')).toEqual({ timedOut: false, problems: [] });
    }, 60_000);

    it('counts the cap from the first send when the thread asks for the schema again', async () => {
      machine.threadSchemas = 1;
      // A check that takes the thread a little CPU (milliseconds), so that its answer to
      // the re-send cannot be read in the same turn as the `missing` one.
      const first = CompiledSchema.compile({ uniqueItems: true });
      const some = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i })));
      const other = CompiledSchema.compile({ type: 'object', required: ['other'] });
      // The first thread (both are free: the first is chosen) takes `first`, then `other`:
      // keeping one schema, it lets `first` go while the pool still knows it as sent there,
      // so the next check of it is answered `missing` and sent again with its schema.
      expect(await machine.check(first, '[1]')).toEqual({ timedOut: false, problems: [] });
      expect(await machine.check(other, '{"other": 1}')).toEqual({ timedOut: false, problems: [] });
      machine.capDeadlines = 2;
      await new Promise((resolve) => setImmediate(resolve));
      const verdict = machine.check(first, some);
      // The loop is held past the cap: the `missing` answer is read when it is free, in the
      // same turn as the timer's decision, which must find the cap passed (a re-send that
      // started the job over would get a new cap, and the thread's answer, in time).
      const start = performance.now();
      while (performance.now() - start < 3 * machine.deadlineMs);
      expect(await verdict).toEqual({ overloaded: true });
    });
  });
});
