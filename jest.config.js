/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        astTransformers: { before: ['<rootDir>/test/helpers/swagger-plugin.js'] },
      },
    ],
  },
  moduleNameMapper: {
    '^@app/domain(|/.*)$': '<rootDir>/libs/domain/src$1',
    '^@app/platform(|/.*)$': '<rootDir>/libs/platform/src$1',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 2,
  // A bound on a whole test or hook, not a measure of speed: each wait inside has its own
  // deadline on a condition. Hooks and tests that start real processes (server, workers,
  // an embedded PostgreSQL) took over 60 s on a busy 2-core machine while every condition
  // in them held; a hang still fails here, with the condition's own message first.
  testTimeout: 180_000,
};
