import { cpSync, mkdtempSync, writeFileSync } from "fs";
import { networkInterfaces, tmpdir, cpus } from "os";
import { join } from "path";
import {
  announceConfig,
  configFile,
  E2eConfig,
  cacheDir,
  engineFromEnv,
  provenance,
  missingProvider,
  providerSource,
  REPO_ROOT,
} from "./harness/env";
import { say, setLogFile } from "./harness/log";
import { run, runOk } from "./harness/process";
import { record, seconds } from "./harness/report";
import { startPostgres } from "./harness/postgres";
import { ZEBRA_STANDIN_RELEASES } from "./harness/zebra";

/**
 * Runs once before the e2e files: fails the suite when the provider is missing (nothing is ever
 * skipped), builds the stand-in images, writes the fake Jessy checkout, synthesizes every stack into
 * a temporary CDKTF_OUTDIR and starts the throwaway PostgreSQL for the pg backend.
 */
export default async function globalSetup(): Promise<void> {
  // A lane of scripts/e2e-lanes.js: the runner did the setup once for every lane.
  if (process.env.E2E_SHARED_SETUP === "1") return;
  const started = Date.now();
  process.env.E2E_STARTED_AT = String(started);
  const missing = missingProvider();
  if (missing) throw new Error(`the real-engine suite cannot run: ${missing}`);

  if (process.env.E2E_WORK_DIR) process.env.E2E_WORK_DIR_GIVEN = "1";
  const workDir = process.env.E2E_WORK_DIR ?? mkdtempSync(join(tmpdir(), "z3-e2e-"));
  process.env.E2E_WORK_DIR = workDir;
  setLogFile(join(workDir, "e2e.log"));
  say(`work directory ${workDir} (log: ${join(workDir, "e2e.log")})`);

  const engine = engineFromEnv();
  // With the CLI configuration the suite uses: OpenTofu prints a warning about a missing one on stdout.
  const cliConfig = providerSource() === "mirror" ? { TF_CLI_CONFIG_FILE: join(cacheDir(), "terraformrc") } : {};
  const tfVersion = await run(engine, ["version", "-json"], { timeoutMs: 30_000, env: { ...process.env, ...cliConfig } });
  if (tfVersion.code !== 0) throw new Error(`${engine} is not on PATH${engine === "tofu" ? " (run scripts/bootstrap-tofu.sh)" : ""}`);
  const dockerVersion = await run("docker", ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"], {
    timeoutMs: 30_000,
  });
  if (dockerVersion.code !== 0)
    throw new Error(`the Docker daemon does not answer (run scripts/bootstrap-engine.sh): ${dockerVersion.stderr.trim()}`);
  say(`${engine} ${JSON.parse(tfVersion.stdout).terraform_version}, Docker Engine ${dockerVersion.stdout.trim()}, ${cpus().length} CPUs`);
  say(`provider: ${provenance()}`);

  let t = Date.now();
  const build = await runOk("bash", ["scripts/build-standins-e2e.sh"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ZEBRA_STANDIN_RELEASES: ZEBRA_STANDIN_RELEASES.join(" ") },
    timeoutMs: 15 * 60_000,
  });
  say(`stand-in images built in ${seconds(Date.now() - t)}s:\n${build.stdout.trim()}`);
  record("run", "stand-in build s", seconds(Date.now() - t));
  // PostgreSQL, nginx, Prometheus and Alertmanager from Debian's packages (debootstrap bases cached
  // under the cache directory; minutes cold, seconds warm).
  t = Date.now();
  const real = await runOk("bash", ["scripts/build-real-images.sh"], { cwd: REPO_ROOT, timeoutMs: 20 * 60_000 });
  say(`real-program images built in ${seconds(Date.now() - t)}s:
${real.stdout.trim().split("\n").slice(-12).join("\n")}`);
  record("run", "real-program images build s", seconds(Date.now() - t));

  const jessySourcePath = join(workDir, "jessy-source");
  cpSync(join(REPO_ROOT, "e2e", "standins", "jessy-source"), jessySourcePath, { recursive: true });

  t = Date.now();
  const outDir = join(workDir, "cdktf.out");
  await runOk("node", ["scripts/synth.js"], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outDir },
    timeoutMs: 10 * 60_000,
    quiet: true,
  });
  say(`synthesized every stack into ${outDir} in ${seconds(Date.now() - t)}s`);
  record("run", "synth s", seconds(Date.now() - t));

  // An existing PostgreSQL (E2E_PG_CONN_STR, e.g. on a workstation without root), or a throwaway one.
  let pgConnStr = process.env.E2E_PG_CONN_STR;
  if (pgConnStr) {
    say("pg backend: the PostgreSQL in E2E_PG_CONN_STR");
  } else {
    const pg = await startPostgres(workDir);
    process.env.E2E_PG_DATA_DIR = pg.dataDir;
    process.env.E2E_PG_BIN_DIR = pg.binDir;
    pgConnStr = pg.connStr;
  }

  const config: E2eConfig = {
    workDir,
    outDir,
    providerSource: providerSource(),
    cliConfigFile: providerSource() === "mirror" ? join(cacheDir(), "terraformrc") : undefined,
    provenance: provenance(),
    pgConnStr,
    externalAddress: externalAddress(),
    hostCpus: cpus().length,
    dockerServerVersion: dockerVersion.stdout.trim(),
    jessySourcePath,
    engineRestart: process.env.E2E_ENGINE_RESTART !== "0",
  };
  writeFileSync(configFile(workDir), JSON.stringify(config, null, 2));
  announceConfig(configFile(workDir));
  record("run", "setup s", seconds(Date.now() - started));
}

/** The machine's first non-loopback IPv4 address outside Docker's bridges. */
function externalAddress(): string | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|lo)/.test(name)) continue;
    const a = (addrs ?? []).find((x) => x.family === "IPv4" && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}
