import * as fs from 'node:fs';
import type { PgServer } from './support/pg-server';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __pgServer?: PgServer }).__pgServer?.embedded;
  if (!embedded) return;
  await embedded.server.stop();
  fs.rmSync(embedded.dir, { recursive: true, force: true });
}
