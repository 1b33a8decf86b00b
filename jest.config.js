'use strict';
// Three tiers (see docs/ARCHITECTURE.md "Tests"):
//   unit         *.spec.ts beside the code; ports faked, no services
//   integration  test/integration/**/*.test.ts on real services: Kafka broker, ClickHouse engine (chDB), Hardhat EVM
//   e2e          test/e2e/**/*.e2e.ts: the whole daemon driven with the official @x402 packages as peers
// Integration and e2e share one global setup that starts the real services once per run (test/setup/global-setup.ts).
const swcOptions = require('./swc.config.js')();

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { ...swcOptions, swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: { '^@x402-ledger/([^/]+)$': '<rootDir>/libs/$1/src' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // jest-circus reads testTimeout only at the top level; integration/e2e tests talk to real services.
  testTimeout: 180_000,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
      globalSetup: '<rootDir>/test/e2e/support/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
