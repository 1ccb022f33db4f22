import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PortalConfig } from '@app/platform';
import type { NextFunction, Request, Response } from 'express';
import { dashboardDir } from '../dashboard/dashboard';

/** Where `npm run build` puts the portal's page: dist/portal, beside the dashboard's dist/ui. */
export function portalDir(): string {
  return path.join(path.dirname(dashboardDir()), 'portal');
}

/** `/portal` (and `/portal/`), as Express matches paths (case-insensitively). */
export function isPortalPath(urlPath: string): boolean {
  return /^\/portal\/?$/i.test(urlPath);
}

/**
 * The portal's CSP (§13): the dashboard's discipline (its own scripts, styles and API
 * calls, nothing inline, nothing from elsewhere), framed only by the origins
 * POSTMAND_PORTAL_FRAME_ANCESTORS lists, or by none.
 */
export function portalCsp(portal: PortalConfig): string {
  const ancestors = portal.frameAncestors.length > 0 ? portal.frameAncestors.join(' ') : "'none'";
  return (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
    "connect-src 'self'; base-uri 'none'; form-action 'self'; " +
    `frame-ancestors ${ancestors}`
  );
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/**
 * The built page with the branding in it: the title in `<title>` and, for the script, in
 * data attributes of `<html>` (no inline script, which the CSP forbids).
 */
export function brandedPortalPage(html: string, portal: PortalConfig): string {
  const attributes =
    ` data-portal-title="${escapeHtml(portal.title)}"` +
    (portal.accent ? ` data-portal-accent="${escapeHtml(portal.accent)}"` : '');
  return html
    .replace(/<html([^>]*)>/i, (_m, rest: string) => `<html${rest}${attributes}>`)
    .replace(/<title>[^<]*<\/title>/i, () => `<title>${escapeHtml(portal.title)}</title>`);
}

/**
 * Serves `/portal`: the page built from apps/ui/portal.html into dist/portal (its scripts
 * and styles are the front end's hashed files under /ui/assets), branded once at start-up.
 * Undefined when the front end was not built.
 */
export function portalPage(
  portal: PortalConfig,
  dir = portalDir(),
): ((req: Request, res: Response, next: NextFunction) => void) | undefined {
  const file = path.join(dir, 'index.html');
  if (!fs.existsSync(file)) return undefined;
  const page = brandedPortalPage(fs.readFileSync(file, 'utf8'), portal);
  return (req, res, next) => {
    if (!isPortalPath(req.path) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return next();
    }
    res.type('html').setHeader('Cache-Control', 'no-store');
    res.send(page);
  };
}
