/** Injection token of the API's pino logger. */
export const API_LOGGER = 'API_LOGGER';
