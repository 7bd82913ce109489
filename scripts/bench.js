#!/usr/bin/env node
/*
 * Synth benchmark: the cdktf template default (`npx ts-node main.ts`) against `npm run synth`
 * (esbuild bundle, rebuilt only on a source change), both after a source edit and in steady state.
 * Prints medians, the ratio and peak memory (max RSS, from GNU time); then, in the same run, the scale
 * benchmark (scripts/bench-scale.js: Service against the plain provider classes at 100, 1,000 and
 * 3,000 services). Usage: npm run bench [-- runs] [--no-scale]
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const edited = path.join(root, "config", "environments.ts");

function run(cmd, args, outdir) {
  const env = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  const started = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ["-f", "__RSS__ %M", cmd, ...args], { cwd: root, env, encoding: "utf8" })
    : spawnSync(cmd, args, { cwd: root, env, encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  const rss = /__RSS__ (\d+)/.exec(r.stderr ?? "");
  const stacks = fs.readdirSync(path.join(outdir, "stacks")).length;
  return { seconds, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, stacks };
}

function touch() {
  const now = new Date();
  fs.utimesSync(edited, now, now);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, cmd, args, { edit }) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  run(cmd, args, outdir); // warm the OS file cache and the build cache
  const samples = [];
  for (let i = 0; i < runs; i++) {
    if (edit) touch();
    samples.push(run(cmd, args, outdir));
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return {
    label,
    seconds: median(samples.map((s) => s.seconds)),
    rssMiB: Math.max(...samples.map((s) => s.rssMiB)),
    stacks: samples[0].stacks,
  };
}

// Users synthesize with Terraform on PATH, and cdktf checks its version during synth: a bench without
// it would time a synth users never run.
const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
if (terraform.status !== 0) {
  console.error("npm run bench needs terraform on PATH (cdktf checks its version during synth, as users run it)");
  process.exit(1);
}
const terraformVersion = /Terraform v(\S+)/.exec(terraform.stdout)?.[1] ?? "unknown";

const results = [
  measure("template default: npx ts-node main.ts, after a source edit", "npx", ["ts-node", "main.ts"], { edit: true }),
  measure("template default: npx ts-node main.ts, steady state", "npx", ["ts-node", "main.ts"], { edit: false }),
  measure("npm run synth, after a source edit", "npm", ["run", "--silent", "synth"], { edit: true }),
  measure("npm run synth, steady state", "npm", ["run", "--silent", "synth"], { edit: false }),
  measure("node scripts/synth.js (what cdktf.json's app runs), steady state", "node", ["scripts/synth.js"], { edit: false }),
];

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(`synth benchmark: ${runs} runs each, median wall time; ${os.cpus().length} cores (${cpu}), Node ${process.version}`);
console.log(`stacks synthesized per run: ${results[0].stacks}; Terraform ${terraformVersion} on PATH`);
console.log("");
console.log("| command | median s | peak RSS MiB |");
console.log("|---|---:|---:|");
for (const r of results)
  console.log(`| ${r.label} | ${r.seconds.toFixed(3)} | ${Number.isNaN(r.rssMiB) ? "n/a (no /usr/bin/time)" : r.rssMiB.toFixed(0)} |`);
console.log("");
console.log(`ratio after a source edit (ts-node / npm run synth): ${(results[0].seconds / results[2].seconds).toFixed(1)}x`);
console.log(`ratio steady state (ts-node / npm run synth): ${(results[1].seconds / results[3].seconds).toFixed(1)}x`);
console.log(
  `ratio steady state (ts-node / node scripts/synth.js): ${(results[1].seconds / results[4].seconds).toFixed(1)}x (target >= 10x)`,
);
console.log(`all stacks steady state via node scripts/synth.js: ${results[4].seconds.toFixed(3)} s (target < 0.5 s)`);
console.log(`all stacks steady state via npm run synth: ${results[3].seconds.toFixed(3)} s (target < 0.5 s)`);
// npm's own start-up, part of every `npm run` figure: `npm run` of a script that does nothing.
const noopDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-npm-noop-"));
fs.writeFileSync(
  path.join(noopDir, "package.json"),
  JSON.stringify({ name: "noop", version: "1.0.0", private: true, scripts: { noop: "true" } }),
);
const noop = [];
for (let i = 0; i < runs; i++) {
  const t = process.hrtime.bigint();
  spawnSync("npm", ["run", "--silent", "noop"], { cwd: noopDir });
  noop.push(Number(process.hrtime.bigint() - t) / 1e9);
}
fs.rmSync(noopDir, { recursive: true, force: true });
noop.sort((a, b) => a - b);
console.log(`npm's own start-up (npm run of a no-op script), median: ${noop[Math.floor(noop.length / 2)].toFixed(3)} s`);

if (!process.argv.includes("--no-scale")) {
  console.log("");
  const scale = spawnSync("node", [path.join(__dirname, "bench-scale.js")], { cwd: root, stdio: "inherit" });
  process.exitCode = scale.status ?? 1;
}
