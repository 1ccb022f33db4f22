import { withTimeout } from '@app/platform';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { pendingMigrations } from './schema';

const CHECK_TIMEOUT_MS = 2_000;

/** Readiness: every migration this build knows has been applied (answers within 2 s). */
export function schemaHealth(dataSource: DataSource): () => Promise<HealthIndicatorResult> {
  return async () => {
    try {
      const pending = await withTimeout(pendingMigrations(dataSource), CHECK_TIMEOUT_MS);
      return pending.length === 0
        ? { schema: { status: 'up' } }
        : { schema: { status: 'down', message: `pending migrations: ${pending.join(', ')}` } };
    } catch (err) {
      return { schema: { status: 'down', message: (err as Error).message } };
    }
  };
}
