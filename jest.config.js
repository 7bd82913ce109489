/** Unit tests: offline, fast, on synthesized JSON. The real-engine suite lives in jest.e2e.config.js. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/test/e2e/"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
  clearMocks: true,
};
