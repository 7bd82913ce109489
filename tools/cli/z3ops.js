#!/usr/bin/env node
/*
 * z3ops, the operator CLI (bin of the package): bundles tools/cli/z3ops-command.ts with esbuild into
 * .build/tools/z3ops.js (rebuilt only when a source file changed, as tools/run.js does) and runs it.
 *   npx z3ops <command> [args...]      npm run -s ops -- <command> [args...]
 */
"use strict";
const path = require("path");
const { bundleIfStale } = require("../../scripts/bundle");

const root = path.resolve(__dirname, "..", "..");
const outFile = path.join(root, ".build", "tools", "z3ops.js");
bundleIfStale({
  root,
  entry: path.join(__dirname, "z3ops-command.ts"),
  outFile,
  watchDir: root,
  skip: new Set(["node_modules", "cdktf.out", ".build", ".git", "test", "coverage", ".github"]),
  extraFiles: [path.join(root, "package-lock.json")],
  sourcemap: "inline",
});
require(outFile).run(process.argv.slice(2));
