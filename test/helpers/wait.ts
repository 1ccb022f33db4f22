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
