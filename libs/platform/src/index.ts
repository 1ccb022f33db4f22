// The public surface of the platform library: what knows nothing of webhooks, and only
// what is named here (it never imports @app/domain; ESLint enforces it).
export { ConfigError, POSTMAND_CONFIG, loadConfig } from './config/config';
export type { PostmandConfig } from './config/config';
export type { PortalConfig } from './config/portal-config';
export { ipBytes, parseCidr } from './config/cidr';
export type { Cidr } from './config/cidr';
export { EmbeddedPostgres, freePort, scratchDir } from './embedded-postgres/embedded-postgres';
export { withTimeout } from './health/with-timeout';
export { createHealthApp } from './health/health.app';
export { NestPinoLogger, createLogger, flushLogger } from './logging/logger';
export { createRegistry } from './metrics/registry';
export { POSTMAND_VERSION } from './version';
