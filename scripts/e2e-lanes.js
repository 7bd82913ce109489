#!/usr/bin/env node
/*
 * The real-engine suite in lanes (`npm run test:e2e`): the global setup once (images, synth,
 * PostgreSQL), then every lane of test/e2e/lanes.js at the same time, each a jest process running its
 * files one after another, then the `alone` files one at a time, then the global teardown. Prints the
 * wall time of every lane and file and the critical path; fails when any file fails or skips a test.
 *
 * Usage: npm run test:e2e [-- [--ci] [<file filter>...]]
 *   A filter (e.g. `01` or `zcash-dev`) keeps the files whose name contains it, in their lanes.
 * Each lane's output goes to <work dir>/lane-<name>.log and, prefixed with the lane, to stdout.
 */
"use strict";
const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const e2eDir = path.join(root, "test", "e2e");
const { lanes, alone, claimProblems } = require(path.join(e2eDir, "lanes.js"));

/** Every e2e file, without its suffix. */
const e2eFiles = () =>
  fs
    .readdirSync(e2eDir)
    .filter((f) => f.endsWith(".e2e.test.ts"))
    .map((f) => f.replace(/\.e2e\.test\.ts$/, ""));

const args = process.argv.slice(2);
const jestFlags = args.filter((a) => a.startsWith("--"));
const filters = args.filter((a) => !a.startsWith("--"));
const keep = (f) => filters.length === 0 || filters.some((x) => f.includes(x));

const secondsSince = (t) => Math.round((Date.now() - t) / 100) / 10;

/** Runs one jest process on `files`; resolves with its exit code and wall time. Output to `log` and, prefixed, to stdout. */
function runJest(label, files, env, log) {
  return new Promise((resolve) => {
    const started = Date.now();
    const out = fs.createWriteStream(log);
    const child = spawn(
      process.execPath,
      [
        require.resolve("jest/bin/jest"),
        "-c",
        "jest.e2e.config.js",
        "--runInBand",
        ...jestFlags,
        ...files.map((f) => `test/e2e/${f}.e2e.test.ts`),
      ],
      {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let pending = "";
    const relay = (chunk) => {
      out.write(chunk);
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) process.stdout.write(`[${label}] ${line}\n`);
    };
    child.stdout.on("data", relay);
    child.stderr.on("data", relay);
    child.on("close", (code) => {
      if (pending) process.stdout.write(`[${label}] ${pending}\n`);
      out.end();
      resolve({ code: code ?? 1, seconds: secondsSince(started) });
    });
  });
}

/** Creates the lane's state database next to the suite's (the role needs CREATEDB) and returns its connection string. */
function laneDatabase(connStr, lane) {
  const url = new URL(connStr);
  const name = `${url.pathname.slice(1)}_${lane.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;
  const exists = spawnSync("psql", [connStr, "-At", "-c", `SELECT 1 FROM pg_database WHERE datname = '${name}'`], { encoding: "utf8" });
  if (exists.status !== 0) throw new Error(`psql against the suite's PostgreSQL failed: ${exists.stderr}`);
  if (exists.stdout.trim() !== "1") {
    const created = spawnSync("psql", [connStr, "-v", "ON_ERROR_STOP=1", "-q", "-c", `CREATE DATABASE ${name}`], { encoding: "utf8" });
    if (created.status !== 0) throw new Error(`cannot create the lane database ${name} (the role needs CREATEDB): ${created.stderr}`);
  }
  url.pathname = `/${name}`;
  return url.toString();
}

async function main() {
  const problems = claimProblems(e2eFiles());
  if (problems.length > 0) {
    console.error(`e2e lanes: ${problems.join("; ")}`);
    return 2;
  }
  const selected = lanes.map((l) => ({ ...l, files: l.files.filter(keep) })).filter((l) => l.files.length > 0);
  const selectedAlone = alone.filter((a) => keep(a.file));
  if (selected.length === 0 && selectedAlone.length === 0) {
    console.error(`e2e lanes: no file matches ${filters.join(", ")}`);
    return 2;
  }

  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  const started = Date.now();
  process.env.E2E_STARTED_AT = String(started);
  let ok = false;
  const results = [];
  try {
    await require(path.join(e2eDir, "global-setup.ts")).default();
    const setupSeconds = secondsSince(started);
    const workDir = process.env.E2E_WORK_DIR;
    // Lanes find the setup's configuration through the environment and skip the setup and teardown;
    // each gets a state database of its own (harness/env.ts, loadConfig, says why).
    const config = JSON.parse(fs.readFileSync(process.env.E2E_CONFIG_FILE, "utf8"));
    const env = (name) => ({
      ...process.env,
      E2E_SHARED_SETUP: "1",
      E2E_LANE: name,
      E2E_FIGURES_FILE: path.join(workDir, `figures-${name}.json`),
      ...(config.pgConnStr ? { E2E_LANE_PG_CONN_STR: laneDatabase(config.pgConnStr, name) } : {}),
    });
    console.log(
      `e2e: setup ${setupSeconds}s; ${selected.length} lanes in parallel (${selected.map((l) => `${l.name}: ${l.files.join(" → ")}`).join("; ")}), then alone: ${selectedAlone.map((a) => a.file).join(", ") || "none"}`,
    );
    const laneResults = await Promise.all(
      selected.map((l) =>
        runJest(l.name, l.files, env(l.name), path.join(workDir, `lane-${l.name}.log`)).then((r) => ({
          name: l.name,
          files: l.files,
          ...r,
        })),
      ),
    );
    results.push(...laneResults);
    const aloneResults = [];
    for (const a of selectedAlone) {
      const r = await runJest(a.file, [a.file], env(a.file), path.join(workDir, `lane-${a.file}.log`));
      aloneResults.push({ name: a.file, files: [a.file], ...r });
    }
    results.push(...aloneResults);
    ok = results.every((r) => r.code === 0);
    process.env.E2E_RUN_OK = ok ? "1" : "0";
    printSummary(workDir, setupSeconds, laneResults, aloneResults, started);
  } finally {
    await require(path.join(e2eDir, "global-teardown.ts")).default();
  }
  console.log(
    ok
      ? "E2E PASSED (every lane)"
      : `E2E FAILED: ${results
          .filter((r) => r.code !== 0)
          .map((r) => r.name)
          .join(", ")}`,
  );
  return ok ? 0 : 1;
}

/** Merges the lanes' figures into figures.json and prints lane, file and critical-path times. */
function printSummary(workDir, setupSeconds, laneResults, aloneResults, started) {
  const merged = {};
  for (const f of fs
    .readdirSync(workDir)
    .filter((f) => /^figures.*\.json$/.test(f) && f !== "figures.json")
    .concat(["figures.json"])) {
    const file = path.join(workDir, f);
    if (!fs.existsSync(file)) continue;
    for (const [section, values] of Object.entries(JSON.parse(fs.readFileSync(file, "utf8"))))
      merged[section] = { ...(merged[section] ?? {}), ...values };
  }
  fs.writeFileSync(path.join(workDir, "figures.json"), JSON.stringify(merged, null, 2));
  const fileSeconds = merged["e2e files (s)"] ?? {};
  console.log("\n==== e2e lanes ====");
  console.log("| lane | files (s) | wall s | exit |");
  console.log("|---|---|---:|---:|");
  for (const r of [...laneResults, ...aloneResults]) {
    console.log(`| ${r.name} | ${r.files.map((f) => `${f} ${fileSeconds[f] ?? "?"}`).join(", ")} | ${r.seconds} | ${r.code} |`);
  }
  const longest = laneResults.reduce((a, b) => (b.seconds > (a?.seconds ?? -1) ? b : a), undefined);
  const aloneTotal = aloneResults.reduce((s, r) => s + r.seconds, 0);
  console.log(
    `critical path: setup ${setupSeconds}s + lane ${longest ? `${longest.name} ${longest.seconds}s` : "none"} + alone ${Math.round(aloneTotal * 10) / 10}s; total ${secondsSince(started)}s` +
      ` (the files one after another would take ${Math.round(Object.values(fileSeconds).reduce((s, v) => s + Number(v), 0))}s)`,
  );
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`e2e lanes: ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  },
);
