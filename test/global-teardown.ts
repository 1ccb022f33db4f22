import * as fs from 'node:fs';
import type { EmbeddedPostgres } from '../libs/domain/src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (
    globalThis as { __embeddedPostgres?: { server: EmbeddedPostgres; dir: string } }
  ).__embeddedPostgres;
  if (!embedded) return;
  await embedded.server.stop();
  fs.rmSync(embedded.dir, { recursive: true, force: true });
}
