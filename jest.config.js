/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // lib/ and lambda/ are roots too, so that `jest --findRelatedTests <source>` (and Stryker, per mutant) finds the tests that import a source.
  roots: ['<rootDir>/test', '<rootDir>/lib', '<rootDir>/lambda'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 60000,
  // Two workers on the 2-core machines CI runs on (jest's default is cores - 1): moto_server takes
  // the gaps, and the suite runs about a sixth faster.
  maxWorkers: 2,
  // Tests synthesize with the built-in CloudFormation validator off unless they turn it on.
  setupFiles: ['<rootDir>/test/setup-env.js'],
  // Handler tests run against moto_server (a real AWS API implementation) on 127.0.0.1.
  globalSetup: '<rootDir>/test/support/moto-global-setup.js',
  globalTeardown: '<rootDir>/test/support/moto-global-teardown.js',
};
