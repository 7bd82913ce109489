#!/usr/bin/env node
/*
 * Fast synth: bundles main.ts and its dependencies with esbuild (no type-check; `npm run typecheck`
 * and the tests do that; the settings need none: config/settings.ts parses them strictly at start-up)
 * into .build/main.js, rebuilt only when a source file changed, then runs it in this process.
 * `npm run synth` and cdktf.json's `app` (used by `cdktf deploy|diff|list`) both come through here;
 * the arguments (`--stack`, `--verbose`, `--app`) are main.ts's.
 *
 * The bundle has a source map (.build/main.js.map). It is read only when the app fails with an
 * error it did not expect (a bug in stack code): the error's stack then names the TypeScript sources
 * (`stacks/z3/zcash-stack.ts:24:…`), not the bundle (`.build/main.js:60197:…`). A run that succeeds
 * never reads it.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { bundleIfStale } = require("./bundle");

const root = path.resolve(__dirname, "..");
// Everything the app can import: the whole tree but tests, outputs and dependencies (the lockfile
// stands for those).
const SKIP = new Set(["node_modules", "cdktf.out", ".build", ".git", "test", "coverage", ".github"]);

/** Bundles `entry` into `outFile` unless it is current; a rebuilt bundle drops its stale code cache. */
function ensureBuilt(entry, outFile) {
  const codeCacheFile = outFile.replace(/\.js$/, ".v8cache");
  // A bundle built before it had a source map (or by an older version of this script) is rebuilt.
  if (!fs.existsSync(`${outFile}.map`)) fs.rmSync(`${outFile}.stamp`, { force: true });
  const rebuilt = bundleIfStale({
    root,
    entry,
    outFile,
    watchDir: root,
    skip: SKIP,
    extraFiles: [path.join(root, "package-lock.json"), path.join(__dirname, "synth.js"), path.join(__dirname, "bundle.js")],
    // The framework and the provider bindings are bundled too: one file to compile instead of a few
    // hundred modules to resolve and load is most of the start-up time saved. The map is a separate
    // file: V8 compiles the bundle without parsing it.
    sourcemap: true,
  });
  if (rebuilt) fs.rmSync(codeCacheFile, { force: true });
  return codeCacheFile;
}

/**
 * Runs the bundle as a CommonJS module with a V8 code cache: the first run after a build stores the
 * compiled code (functions included) at exit, later runs skip most of the compilation. A cache V8
 * rejects (another Node version) is simply rewritten.
 */
function runBundle(outFile, codeCacheFile) {
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

/**
 * `stack` with every `<outFile>:line:column` replaced by the source position the map gives
 * (`stacks/z3/zcash-stack.ts:24:5`, relative to the working directory); positions the map does not
 * cover are left as they are. Node applies source maps only to modules it loads itself, and the
 * bundle runs through `vm` (for the code cache), so the mapping is done here.
 */
function mapStack(stack, outFile) {
  let map;
  try {
    const { SourceMap } = require("module");
    map = new SourceMap(JSON.parse(fs.readFileSync(`${outFile}.map`, "utf8")));
  } catch {
    return stack;
  }
  const escaped = outFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return stack.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, "g"), (whole, line, column) => {
    // V8 counts lines and columns from 1; source maps from 0.
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || entry.originalSource === undefined) return whole;
    const source = path.resolve(path.dirname(outFile), entry.originalSource.replace(/^file:\/\//, ""));
    return `${path.relative(process.cwd(), source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** Bundles and runs `entry`; an error the app throws is printed with its stack mapped to the sources, exit code 1. */
function main(entry = path.join(root, "main.ts"), outFile = path.join(root, ".build", "main.js")) {
  // cdktf captures an unlimited stack trace onto a plain object for every token it creates (used only
  // to explain a token that fails to resolve), a large share of synth time. Those captures are skipped;
  // real Error objects keep their stack traces.
  const captureStackTrace = Error.captureStackTrace;
  Error.captureStackTrace = (target, below) => {
    if (target instanceof Error) captureStackTrace(target, below);
    else target.stack = "";
  };
  const codeCacheFile = ensureBuilt(entry, outFile);
  try {
    runBundle(outFile, codeCacheFile);
  } catch (error) {
    const text = error instanceof Error && typeof error.stack === "string" ? error.stack : String(error);
    process.stderr.write(`${mapStack(text, outFile)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();

module.exports = { main, mapStack };
