"use strict";
/*
 * Shared by the fast synth (scripts/synth.js) and the review tools' launcher (tools/run.js): bundle
 * a TypeScript entry point with esbuild, but only when a source file changed since the last bundle.
 */
const fs = require("fs");
const path = require("path");

/** path:mtime:size of every .ts file (not .d.ts) under `dir`, skipping `skip` names, plus `extraFiles`. */
function sourceStamp(root, dir, skip, extraFiles) {
  const entries = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const st = fs.statSync(full);
        entries.push(`${path.relative(root, full)}:${st.mtimeMs}:${st.size}`);
      }
    }
  };
  walk(dir);
  for (const file of extraFiles) {
    if (fs.existsSync(file)) entries.push(`${path.relative(root, file)}:${fs.statSync(file).mtimeMs}`);
  }
  return entries.sort().join("\n");
}

/**
 * Bundles `entry` into `outFile` (CommonJS, node20, dependencies included) unless the stamp of the
 * watched sources equals the one stored beside the bundle. Returns true when it rebuilt.
 */
function bundleIfStale({ root, entry, outFile, watchDir, skip = new Set(), extraFiles = [], sourcemap = false }) {
  const stampFile = `${outFile}.stamp`;
  const stamp = sourceStamp(root, watchDir, skip, extraFiles);
  if (fs.existsSync(outFile) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) return false;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  require("esbuild").buildSync({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap,
    logLevel: "error",
  });
  fs.writeFileSync(stampFile, stamp);
  return true;
}

module.exports = { bundleIfStale };
