/** Unit tests: offline, fast, on synthesized JSON. The real-engine suite lives in jest.e2e.config.js. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The real-engine suite (jest.e2e.config.js) and the checks by the real programs (jest.programs.config.js) run on their own.
  testPathIgnorePatterns: ["/node_modules/", "/test/e2e/", "/test/programs/"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
  clearMocks: true,
};
