import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv, type Plugin } from 'vite';

const outDir = fileURLToPath(new URL('../../dist/ui', import.meta.url));

/**
 * The portal's page moved out of dist/ui into dist/portal/index.html: /ui serves dist/ui's
 * files as they are, and the portal's page must be served only at /portal, branded and
 * under the portal's CSP (apps/api/src/portal/portal-page.ts).
 */
const portalPageApart: Plugin = {
  name: 'portal-page-apart',
  apply: 'build',
  closeBundle() {
    // Also called after a failed build: then there is no page to move, and the build's
    // own error is the one to see.
    const built = path.join(outDir, 'portal.html');
    if (!fs.existsSync(built)) return;
    const portalDir = path.join(outDir, '..', 'portal');
    fs.mkdirSync(portalDir, { recursive: true });
    fs.renameSync(built, path.join(portalDir, 'index.html'));
  },
};

// The dashboard (SPEC §10): built into dist/ui, served by the API at /ui under a CSP that
// allows only the service's own scripts and styles, so nothing may be inlined.
export default defineConfig(({ mode }) => {
  // `npm run dev`: Vite serves the page at /ui with reload on change and passes the API's
  // paths to the API on POSTMAND_HTTP_PORT (as set in the environment or a .env file).
  // The Host stays Vite's (localhost, not changed to the API's), so the API takes the
  // dashboard's calls as its own: same origin, a host it answers to.
  const env = loadEnv(mode, fileURLToPath(new URL('../..', import.meta.url)), 'POSTMAND_');
  const api = {
    target: `http://127.0.0.1:${env.POSTMAND_HTTP_PORT || '8000'}`,
    changeOrigin: false,
  };
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    base: '/ui/',
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    plugins: [portalPageApart],
    build: {
      outDir,
      emptyOutDir: true,
      // Two pages sharing components, styles and the API client: the dashboard (/ui) and
      // the customer portal (§13), which the API serves at /portal from portal.html.
      rollupOptions: {
        input: {
          dashboard: fileURLToPath(new URL('index.html', import.meta.url)),
          portal: fileURLToPath(new URL('portal.html', import.meta.url)),
        },
      },
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
    },
    server: { proxy: { '/v1': api, '/swagger': api } },
    logLevel: 'warn',
  };
});
