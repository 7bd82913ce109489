#!/usr/bin/env node
/*
 * `npm run setup`: the install step of the README's two set-up commands
 * (`npm run setup && npm run synth`, `npm run setup && npm test`). It runs `npm ci` unless
 * node_modules already holds exactly what package-lock.json pins, so that the second command after the
 * first installs nothing (npm ci always deletes node_modules and installs again, about 45 s), while
 * each command alone still installs on a fresh clone. It needs no dependency: plain Node and npm.
 *
 *   npm run setup [-- npm-ci-options]   e.g. npm run setup -- --ignore-scripts
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

/**
 * Why node_modules under `root` is not what the lockfile pins, or undefined when it is. npm writes
 * `node_modules/.package-lock.json` (its "hidden lockfile") on every install: the packages it
 * installed, with their versions and integrity. Up to date means: package.json's dependencies are the
 * lockfile's, every installed package is the locked one, and every locked package is installed but the
 * optional ones another platform needs (esbuild's binaries for other systems).
 */
function staleReason(root) {
  const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));
  let installed;
  try {
    installed = read("node_modules/.package-lock.json").packages ?? {};
  } catch {
    return "no node_modules (or no record of an npm install in it)";
  }
  const manifest = read("package.json");
  const lock = read("package-lock.json").packages ?? {};
  const same = (a, b) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
  for (const key of ["dependencies", "devDependencies"])
    if (!same(manifest[key], lock[""]?.[key])) return `package.json's ${key} differ from package-lock.json's (npm ci will say how)`;
  for (const [name, entry] of Object.entries(installed)) {
    const locked = lock[name];
    if (!locked) return `${name} is installed but not locked`;
    if (locked.version !== entry.version || locked.integrity !== entry.integrity)
      return `${name} is ${entry.version}, locked ${locked.version}`;
  }
  for (const [name, locked] of Object.entries(lock)) {
    if (name === "" || name in installed || locked.optional) continue;
    return `${name} is locked but not installed`;
  }
  return undefined;
}

function main(args) {
  const root = path.resolve(__dirname, "..");
  const reason = staleReason(root);
  if (reason === undefined) {
    process.stdout.write("setup: node_modules matches package-lock.json; nothing to install\n");
    return 0;
  }
  process.stdout.write(`setup: ${reason}: npm ci\n`);
  const npm = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath]]
    : [process.platform === "win32" ? "npm.cmd" : "npm", []];
  const r = spawnSync(npm[0], [...npm[1], "ci", "--no-audit", "--no-fund", ...args], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { staleReason };
