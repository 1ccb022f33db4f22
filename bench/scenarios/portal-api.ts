import { createPortalSession } from '../lib/portal-session';
import { EVENT_TYPES } from './portal-seed';

/**
 * The portal's page sizes (apps/ui/src/portal/Endpoints.tsx and Deliveries.tsx). The
 * browser part prints the `limit` the portal's own request asked for, to compare.
 */
export const ENDPOINTS_PAGE = 50;
export const PAGE = 20;

/** A request the portal makes with a session, given the session's tenant's first endpoint. */
interface Kind {
  label: string;
  path(webhookId: string, run: number): string;
}

export const API_KINDS: Kind[] = [
  { label: 'endpoints list', path: () => `/v1/webhooks?limit=${ENDPOINTS_PAGE}` },
  { label: 'deliveries, first page', path: () => `/v1/deliveries?limit=${PAGE}` },
  {
    label: 'deliveries of one endpoint',
    path: (hook) => `/v1/deliveries?limit=${PAGE}&webhook_id=${hook}`,
  },
  { label: 'deliveries failed', path: () => `/v1/deliveries?limit=${PAGE}&status=failed` },
  {
    label: 'deliveries of one endpoint, failed',
    path: (hook) => `/v1/deliveries?limit=${PAGE}&webhook_id=${hook}&status=failed`,
  },
  {
    label: 'deliveries of one event type',
    path: (_, run) =>
      `/v1/deliveries?limit=${PAGE}&event_type=${EVENT_TYPES[run % EVENT_TYPES.length]}`,
  },
];

/** The index in API_KINDS of the portal's first page of deliveries: issue 28's API figure. */
export const FIRST_PAGE = 1;

/** Each kind's times in ms, run by run (the first against a just-started server). */
export type ApiTimes = number[][];

/** One GET with the session's bearer token, timed from the request to the whole body read. */
async function timedGet(url: string, token: string): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await res.json();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return { ms, body };
}

/**
 * `runs` runs against the server at `serverUrl`, each for a fresh portal session of the
 * tenant `pickTenant()` gives: every API_KINDS request in turn, as the portal makes them
 * (the endpoints list first: its first endpoint is the one the filters use).
 */
export async function measureApi(
  serverUrl: string,
  runs: number,
  pickTenant: () => string,
): Promise<ApiTimes> {
  const times: ApiTimes = API_KINDS.map(() => []);
  for (let run = 0; run < runs; run++) {
    const session = await createPortalSession(serverUrl, pickTenant());
    let hook = '';
    for (const [k, kind] of API_KINDS.entries()) {
      const { ms, body } = await timedGet(`${serverUrl}${kind.path(hook, run)}`, session.token);
      if (k === 0) {
        const { webhooks } = body as { webhooks: { id: string }[] };
        if (webhooks.length === 0) throw new Error('a seeded tenant has no endpoints');
        hook = webhooks[0].id;
      } else if (k === FIRST_PAGE && (body as { deliveries: unknown[] }).deliveries.length === 0) {
        throw new Error('a seeded tenant has no deliveries');
      }
      times[k].push(ms);
    }
  }
  return times;
}
