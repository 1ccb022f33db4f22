import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { pendingMigrations } from '../database/schema';

const PING_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Database checks for the probes; a check never hangs longer than two seconds. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** The database answers a trivial query. */
  async ping(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), PING_TIMEOUT_MS);
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }

  /** Every migration this build knows has been applied. */
  async schema(key = 'schema'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const pending = await withTimeout(pendingMigrations(this.dataSource), PING_TIMEOUT_MS);
      return pending.length === 0
        ? indicator.up()
        : indicator.down({ message: `pending migrations: ${pending.join(', ')}` });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
