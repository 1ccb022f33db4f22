import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { DeliveryStatus } from '../api/client';
import type { components } from '../api/schema';

/** Who the session is for and what it may do (GET /v1/portal/session). */
export type SessionInfo = components['schemas']['CurrentPortalSessionDto'];

/**
 * Where the portal is. The portal is served at `/portal` alone and runs inside another
 * site's frame, so its views live in the page's state: no address, no history entries
 * pushed into the embedding page's back button.
 */
export type PortalView =
  | { page: 'endpoints' }
  | { page: 'endpoint'; id: string }
  | { page: 'new-endpoint' }
  | { page: 'edit-endpoint'; id: string }
  | DeliveriesView
  | { page: 'delivery'; id: string; back?: DeliveriesView };

/** The tenant's deliveries, filtered: going to one with other filters applies them. */
export interface DeliveriesView {
  page: 'deliveries';
  webhookId?: string;
  status?: DeliveryStatus;
  eventType?: string;
}

export interface PortalContext {
  session: SessionInfo | undefined;
  view: PortalView;
  go: (view: PortalView) => void;
}

export const Portal = createContext<PortalContext>({
  session: undefined,
  view: { page: 'endpoints' },
  go: () => undefined,
});

export function usePortal(): PortalContext {
  return useContext(Portal);
}

/**
 * Whether the session may write. Until the session is known, it may not: a read-only
 * session never sees a write control, not even for the moment before its answer comes.
 */
export function useCanWrite(): boolean {
  const { session } = usePortal();
  return session !== undefined && !session.read_only;
}
