/**
 * The browser tests (npm run test:browser): Debian's Chromium, driven by playwright-core, against
 * every service as a real process on the harness's Redis Cluster, PostgreSQL and Kafka (the same
 * global setup as the integration tests). Kept out of `jest`'s default projects: they need the
 * console built and a browser installed, and run once from scripts/test.sh.
 */
const base = require('./jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');

module.exports = {
  testTimeout: 180_000,
  projects: [{ ...integration, displayName: 'browser', testMatch: ['<rootDir>/apps/console/test/**/*.browser.test.ts'] }],
};
