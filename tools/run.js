#!/usr/bin/env node
/*
 * Launcher for the review tools (tools/<name>.ts): bundles the tool with esbuild into
 * .build/tools/<name>.js (rebuilt only when a file under tools/ changed) and runs its `run(argv)`.
 *   node tools/run.js plan-summary [args...]     (npm run plan:summary -- [args...])
 *   node tools/run.js synth-diff [args...]       (npm run synth:diff -- [args...])
 *   node tools/run.js verify <stack> [args...]   (npm run verify -- <stack> [args...])
 *   node tools/run.js restore <stack> <volume> [snapshot]   (npm run restore -- …)
 */
"use strict";
const path = require("path");
const { bundleIfStale } = require("../scripts/bundle");

const TOOLS = new Set(["plan-summary", "synth-diff", "verify", "restore"]);
const root = path.resolve(__dirname, "..");
const name = process.argv[2];
if (!TOOLS.has(name)) {
  process.stderr.write(`usage: node tools/run.js <${[...TOOLS].join("|")}> [args...]\n`);
  process.exit(1);
}

const outFile = path.join(root, ".build", "tools", `${name}.js`);
bundleIfStale({ root, entry: path.join(__dirname, `${name}.ts`), outFile, watchDir: __dirname, sourcemap: "inline" });
require(outFile).run(process.argv.slice(3));
