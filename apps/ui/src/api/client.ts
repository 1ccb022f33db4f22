import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Webhook = components['schemas']['WebhookDto'];
export type WebhookRequest = components['schemas']['WebhookRequestDto'];
export type Delivery = components['schemas']['DeliveryDto'];
export type DeliveryStatus = Delivery['status'];
export type Attempt = components['schemas']['DeliveryAttemptDto'];
export type PostmandEvent = components['schemas']['EventDto'];
export type Stats = components['schemas']['StatsDto'];
export type WebhookSuccess = components['schemas']['WebhookSuccessDto'];
export type ApiErrorBody = components['schemas']['ErrorDto'];
export type Tenant = components['schemas']['TenantDto'];
export type TenantRequest = components['schemas']['TenantRequestDto'];
/** A session just opened: its token is shown once, and never again by the API. */
export type PortalSession = components['schemas']['PortalSessionDto'];
/** A live session as listed: what it allows and when, never its token. */
export type ListedPortalSession = components['schemas']['ListedPortalSessionDto'];

/**
 * A webhook, delivery, event or attempt with its tenant (SPEC §11): an id, or null for the
 * platform's own. An API older than tenants leaves the field out (undefined: not known);
 * once the generated types carry it, this adds nothing.
 */
export type Owned<T> = T & { tenant_id?: string | null };

/** Items read as Owned: every item is one, whose tenant is not known when it has no field. */
export function owned<T extends object>(items: T[]): Owned<T>[] {
  return items;
}

/**
 * The `tenant_id` list filter as query parameters, spread into a list's query: nothing
 * when no tenant is asked for. (A spread, so that it compiles whether or not the generated
 * types have the parameter yet.)
 */
export function byTenant(tenantId: string | undefined): { tenant_id?: string } {
  return tenantId ? { tenant_id: tenantId } : {};
}

/** The key lives for this tab only: sessionStorage, never localStorage or a cookie. */
const KEY_STORAGE = 'postmand.api_key';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

type Listener<A extends unknown[] = []> = (...args: A) => void;
const unauthorizedListeners = new Set<Listener<[boolean]>>();
const keyListeners = new Set<Listener>();

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  if (key) for (const listener of keyListeners) listener();
}

/** Called on a 401 to the key now held (or to no key), with whether a key was held. */
export function onUnauthorized(listener: Listener<[boolean]>): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Called when a new key is stored: what failed without one may be loaded again. */
export function onKeyStored(listener: Listener): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}

/**
 * A random Idempotency-Key. crypto.randomUUID exists only in secure contexts (HTTPS or
 * localhost), and the dashboard is often opened over plain HTTP inside a cluster.
 */
export function idempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const auth: Middleware = {
  onRequest({ request }) {
    const key = storedKey();
    if (key) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401) {
      // Only the key this request carried is wrong: one stored since then is kept.
      const sent = request.headers.get('Authorization');
      const held = storedKey();
      if (held === null || sent === `Bearer ${held}`) {
        storeKey(null);
        for (const listener of unauthorizedListeners) listener(held !== null);
      }
    }
    return response;
  },
};

/**
 * Every write says it is JSON, bodiless ones (a redeliver) included: openapi-fetch names
 * no type without a body, and the API takes only JSON writes from a browser.
 */
export const jsonWrites: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && !request.headers.has('Content-Type')) {
      request.headers.set('Content-Type', 'application/json');
    }
    return request;
  },
};

/** The public API, typed from its OpenAPI document (schema.d.ts is generated from it). */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth, jsonWrites);

/** A client of the public API: the dashboard's `api`, or the portal's session-scoped one. */
export type ApiClient = typeof api;

/** An error the API answered with, or a network failure, as one message to show. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
    message?: string,
  ) {
    super(
      message ??
        (body
          ? `${body.message}${body.details ? `: ${body.details}` : ''}`
          : `the API answered ${status}`),
    );
  }

  /** `field: reason` pairs of a validation failure (code 4), by field. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.body?.code !== 4 || !this.body.details) return out;
    for (const part of this.body.details.replace(/\.$/, '').split('; ')) {
      const at = part.indexOf(': ');
      if (at > 0) out[part.slice(0, at)] = part.slice(at + 2);
    }
    return out;
  }
}

/** The data of an openapi-fetch result, or an ApiFailure thrown. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiFailure(
      0,
      undefined,
      `the API cannot be reached${err instanceof Error ? ` (${err.message})` : ''}`,
    );
  }
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiFailure(result.response.status, result.error as ApiErrorBody | undefined);
  }
  return result.data as T;
}
