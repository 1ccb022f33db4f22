import * as fs from 'node:fs';
export { freePort } from '../../test/support/net';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** Busy and total CPU jiffies of the whole machine, from /proc/stat. */
function cpuTimes(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** How busy the machine's CPUs were over the next `ms`, in percent of all cores. */
export async function cpuBusyPercent(ms = 1000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  return Math.round((100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total));
}

/**
 * Waits (up to `timeoutMs`) until other processes leave the CPUs at most `maxBusy` percent
 * busy, so a timed run does not start on a machine that is already loaded; returns the
 * last reading, which the results print beside the figure.
 */
export async function quietMachine(maxBusy = 15, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let busy = await cpuBusyPercent();
  while (busy > maxBusy && Date.now() < deadline) busy = await cpuBusyPercent();
  return busy;
}

/** A reproducible random number generator (mulberry32): the same `seed`, the same draws in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
