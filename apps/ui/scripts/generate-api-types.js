#!/usr/bin/env node
// The dashboard's API types (apps/ui/src/api/schema.d.ts) from the served OpenAPI document.
// `apiTypes(doc)` is what test/ui/api-types compares the kept file with; run directly
// (`npm run generate:api-types`) it runs that test with UPDATE_API_TYPES=1, which serves the
// document from the real API app (access control on) on a test database and writes the file.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const SCHEMA = path.join(root, 'apps/ui/src/api/schema.d.ts');

/** What openapi-typescript generates from an OpenAPI document. */
function apiTypes(doc) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postmand-ui-types-'));
  try {
    fs.writeFileSync(path.join(dir, 'doc.json'), JSON.stringify(doc));
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/openapi-typescript/bin/cli.js'),
        path.join(dir, 'doc.json'),
        '-o',
        path.join(dir, 'schema.d.ts'),
      ],
      { stdio: 'pipe' },
    );
    return fs.readFileSync(path.join(dir, 'schema.d.ts'), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { apiTypes, SCHEMA };

if (require.main === module) {
  const jest = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/jest/bin/jest.js'), 'test/ui/api-types'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, UPDATE_API_TYPES: '1' } },
  );
  process.exit(jest.status ?? 1);
}
