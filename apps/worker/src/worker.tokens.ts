export const WORKER_LOGGER = 'WORKER_LOGGER';
/** The URL the wake-up listener opens its own connection with. */
export const WORKER_DATABASE_URL = 'WORKER_DATABASE_URL';
