/**
 * Two projects: `unit` (pure logic, no I/O) and `integration` (real Redis Cluster, PostgreSQL and
 * Apache Kafka, started once by the global setup on ports of their own).
 * Tests live next to each package: <package>/test/*.test.ts and *.int.test.ts (the console's
 * *.browser.test.ts run apart: jest.browser.config.js).
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

const shared = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@stampede/(devkit|contracts|ledger)$': '<rootDir>/packages/$1/src/index.ts',
    '^@stampede/(chassis|devkit|contracts|ledger)/(.*)$': '<rootDir>/packages/$1/src/$2',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
  // Run data (the local cluster's image store unpacks whole service images, package.json files
  // included, under .stampede/cluster): never modules or tests of this repository.
  modulePathIgnorePatterns: ['<rootDir>/\\.stampede/'],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,services,charts,observability,loadtest,tools,apps}/**/test/**/*.test.ts', '<rootDir>/test/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.browser\\.test\\.ts$', '/node_modules/', '/dist/'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,services,charts,observability,loadtest,tools,test}/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
