import * as fs from 'node:fs';

/**
 * The CPU time an OS thread has used, read from Linux's /proc: what the schema threads'
 * deadline counts (SchemaValidatorPool), so that a thread starved of CPU, or a main thread
 * that did not look at the clock in time, is not taken for a validation that ran too long.
 * Elsewhere (no /proc) both functions answer null and the pool counts wall-clock time.
 */

/**
 * Clock ticks per second of /proc's times: the kernel's USER_HZ, part of its ABI and 100
 * on every architecture Node runs on (x86, arm, arm64, ppc64, s390x, riscv64), whatever
 * the kernel's internal HZ. What `getconf CLK_TCK` prints, without running a process for
 * it (which a slim image may not even have).
 */
const TICKS_PER_SECOND = 100;

/**
 * The calling thread's entry under /proc, "<pid>/task/<tid>" (in the /proc this process
 * sees, so it names the same thread when read from another thread of the process); null
 * without a Linux /proc.
 */
export function currentThread(): string | null {
  try {
    return fs.readlinkSync('/proc/thread-self');
  } catch {
    return null;
  }
}

/**
 * The user and system CPU time, in ms, used so far by a thread of this process named by
 * currentThread (10 ms resolution); null when it cannot be read (the thread has exited,
 * or there is no /proc).
 */
export function threadCpuMs(thread: string): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${thread}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "tid (comm) state ppid …": comm is the thread's name and may hold spaces or
  // parentheses, so the fields are counted from after its last ')'. From there, state is
  // the first and utime and stime (proc(5)'s fields 14 and 15) the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
}
