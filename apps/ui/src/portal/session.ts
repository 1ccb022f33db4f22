import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../api/schema';
import { jsonWrites } from '../api/client';

/** The session's token lives for this tab only: sessionStorage, never localStorage or a cookie. */
const TOKEN_STORAGE = 'postmand.portal_token';

/**
 * This tab's sessionStorage, or undefined where the browser denies it: a frame of another
 * site under third-party storage blocking (Chromium throws on the mere read). The token
 * then lives in the page's memory only, and a reload takes it from the frame's src again.
 */
function tabStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}
let inMemory: string | null = null;

function keep(token: string | null): void {
  const storage = tabStorage();
  try {
    if (storage && token) storage.setItem(TOKEN_STORAGE, token);
    else storage?.removeItem(TOKEN_STORAGE);
    inMemory = storage ? null : token;
  } catch {
    // Storage full or refused: the token lives in memory, never lost to a blank page.
    inMemory = token;
  }
}

/**
 * Takes a token from the address's fragment (`/portal#token=pmp_…`, the session's `url`)
 * into sessionStorage and removes it from the address bar and the history entry at once,
 * before anything else runs. A fragment is never sent to a server, and the page sends no
 * Referer (its Referrer-Policy), so the token travels only as the bearer credential.
 */
export function takeTokenFromAddress(): void {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (window.location.hash) {
    history.replaceState(history.state, '', window.location.pathname + window.location.search);
  }
  if (token) {
    // The portal owns its tab: whatever the tab's storage holds is dropped first. A tab
    // opened from the dashboard starts with a copy of the dashboard's sessionStorage,
    // the platform's API key included, which must not live beside a tenant's page.
    try {
      tabStorage()?.clear();
    } catch {
      // nothing stored, or storage refused
    }
    keep(token);
  }
}

export function sessionToken(): string | null {
  try {
    return tabStorage()?.getItem(TOKEN_STORAGE) ?? inMemory;
  } catch {
    return inMemory;
  }
}

const expiredListeners = new Set<() => void>();

/** Called once the API refuses the session (expired, revoked or never valid). */
export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/** Sends the token as a bearer credential; a 401 ends the session in this tab. */
const bearer: Middleware = {
  onRequest({ request }) {
    const token = sessionToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      keep(null);
      for (const listener of expiredListeners) listener();
    }
    return response;
  },
};

/** The public API as the session's tenant: the same generated client as the dashboard's. */
export const portalApi = createClient<paths>({ baseUrl: window.location.origin });
portalApi.use(bearer, jsonWrites);
