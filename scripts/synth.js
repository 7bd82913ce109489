#!/usr/bin/env node
/*
 * Fast synth: bundles main.ts and its dependencies with esbuild (no type-check; `npm run typecheck`
 * and the tests do that) into .build/main.js, rebuilt only when a source file changed, then runs it in this process.
 * `npm run synth` and cdktf.json's `app` (used by `cdktf deploy|diff`) both come through here.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const outFile = path.join(root, ".build", "main.js");
const stampFile = path.join(root, ".build", "main.stamp");
const codeCacheFile = path.join(root, ".build", "main.v8cache");
const SKIP = new Set(["node_modules", "cdktf.out", ".build", ".git", "test", "coverage", ".github"]);

/** path:mtime:size of every TypeScript source the app can import, plus the lockfile (dependency changes). */
function sourceStamp() {
  const entries = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const st = fs.statSync(full);
        entries.push(`${path.relative(root, full)}:${st.mtimeMs}:${st.size}`);
      }
    }
  };
  walk(root);
  const lock = path.join(root, "package-lock.json");
  if (fs.existsSync(lock)) entries.push(`package-lock.json:${fs.statSync(lock).mtimeMs}`);
  return entries.sort().join("\n");
}

function ensureBuilt() {
  const stamp = sourceStamp();
  if (fs.existsSync(outFile) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) return false;
  const esbuild = require("esbuild");
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  esbuild.buildSync({
    entryPoints: [path.join(root, "main.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // The framework and the provider bindings are bundled too: one file to compile instead of a few
    // hundred modules to resolve and load is most of the start-up time saved.
    sourcemap: false,
    logLevel: "error",
  });
  fs.writeFileSync(stampFile, stamp);
  fs.rmSync(codeCacheFile, { force: true });
  return true;
}

/**
 * Runs the bundle as a CommonJS module with a V8 code cache: the first run after a build stores the
 * compiled code (functions included) at exit, later runs skip most of the compilation. A cache V8
 * rejects (another Node version) is simply rewritten.
 */
function runBundle() {
  const Module = require("module");
  const vm = require("vm");
  let cachedData;
  try {
    cachedData = fs.readFileSync(codeCacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(outFile, "utf8")), { filename: outFile, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        fs.writeFileSync(codeCacheFile, script.createCachedData());
      } catch {
        // A missing cache only costs time.
      }
    });
  }
  const bundle = new Module(outFile, module);
  bundle.filename = outFile;
  bundle.paths = Module._nodeModulePaths(path.dirname(outFile));
  script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(outFile), bundle, outFile, path.dirname(outFile));
}

// cdktf captures an unlimited stack trace onto a plain object for every token it creates (used only
// to explain a token that fails to resolve), a large share of synth time. Those captures are skipped;
// real Error objects keep their stack traces.
const captureStackTrace = Error.captureStackTrace;
Error.captureStackTrace = (target, below) => {
  if (target instanceof Error) captureStackTrace(target, below);
  else target.stack = "";
};

ensureBuilt();
runBundle();
