/**
 * How an error is logged. A failed statement carries its bound `parameters` and
 * PostgreSQL's `detail` ("Failing row contains (…)"); an HTTP client error carries the
 * request it made. Those hold secret tokens, signatures and payloads, so only the fields
 * named here are ever written, for the error and for its `cause` / `driverError`.
 */
const KEPT_FIELDS = [
  'code',
  'errno',
  'syscall',
  'address',
  'port',
  'severity',
  'routine',
  'schema',
  'table',
  'column',
  'constraint',
  'dataType',
] as const;

/** Most nested causes followed: a cycle (`err.cause = err`) must not loop. */
const MAX_DEPTH = 4;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  [field: string]: unknown;
}

/** `scheme://user:password@host` → `scheme://***@host` wherever it appears in `text`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@');
}

export function serializeError(err: unknown, depth = 0): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const source = err as Record<string, unknown>;
  const out: SerializedError = {
    type: (err as Error).constructor?.name ?? 'Error',
    message: maskUrlCredentials(typeof source.message === 'string' ? source.message : ''),
  };
  if (typeof source.stack === 'string') out.stack = maskUrlCredentials(source.stack);
  for (const field of KEPT_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (depth < MAX_DEPTH) {
    for (const nested of ['cause', 'driverError'] as const) {
      if (source[nested] !== undefined && source[nested] !== err) {
        out[nested] = serializeError(source[nested], depth + 1);
      }
    }
  }
  return out;
}
