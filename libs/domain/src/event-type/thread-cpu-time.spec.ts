import { Worker } from 'node:worker_threads';
import { currentThread, threadCpuMs } from './thread-cpu-time';

/**
 * What the schema threads' deadline counts: a thread's CPU time, read from /proc (Linux
 * only; elsewhere the pool counts wall-clock time and these tests do not apply).
 */
const linux = currentThread() !== null;
/**
 * Polls of a spinning thread's CPU time before giving up on seeing it move twice: 10 ms
 * apart, at least 10 s of wall-clock time, in which a spinning thread on a working machine
 * has run for far more than the two 10 ms ticks asked for.
 */
const MAX_POLLS = 1000;

describe('threadCpuMs', () => {
  (linux ? it : it.skip)('reads a rising CPU time for a thread that spins', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const spinner = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self'));
       while (Atomics.load(workerData, 0) === 0);`,
      { eval: true, workerData: stop },
    );
    try {
      const thread = await new Promise<string>((resolve) => spinner.once('message', resolve));
      expect(thread).toMatch(/^\d+\/task\/\d+$/);
      expect(thread).not.toBe(currentThread());
      // Three readings, each higher than the one before (at 10 ms resolution, a spinning
      // thread's figure moves every few polls).
      // Polls are bounded by count: a reading that never moves (a /proc whose utime and
      // stime stand still) fails here, naming what it saw, rather than spinning until the
      // test's timeout.
      const readings = [threadCpuMs(thread)];
      for (let polls = 0; readings.length < 3; polls++) {
        if (polls === MAX_POLLS) {
          throw new Error(
            `the spinning thread's CPU time moved ${readings.length - 1} times in ${MAX_POLLS} polls 10 ms apart: ${readings.join(', ')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
        const now = threadCpuMs(thread);
        expect(now).toEqual(expect.any(Number));
        if (now !== readings.at(-1)) readings.push(now);
      }
      expect(readings[0]).toBeGreaterThanOrEqual(0);
      expect(readings[1]).toBeGreaterThan(readings[0]!);
      expect(readings[2]).toBeGreaterThan(readings[1]!);
    } finally {
      Atomics.store(stop, 0, 1);
      await spinner.terminate();
    }
  });

  it('answers null for a thread it cannot read', () => {
    expect(threadCpuMs(`${process.pid}/task/0`)).toBeNull();
  });
});
