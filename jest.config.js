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
  testTimeout: 60_000,
};
