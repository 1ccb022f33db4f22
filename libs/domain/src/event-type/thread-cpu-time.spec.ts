import { Worker } from 'node:worker_threads';
import { currentThread, threadCpuMs } from './thread-cpu-time';

/**
 * What the schema threads' deadline counts: a thread's CPU time, read from /proc (Linux
 * only; elsewhere the pool counts wall-clock time and these tests do not apply).
 */
const linux = currentThread() !== null;

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
      const readings = [threadCpuMs(thread)];
      while (readings.length < 3) {
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
