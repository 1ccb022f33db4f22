/**
 * SQLSTATEs that mean "this transaction lost a race and was rolled back; the same work
 * run again will most likely succeed": deadlock_detected (40P01), serialization_failure
 * (40001).
 */
const RETRYABLE = new Set(['40P01', '40001']);

/** Tries of one piece of work at most, the first included. */
export const CONFLICT_TRIES = 5;

export function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * Runs `work` (one statement, or a whole transaction that it opens and commits itself)
 * again when PostgreSQL chose it as a deadlock or serialization victim: up to
 * CONFLICT_TRIES times, after a short random pause that grows with each try, so that the
 * two sides do not meet again in step. Any other error, or the last conflict, is thrown.
 *
 * A deadlock needs two transactions that lock the same rows in opposite orders; where
 * one order is clean the statements take it (the fan-out locks its webhooks in id
 * order), and this is for the rest: a webhook's delete locks the webhook and then its
 * deliveries (the cascade), while a worker recording attempts holds deliveries and then
 * needs their webhooks.
 */
export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= CONFLICT_TRIES || !isRetryableConflict(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
    }
  }
}
