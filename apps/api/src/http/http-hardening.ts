import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PortalConfig } from '@app/platform';
import type { NextFunction, Request, Response } from 'express';
import { DASHBOARD_CSP, isDashboardPath } from '../dashboard/dashboard';
import { isPortalPath, portalCsp } from '../portal/portal-page';

/** Swagger UI needs scripts and styles of its own; every other response is plain data. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers of every response. Nothing may be framed (X-Frame-Options DENY, `frame-ancestors
 * 'none'`) except the portal's page by the origins POSTMAND_PORTAL_FRAME_ANCESTORS lists
 * (§13): then its CSP names them and it sends no X-Frame-Options, which would override it
 * in older browsers.
 */
export function securityHeaders(
  portal: PortalConfig,
): (req: Request, res: Response, next: NextFunction) => void {
  const portalPolicy = portalCsp(portal);
  const framed = portal.frameAncestors.length > 0;
  return (req, res, next) => {
    const isPortal = isPortalPath(req.path);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!(isPortal && framed)) res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!req.path.startsWith('/swagger')) {
      const policy = isPortal ? portalPolicy : isDashboardPath(req.path) ? DASHBOARD_CSP : API_CSP;
      res.setHeader('Content-Security-Policy', policy);
      res.setHeader('Cache-Control', 'no-store');
    }
    next();
  };
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Keeps a caller's X-Request-Id when it is sane, else makes one; echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
