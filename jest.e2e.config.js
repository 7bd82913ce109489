/**
 * Real-engine suite: applies, re-plans, breaks and destroys the stacks against the local Docker
 * daemon with the real kreuzwerker/docker provider. `npm run test:e2e` (scripts/e2e-lanes.js) runs
 * the lanes of test/e2e/lanes.js in parallel, one jest process each, one file at a time inside
 * (--runInBand and the numbered sequencer); long timeouts, every wait inside is bounded on its own.
 * See docs/e2e.md.
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.e2e.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
  globalSetup: "<rootDir>/test/e2e/global-setup.ts",
  globalTeardown: "<rootDir>/test/e2e/global-teardown.ts",
  testSequencer: "<rootDir>/test/e2e/sequencer.js",
  reporters: ["default", "<rootDir>/test/e2e/reporter.js"],
  testTimeout: 20 * 60 * 1000,
  maxWorkers: 1,
};
