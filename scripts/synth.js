#!/usr/bin/env node
/*
 * Fast synth: bundles main.ts and its dependencies with esbuild (no type-check; `npm run typecheck`
 * and the tests do that; the settings need none: config/settings.ts parses them strictly at start-up)
 * into .build/main.js, rebuilt only when a source file changed, then runs it in this process.
 * `npm run synth` and cdktf.json's `app` (used by `cdktf deploy|diff`) both come through here.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { bundleIfStale } = require("./bundle");

const root = path.resolve(__dirname, "..");
const outFile = path.join(root, ".build", "main.js");
const codeCacheFile = path.join(root, ".build", "main.v8cache");
// Everything the app can import: the whole tree but tests, outputs and dependencies (the lockfile
// stands for those).
const SKIP = new Set(["node_modules", "cdktf.out", ".build", ".git", "test", "coverage", ".github"]);

function ensureBuilt() {
  const rebuilt = bundleIfStale({
    root,
    entry: path.join(root, "main.ts"),
    outFile,
    watchDir: root,
    skip: SKIP,
    extraFiles: [path.join(root, "package-lock.json")],
    // The framework and the provider bindings are bundled too: one file to compile instead of a few
    // hundred modules to resolve and load is most of the start-up time saved.
    sourcemap: false,
  });
  if (rebuilt) fs.rmSync(codeCacheFile, { force: true });
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
