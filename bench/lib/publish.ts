// Publishing through a `server` process's API, shared by the filters bench and the
// publish A/B (which also drives the build before the catalogue: only v1 fields it knows).
import { percentile } from './util';

/** One kind of publish: its event type, its payloads and how many webhooks it matches. */
export interface PublishKind {
  label: string;
  eventType: string;
  payload: (n: number) => string;
  deliveries: number;
}

/** A payload of about `bytes`, whose `data.tier` is `tier`. */
export const sized = (bytes: number, tier: string) => (n: number) =>
  JSON.stringify({ n, data: { tier, pad: 'x'.repeat(Math.max(0, bytes - 60)) } });

/** A small payload (about 80 bytes) with a tier, an amount and tags to filter on. */
export const small = (n: number) =>
  JSON.stringify({ n, data: { tier: 'gold', amount: n % 1000, tags: ['a'] } });

/**
 * An inactive webhook of `eventType` through the API (so a filter is validated and compiled
 * as in use). Without `filter` the body has no such field: a build before filters (SPEC
 * §15) refuses unknown fields.
 */
export async function createHook(url: string, eventType: string, filter?: unknown): Promise<void> {
  const res = await fetch(`${url}/v1/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench hook',
      url: 'http://127.0.0.1:9/',
      content_type: 'application/json',
      valid_status_codes: [200],
      event_types: [eventType],
      active: false,
      ...(filter === undefined ? {} : { filter }),
    }),
  });
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
}

/** POSTs the `n`th event of `kind`; its time in ms, checking its delivery_count. */
export async function publish(url: string, kind: PublishKind, n: number): Promise<number> {
  const body = JSON.stringify({ event_type: kind.eventType, payload: kind.payload(n) });
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const event = (await res.json()) as { delivery_count?: number };
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 201 || event.delivery_count !== kind.deliveries) {
    throw new Error(`${kind.label}: ${res.status} ${JSON.stringify(event).slice(0, 300)}`);
  }
  return ms;
}

/**
 * `requests` publishes of `kind`, `inFlight` at a time: each one's time in ms, and the
 * whole run's requests per second.
 */
export async function concurrently(
  url: string,
  kind: PublishKind,
  requests: number,
  inFlight: number,
): Promise<{ times: number[]; perSecond: number }> {
  const times: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < requests) times.push(await publish(url, kind, next++));
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { times, perSecond: requests / seconds };
}

/** The `q`th percentile of `xs` (any order). */
export const pct = (xs: number[], q: number): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    q,
  );

/** The median of `xs` (any order): the mean of the middle two when even. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
