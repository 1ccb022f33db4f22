import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@app/platform';
import { ERRORS } from '../../apps/api/src/errors/api-error';

/**
 * The docs' tables that copy the code — the error codes (docs/api.md "Errors") and the
 * settings (docs/operations.md "Configuration") — checked against the code both ways, so
 * that neither can drift: a row the code lacks, or a code or setting with no row, fails.
 */
const DOCS = path.resolve(__dirname, '../../docs');

/** The cells of each row of the first table under `## <heading>`, header and rule left out. */
function tableUnder(file: string, heading: string): string[][] {
  const lines = fs.readFileSync(path.join(DOCS, file), 'utf8').split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`${file} has no "## ${heading}"`);
  const rows: string[][] = [];
  for (let i = start + 1; i < lines.length && !lines[i].startsWith('## '); i++) {
    if (!lines[i].startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      lines[i]
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  if (rows.length < 3) throw new Error(`${file} "## ${heading}" has no table`);
  return rows.slice(2);
}

/** Each POSTMAND_* name `loadConfig` reads, found by handing it an environment that records reads. */
function settingsTheConfigReads(): string[] {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_target, name) {
        if (typeof name === 'string' && name.startsWith('POSTMAND_')) read.add(name);
        return undefined;
      },
    },
  );
  loadConfig(env, '/tmp');
  return [...read].sort();
}

describe('the docs agree with the code', () => {
  it('lists every error of ERRORS with its code, HTTP status and message, and no other', () => {
    const documented = tableUnder('api.md', 'Errors')
      .map(([code, status, message]) => `${code} ${status} ${message}`)
      .sort();
    const inCode = Object.values(ERRORS)
      .map((e) => `${e.code} ${Number(e.status)} ${e.message}`)
      .sort();
    expect(documented).toEqual(inCode);
  });

  it('lists every POSTMAND_* setting the config reads, and no other', () => {
    const documented = tableUnder('operations.md', 'Configuration')
      .map(([name]) => name.replace(/`/g, ''))
      .sort();
    const read = settingsTheConfigReads();
    expect(read.length).toBeGreaterThan(15);
    expect(documented).toEqual(read);
  });
});
