import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard (SPEC §10): built into dist/ui, served by the API at /ui under a CSP that
// allows only the service's own scripts and styles, so nothing may be inlined.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
