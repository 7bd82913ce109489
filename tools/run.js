#!/usr/bin/env node
/*
 * Launcher for the review tools (tools/<name>.ts): bundles the tool with esbuild into
 * .build/tools/<name>.js (rebuilt only when a file under tools/ changed) and runs its `run(argv)`.
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

const TOOLS = new Set(["plan-summary", "synth-diff", "verify", "restore", "policy", "tofu-encryption"]);
// As scripts/synth.js: everything a tool can import, but tests, outputs and dependencies.
const SKIP = new Set(["node_modules", "cdktf.out", ".build", ".git", "test", "coverage", ".github"]);
const root = path.resolve(__dirname, "..");
const name = process.argv[2];
if (!TOOLS.has(name)) {
  process.stderr.write(`usage: node tools/run.js <${[...TOOLS].join("|")}> [args...]\n`);
  process.exit(1);
}

const outFile = path.join(root, ".build", "tools", `${name}.js`);
bundleIfStale({
  root,
  entry: path.join(__dirname, `${name}.ts`),
  outFile,
  watchDir: root,
  skip: SKIP,
  extraFiles: [path.join(root, "package-lock.json")],
  sourcemap: "inline",
});
require(outFile).run(process.argv.slice(3));
