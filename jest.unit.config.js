// `npm run test:unit`: the pure unit specs only, with no build and no PostgreSQL (no
// globalSetup), for a quick loop while editing. `npm test` (jest.config.js) runs them too.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test/deploy'],
  testRegex: '.*\\.spec\\.ts$',
  globalSetup: undefined,
  globalTeardown: undefined,
};
