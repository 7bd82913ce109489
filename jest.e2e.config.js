/**
 * Real-engine suite (`npm run test:e2e`): applies, re-plans, breaks and destroys the stacks against
 * the local Docker daemon with the real kreuzwerker/docker provider. One file at a time, in order
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
