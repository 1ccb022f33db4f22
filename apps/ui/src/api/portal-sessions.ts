import createClient from 'openapi-fetch';
import { auth, jsonWrites, type ApiErrorBody } from './client';

/** `POST /v1/tenants/{tenant_id}/portal-sessions` (SPEC §12). */
export interface PortalSessionRequest {
  /** Default false. */
  read_only?: boolean;
  /** Seconds, 60–86400; default 3600. */
  expires_in?: number;
}

/** A new session: its token is shown once, and never again by the API. */
export interface PortalSession {
  token: string;
  url: string;
  tenant_id: string;
  read_only: boolean;
  expires_at: string;
}

interface Failure {
  headers: Record<string, unknown>;
  content: { 'application/json': ApiErrorBody };
}

/**
 * The two session routes as openapi-typescript writes them. They are typed by hand until
 * the served document has them (issue 27's sessions slice); once `npm run
 * generate:api-types` puts them in schema.d.ts, `api` from ./client takes them and this
 * file goes.
 */
interface SessionPaths {
  '/v1/tenants/{tenant_id}/portal-sessions': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    post: {
      parameters: { path: { tenant_id: string } };
      requestBody: { content: { 'application/json': PortalSessionRequest } };
      responses: {
        201: { headers: Record<string, unknown>; content: { 'application/json': PortalSession } };
        default: Failure;
      };
    };
    delete: {
      parameters: { path: { tenant_id: string } };
      requestBody?: never;
      responses: { 204: { headers: Record<string, unknown>; content?: never }; default: Failure };
    };
  };
}

/** The same client as `api` (key, JSON writes), for the session routes. */
export const sessionsApi = createClient<SessionPaths>({ baseUrl: window.location.origin });
sessionsApi.use(auth, jsonWrites);
