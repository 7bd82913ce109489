#!/usr/bin/env node
/*
 * Scale benchmark: the cost of the construct library (Service, Volume, Network, ContainerImage)
 * against the generated provider classes it wraps, for N services in one stack. Each run is a fresh
 * process of scripts/bench-scale-probe.ts (bundled with esbuild into .build/, rebuilt only when lib/
 * or the probe changes) under GNU time for peak memory; the variants alternate. Before measuring,
 * the probe's --check confirms that both variants synthesize the same Terraform JSON at N=2.
 *
 * Usage: npm run bench:scale [-- [--runs R] [--no-token-traces] [N ...]]   (defaults: N = 100 1000 3000, R = 3)
 * --no-token-traces runs both variants the way scripts/synth.js runs the app: without the stack
 * trace cdktf captures for every token (by default they are captured, as plain cdktf does).
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { bundleIfStale } = require("./bundle");

const root = path.resolve(__dirname, "..");
const probeSource = path.join(root, "scripts", "bench-scale-probe.ts");
const probe = path.join(root, ".build", "bench-scale-probe.js");
const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const DEFAULT_RUNS = 3;

function parseArgs(argv) {
  let runs = DEFAULT_RUNS;
  let tokenTraces = true;
  const sizes = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") runs = Number(argv[++i]);
    else if (argv[i] === "--no-token-traces") tokenTraces = false;
    else sizes.push(Number(argv[i]));
  }
  const bad = [runs, ...sizes].filter((x) => !(Number.isInteger(x) && x > 0));
  if (bad.length > 0) {
    console.error("usage: npm run bench:scale [-- [--runs R] [--no-token-traces] [N ...]]  (positive integers)");
    process.exit(2);
  }
  return { runs, tokenTraces, sizes: sizes.length > 0 ? sizes : [100, 1000, 3000] };
}

function node(args, { allowFailure = false } = {}) {
  const env = { ...process.env, CHECKPOINT_DISABLE: "1" };
  const started = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ["-f", "__RSS__ %M %U %S", process.execPath, probe, ...args], {
        cwd: root,
        env,
        encoding: "utf8",
        maxBuffer: 64 << 20,
      })
    : spawnSync(process.execPath, [probe, ...args], { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0 && !allowFailure) throw new Error(`node ${probe} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rss = /__RSS__ (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: (r.stderr ?? "").replace(/^__RSS__ .*\n?/m, ""),
    seconds,
    rssMiB: rss ? Number(rss[1]) / 1024 : NaN,
    cpuSeconds: rss ? Number(rss[2]) + Number(rss[3]) : NaN,
  };
}

function measure(variant, n, tokenTraces) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-"));
  try {
    const r = node([variant, String(n), outdir, ...(tokenTraces ? [] : ["--no-token-traces"])]);
    const phases = JSON.parse(r.stdout.trim().split("\n").pop());
    return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, rssMiB: r.rssMiB, build: phases.build, synth: phases.synth };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function main() {
  const { runs, tokenTraces, sizes } = parseArgs(process.argv.slice(2));
  bundleIfStale({
    root,
    entry: probeSource,
    outFile: probe,
    watchDir: path.join(root, "lib"),
    extraFiles: [probeSource, path.join(root, "package-lock.json")],
  });

  const checked = node(["--check", "2"], { allowFailure: true });
  if (checked.status !== 0) {
    process.stderr.write(checked.stdout + checked.stderr);
    console.error("bench:scale: aborted, the two variants do not synthesize the same JSON");
    process.exit(1);
  }
  process.stdout.write(checked.stdout);

  // Warm the OS file cache (bundle, node binary) before the first measured run.
  measure("plain", sizes[0], tokenTraces);
  measure("service", sizes[0], tokenTraces);

  const rows = [];
  for (const n of sizes) {
    const r = runs;
    const samples = { plain: [], service: [] };
    for (let i = 0; i < r; i++) {
      // Alternate, and swap which goes first each round, so drift hits both variants alike.
      const order = i % 2 === 0 ? ["plain", "service"] : ["service", "plain"];
      for (const variant of order) samples[variant].push(measure(variant, n, tokenTraces));
    }
    const summary = (xs) => ({
      seconds: median(xs.map((x) => x.seconds)),
      cpuSeconds: median(xs.map((x) => x.cpuSeconds)),
      rssMiB: median(xs.map((x) => x.rssMiB)),
      rssMaxMiB: Math.max(...xs.map((x) => x.rssMiB)),
      build: median(xs.map((x) => x.build)),
      synth: median(xs.map((x) => x.synth)),
      inProcess: median(xs.map((x) => x.build + x.synth)),
    });
    rows.push({ n, runs: r, plain: summary(samples.plain), service: summary(samples.service) });
  }

  const cpuModel = os.cpus()[0]?.model ?? "unknown CPU";
  // Median of the runs' peaks; the largest too when one run stands out (GC timing under load).
  const mib = (r) =>
    Number.isNaN(r.rssMiB)
      ? "n/a"
      : r.rssMaxMiB > r.rssMiB * 1.1
        ? `${r.rssMiB.toFixed(0)} (max ${r.rssMaxMiB.toFixed(0)})`
        : r.rssMiB.toFixed(0);
  const cpu = (x) => (Number.isNaN(x) ? "n/a" : x.toFixed(2));
  const us = (s, n) => ((s / n) * 1e6).toFixed(0);
  console.log(`scale benchmark: Service (lib/) vs plain provider classes, one stack of N × (container + volume + network)`);
  console.log(
    `${os.cpus().length} cores (${cpuModel}), Node ${process.version}; probe: esbuild bundle ${path.relative(root, probe)}; fresh process per run, variants alternated; token stack traces ${tokenTraces ? "captured (cdktf default)" : "skipped (as scripts/synth.js)"}`,
  );
  console.log("");
  console.log(
    "| N | runs | plain median s | service median s | ratio | plain CPU s | service CPU s | CPU ratio | plain peak MiB | service peak MiB | plain µs/svc | service µs/svc |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const { n, runs: r, plain, service } of rows) {
    console.log(
      `| ${n} | ${r} | ${plain.seconds.toFixed(3)} | ${service.seconds.toFixed(3)} | ${(service.seconds / plain.seconds).toFixed(2)}x | ` +
        `${cpu(plain.cpuSeconds)} | ${cpu(service.cpuSeconds)} | ${Number.isNaN(plain.cpuSeconds) ? "n/a" : (service.cpuSeconds / plain.cpuSeconds).toFixed(2) + "x"} | ` +
        `${mib(plain)} | ${mib(service)} | ${us(plain.inProcess, n)} | ${us(service.inProcess, n)} |`,
    );
  }
  console.log("");
  console.log(
    "median s: wall time of the whole process (start-up, module load, build, synth, write). CPU s: median user + system time of that process",
  );
  console.log("(less sensitive to other load on the machine than wall time). peak MiB: median over the runs of each run's max RSS.");
  console.log("µs/svc: median in-process time (build + synth, start-up excluded) / N; flat across N means linear growth.");
  console.log("");
  console.log("in-process phases, medians in s (build = constructing the tree, synth = app.synth() incl. writing):");
  console.log("| N | plain build | plain synth | service build | service synth | start-up plain | start-up service |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const { n, plain, service } of rows) {
    console.log(
      `| ${n} | ${plain.build.toFixed(3)} | ${plain.synth.toFixed(3)} | ${service.build.toFixed(3)} | ${service.synth.toFixed(3)} | ` +
        `${(plain.seconds - plain.inProcess).toFixed(3)} | ${(service.seconds - service.inProcess).toFixed(3)} |`,
    );
  }
}

main();
