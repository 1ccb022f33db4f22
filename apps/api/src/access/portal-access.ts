import { SetMetadata } from '@nestjs/common';

/**
 * What a portal session may do on a route (§12's table), declared on the handler:
 * - `tenant`: the handler limits itself to the session's tenant by the request's scope
 *   (lists, a webhook, delivery, attempt or event by id, redeliver, stats per webhook);
 * - `tenant-create`: a create that makes the session tenant's item (`POST /v1/webhooks`):
 *   the body's `tenant_id` must be left out or be the session's, and becomes it;
 * - `own-tenant`: a route of the tenant named by the path's `tenant_id`: the session's
 *   own only; another tenant is not found (404 code 16), as an unknown one;
 * - `public`: reads that hold nothing of any tenant (the event type catalogue).
 * A route without a declaration is refused to every session (403 code 15): a new route
 * stays the platform's until someone decides otherwise.
 */
export type PortalAccessKind = 'tenant' | 'tenant-create' | 'own-tenant' | 'public';

export const PORTAL_ACCESS = 'postmand:portal-access';

export const PortalAccess = (kind: PortalAccessKind): MethodDecorator =>
  SetMetadata(PORTAL_ACCESS, kind);
