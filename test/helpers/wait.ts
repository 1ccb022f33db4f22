/**
 * Polls `probe` until it returns a value other than undefined, or fails after the deadline.
 * Deadlines are for conditions that should hold soon: generous, so that a busy machine
 * (CI, tests of several projects at once) is slower, not failing.
 */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls `condition` until it holds, or fails after the deadline. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<void> {
  await eventually(async () => ((await condition()) ? true : undefined), timeoutMs, what);
}

/**
 * Waits `ms` in which nothing more must happen: the one bare wait the tests allow, for
 * asserting an absence ("no second delivery") where no later event can say so. `what` names
 * the absence. With `observe`, the value it returns is sampled through the window and any
 * change fails at once, naming `what`. Prefer a positive signal (`until`) wherever one exists.
 */
export async function quietFor(ms: number, what: string, observe?: () => unknown): Promise<void> {
  const start = Date.now();
  const deadline = start + ms;
  const before = observe === undefined ? undefined : JSON.stringify(await observe());
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) =>
      setTimeout(resolve, observe === undefined ? left : Math.min(left, 25)),
    );
    if (observe === undefined) continue;
    const now = JSON.stringify(await observe());
    if (now !== before) {
      throw new Error(
        `expected ${what} for ${ms} ms, but after ${Date.now() - start} ms ${before} became ${now}`,
      );
    }
  }
}
