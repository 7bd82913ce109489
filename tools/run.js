#!/usr/bin/env node
/*
 * Launcher for the tools: bundles the tool's entry (ENTRIES below) with esbuild into
 * .build/tools/<name>.js (rebuilt only when a file it can import changed) and runs its `run(argv)`.
 *   node tools/run.js plan-summary [args...]     (npm run plan:summary -- [args...])
 *   node tools/run.js synth-diff [args...]       (npm run synth:diff -- [args...])
 *   node tools/run.js verify <stack> [args...]   (npm run verify -- <stack> [args...])
 *   node tools/run.js restore <stack> <volume> [snapshot]   (npm run restore -- …)
 *   node tools/run.js policy <stack> <plan.json>  (npm run policy -- <stack> <plan.json>)
 *   node tools/run.js tofu-encryption [options]  (npm run -s tofu:encryption -- [options]: TF_ENCRYPTION for OpenTofu)
 * A tool imports the app's own code (policy, settings, stacks), so the whole tree is watched, not only tools/.
 */
"use strict";
const path = require("path");
const { bundleIfStale } = require("../scripts/bundle");

/** Tool name → its entry, relative to tools/. */
const ENTRIES = {
  "plan-summary": "plan-summary.ts",
  "synth-diff": "synth-diff.ts",
  verify: "verify/verify-command.ts",
  restore: "restore.ts",
  policy: "policy.ts",
  "tofu-encryption": "tofu-encryption.ts",
};
// As scripts/synth.js: everything a tool can import, but tests, outputs and dependencies.
const SKIP = new Set(["node_modules", "cdktf.out", ".build", ".git", "test", "coverage", ".github"]);
const root = path.resolve(__dirname, "..");
const name = process.argv[2];
if (!Object.prototype.hasOwnProperty.call(ENTRIES, name)) {
  process.stderr.write(`usage: node tools/run.js <${Object.keys(ENTRIES).join("|")}> [args...]\n`);
  process.exit(1);
}

const outFile = path.join(root, ".build", "tools", `${name}.js`);
bundleIfStale({
  root,
  entry: path.join(__dirname, ENTRIES[name]),
  outFile,
  watchDir: root,
  skip: SKIP,
  extraFiles: [path.join(root, "package-lock.json")],
  sourcemap: "inline",
});
require(outFile).run(process.argv.slice(3));
