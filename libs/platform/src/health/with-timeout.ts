// Apart from the health indicators so that what uses it (the domain's schema check) does
// not load @nestjs/terminus with it.

/** Rejects when `promise` has not settled within `ms`: a probe must never hang. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
