import * as crypto from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDataSource } from '@app/domain';
import { EmbeddedPostgres, type PostmandConfig } from '@app/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

export interface Database {
  dataSource: DataSource;
  /** Set when the `all` command started its own server; it stops with the process. */
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

export class MissingDatabaseUrlError extends Error {}

/**
 * Without POSTMAND_DATABASE_URL: `start` (the `all` command) starts an embedded
 * PostgreSQL in POSTMAND_DATA_DIR; `attach` (the admin commands) uses the one a running
 * `postmand all` started there; `refuse` (server, worker, migrate) needs the URL.
 */
export type EmbeddedUse = 'start' | 'attach' | 'refuse';

/** Opens the process's one pool, on POSTMAND_DATABASE_URL or as `embedded` says. */
export async function connectDatabase(
  config: PostmandConfig,
  logger: Logger,
  applicationName: string,
  embeddedUse: EmbeddedUse,
): Promise<Database> {
  let url = config.databaseUrl;
  let embedded: EmbeddedPostgres | undefined;
  if (!url && embeddedUse === 'attach') {
    url =
      EmbeddedPostgres.runningUrl(config.dataDir) ??
      (config.dataDirIsDefault
        ? EmbeddedPostgres.runningUrl(rootFallbackDir(config.dataDir))
        : undefined);
    if (!url) {
      throw new MissingDatabaseUrlError(
        `POSTMAND_DATABASE_URL is not set and no embedded PostgreSQL is running in ` +
          `${config.dataDir}: set the URL, or start postmand (npm start) first`,
      );
    }
  }
  if (!url) {
    if (embeddedUse !== 'start') {
      throw new MissingDatabaseUrlError(
        'POSTMAND_DATABASE_URL is not set: give it a postgres:// URL (only the "all" ' +
          'command starts an embedded PostgreSQL on its own)',
      );
    }
    const log = logger.child({ component: 'embedded-postgres' });
    embedded = await EmbeddedPostgres.start({
      dataDir: config.dataDir,
      fallbackDataDir: config.dataDirIsDefault ? rootFallbackDir(config.dataDir) : undefined,
      onLog: (line) => log.debug(line),
      onWarning: (message) => log.warn(message),
    });
    const { port } = new URL(embedded.url);
    logger.info(
      { dataDir: embedded.dataDir, port: Number(port) },
      'embedded PostgreSQL started (password in <dataDir>/password)',
    );
    url = embedded.url;
  }
  try {
    const dataSource = await openDataSource({
      url,
      poolSize: config.databaseMaxOpenConns,
      applicationName,
    });
    return {
      dataSource,
      embedded,
      close: async () => {
        await dataSource.destroy().catch(() => undefined);
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

/** Where root keeps the default data folder when the checkout is closed to other users. */
function rootFallbackDir(dataDir: string): string {
  const hash = crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `postmand-data-${hash}`);
}
