// The public surface of the platform library: what knows nothing of webhooks. It never
// imports @app/domain (ESLint enforces it).
export * from './config/config';
export * from './embedded-postgres/embedded-postgres';
export * from './health/database.health';
export * from './health/health.app';
export * from './health/health.module';
export * from './logging/error-serializer';
export * from './logging/logger';
export * from './metrics/registry';
export * from './version';
