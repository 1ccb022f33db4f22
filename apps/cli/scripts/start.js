#!/usr/bin/env node
// `npm start`: builds when the sources are newer than the build, then runs `postmand all`.
'use strict';
const { buildIfStale } = require('./build-if-stale');

let entry;
try {
  entry = buildIfStale();
} catch (err) {
  process.stderr.write(`postmand: ${err.message}\n`);
  process.exit(1);
}
process.argv.splice(2, process.argv.length - 2, 'all');
require(entry);
