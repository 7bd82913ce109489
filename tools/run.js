#!/usr/bin/env node
/*
 * Launcher for the review tools (tools/<name>.ts): bundles the tool with esbuild into
 * .build/tools/<name>.js (rebuilt only when a file under tools/ changed) and runs its `run(argv)`.
 *   node tools/run.js plan-summary [args...]     (npm run plan:summary -- [args...])
 *   node tools/run.js synth-diff [args...]       (npm run synth:diff -- [args...])
 */
"use strict";
const fs = require("fs");
const path = require("path");

const TOOLS = new Set(["plan-summary", "synth-diff"]);
const root = path.resolve(__dirname, "..");
const name = process.argv[2];
if (!TOOLS.has(name)) {
  process.stderr.write(`usage: node tools/run.js <${[...TOOLS].join("|")}> [args...]\n`);
  process.exit(1);
}

function stamp() {
  const entries = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) {
        const st = fs.statSync(full);
        entries.push(`${path.relative(root, full)}:${st.mtimeMs}:${st.size}`);
      }
    }
  };
  walk(__dirname);
  return entries.sort().join("\n");
}

const outFile = path.join(root, ".build", "tools", `${name}.js`);
const stampFile = `${outFile}.stamp`;
const current = stamp();
if (!fs.existsSync(outFile) || !fs.existsSync(stampFile) || fs.readFileSync(stampFile, "utf8") !== current) {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  require("esbuild").buildSync({
    entryPoints: [path.join(__dirname, `${name}.ts`)],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "inline",
    logLevel: "error",
  });
  fs.writeFileSync(stampFile, current);
}
require(outFile).run(process.argv.slice(3));
