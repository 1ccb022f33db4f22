#!/usr/bin/env node
// `npm run dev`: `postmand all` (API + worker; the embedded PostgreSQL when
// POSTMAND_DATABASE_URL is unset, as `npm start`) rebuilt and restarted by `nest start
// --watch` on every change, beside Vite's dev server for the dashboard at
// http://localhost:5173/ui/, which passes /v1 to the API. Ctrl+C stops both.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const bin = (p) => path.join(root, 'node_modules', p);

const children = [
  spawn(
    process.execPath,
    [
      bin('@nestjs/cli/bin/nest.js'),
      'start',
      'cli',
      '--watch',
      '--preserveWatchOutput',
      '--',
      'all',
    ],
    { cwd: root, stdio: 'inherit', detached: true },
  ),
  spawn(
    process.execPath,
    [bin('vite/bin/vite.js'), '--config', 'apps/ui/vite.config.ts', '--logLevel', 'info'],
    { cwd: root, stdio: 'inherit', detached: true },
  ),
];

// Each child leads a process group of its own, and a stop signals the whole group: nest
// runs the app through a shell, which would pass a signal on to nobody.
let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      if (child.exitCode === null) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGTERM'));

let left = children.length;
for (const child of children) {
  child.on('exit', (code) => {
    // One gone (a failed start, Ctrl+C): stop the other too.
    stop('SIGTERM');
    if (--left === 0) process.exit(code ?? 0);
  });
}
