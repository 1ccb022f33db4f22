import { DataSource, type DataSourceOptions } from 'typeorm';
import { DeliveryAttempt } from '../delivery-attempt/delivery-attempt.entity';
import { Delivery } from '../delivery/delivery.entity';
import { Event } from '../event/event.entity';
import { Tenant } from '../tenant/tenant.entity';
import { EventType } from '../event-type/event-type.entity';
import { Webhook } from '../webhook/webhook.entity';
import { MIGRATIONS } from './migrations';

export const ENTITIES = [Webhook, Delivery, DeliveryAttempt, Event, Tenant, EventType];

export interface DatabaseOptions {
  url: string;
  /** Most connections this process opens (POSTMAND_DATABASE_MAX_OPEN_CONNS). */
  poolSize: number;
  /** Shown in pg_stat_activity, so an operator can tell the processes apart. */
  applicationName: string;
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize,
    applicationName: options.applicationName,
    // Fail fast instead of queueing forever when the database is unreachable, and
    // drop idle connections so a restarted server is met with fresh ones.
    connectTimeoutMS: 5_000,
    extra: { idleTimeoutMillis: 30_000, query_timeout: 60_000 },
  };
}

/** Connects, retrying nothing: callers decide how to handle an unreachable database. */
export async function openDataSource(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  return dataSource;
}
