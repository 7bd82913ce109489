/**
 * Configuration checks (`npm run test:programs`): every generated configuration file is read by the
 * program that reads it in production (nginx -t, promtool, amtool), and every stack picture
 * (docs/stacks/<stack>.dot) is drawn by Graphviz's dot and compared with the committed SVG, run from
 * the Debian root filesystem `scripts/bootstrap-programs.sh` builds. No Docker engine; needs root (chroot, unshare).
 * A missing root filesystem fails the run, with the command that builds it.
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/programs"],
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
  testTimeout: 120 * 1000,
  clearMocks: true,
};
