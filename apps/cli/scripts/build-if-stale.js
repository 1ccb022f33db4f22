// Builds the CLI, the dashboard and the portal (`npm run build`) when any source is newer than the build.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const entry = path.join(root, 'dist/apps/cli/src/main.js');
const dashboard = path.join(root, 'dist/ui/index.html');
const portal = path.join(root, 'dist/portal/index.html');
const SOURCE = /\.(ts|tsx|css|html|svg)$/;

function newestSource(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (SOURCE.test(item.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const sources = Math.max(
    newestSource(path.join(root, 'apps')),
    newestSource(path.join(root, 'libs')),
    fs.statSync(path.join(root, 'package.json')).mtimeMs,
  );
  const built = [entry, dashboard, portal].every(
    (f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= sources,
  );
  if (built) return entry;
  process.stderr.write('postmand: building (npm run build)…\n');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
  return entry;
}

module.exports = { buildIfStale, entry };
