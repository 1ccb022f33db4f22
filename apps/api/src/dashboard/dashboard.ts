import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { Response } from 'express';

/** Where `npm run build` puts the dashboard (vite, apps/ui): dist/ui, from source or from dist. */
export function dashboardDir(): string {
  const up = path.resolve(__dirname, '../../../..');
  return path.basename(up) === 'dist' ? path.join(up, 'ui') : path.join(up, 'dist', 'ui');
}

/**
 * The dashboard's own CSP: its scripts, styles, icon and API calls come from this service
 * and nothing else; no inline script or style, no frame, no form posted elsewhere.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";

/** Hashed assets never change under their name; the page itself is always asked for again. */
function cacheHeaders(dir: string): (res: Response, file: string) => void {
  return (res, file) => {
    const asset = path.relative(dir, file).startsWith(`assets${path.sep}`);
    res.setHeader('Cache-Control', asset ? 'public, max-age=31536000, immutable' : 'no-store');
  };
}

/** `/ui` and below, as Express matches paths (case-insensitively). */
export function isDashboardPath(urlPath: string): boolean {
  return /^\/ui(?:\/|$)/i.test(urlPath);
}

/**
 * `/ui` and every path below it: the built files, and index.html for the pages' own paths
 * (the page routes itself). Undefined when the dashboard was not built.
 */
export function dashboardModule(dir = dashboardDir()): DynamicModule | undefined {
  if (!fs.existsSync(path.join(dir, 'index.html'))) return undefined;
  return ServeStaticModule.forRoot({
    rootPath: dir,
    serveRoot: '/ui',
    // The page for /ui/<anything> (never /uifoo, which stays the API's 404).
    renderPath: '/{*page}',
    // A file that is not there is a 404, not the page: only the pages' paths get index.html.
    exclude: ['/ui/assets/{*file}', '/ui/favicon.svg'],
    serveStaticOptions: {
      index: 'index.html',
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders: cacheHeaders(dir) as (res: unknown, file: string) => void,
    },
  });
}
