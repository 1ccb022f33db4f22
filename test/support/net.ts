// The same probe the embedded PostgreSQL uses to pick its port.
export { freePort } from '@app/platform';
