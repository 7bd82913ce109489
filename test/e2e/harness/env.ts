import { existsSync, readFileSync } from "fs";
import { homedir } from "os";
import { join, resolve } from "path";

/**
 * The provider the suite runs: the stacks require "~> 4.6.0" (lib/docker.ts); the bootstrap's mirror
 * holds its build under the label 4.6.0, a registry gives the newest 4.6.x.
 */
export const PROVIDER_ADDRESS = "registry.terraform.io/kreuzwerker/docker";
export const PROVIDER_VERSION = "4.6.0";
export const PROVIDER_VERSION_PATTERN = /v4\.6\.\d+/;
/** The engine the suite deploys to; stacks get it through their normal `docker_host` variable. */
export const DOCKER_HOST = "unix:///var/run/docker.sock";

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");

/** The engines the project runs on; `TERRAFORM_BINARY_NAME` picks one, as it does for the cdktf CLI. */
export type Engine = "terraform" | "tofu";

/**
 * The engine binary: `TERRAFORM_BINARY_NAME` (cdktf's own setting, so the CLI and the suite run the
 * same binary), `terraform` when unset. Anything else is refused rather than run.
 */
export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): Engine {
  const v = env.TERRAFORM_BINARY_NAME;
  if (v === undefined || v === "" || v === "terraform") return "terraform";
  if (v === "tofu") return "tofu";
  throw new Error(`TERRAFORM_BINARY_NAME must be "terraform" or "tofu", got "${v}"`);
}

/** Where the provider comes from: the bootstrap's filesystem mirror (default) or the public registry. */
export type ProviderSource = "mirror" | "registry";

/** Everything the test files need, written by the global setup to `<work dir>/e2e-config.json`. */
export interface E2eConfig {
  readonly workDir: string;
  /** Synth output (`CDKTF_OUTDIR`): `<outDir>/stacks/<stack>/cdk.tf.json`. */
  readonly outDir: string;
  readonly providerSource: ProviderSource;
  /** TF_CLI_CONFIG_FILE for the mirror; undefined with the registry (the user's own CLI config applies). */
  readonly cliConfigFile?: string;
  readonly provenance: string;
  /** Connection string of the throwaway PostgreSQL for the `pg` backend. */
  readonly pgConnStr?: string;
  /** A non-loopback IPv4 address of this machine (published-port binding checks), if any. */
  readonly externalAddress?: string;
  readonly hostCpus: number;
  readonly dockerServerVersion: string;
  /** Fake Jessy checkout (the `jessy_source_path` of jessy-dev). */
  readonly jessySourcePath: string;
  /** Run the dockerd restart fault (E2E_ENGINE_RESTART=0 turns it off on shared workstations). */
  readonly engineRestart: boolean;
}

export function providerSource(): ProviderSource {
  const v = (process.env.E2E_PROVIDER_SOURCE ?? "mirror").toLowerCase();
  if (v !== "mirror" && v !== "registry") throw new Error(`E2E_PROVIDER_SOURCE must be "mirror" or "registry", got "${v}"`);
  return v;
}

export function cacheDir(): string {
  return process.env.INFRA_CACHE_DIR ?? join(homedir(), ".cache", "z3-infra");
}

export function mirrorProviderBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return join(
    cacheDir(),
    "terraform-providers",
    PROVIDER_ADDRESS,
    PROVIDER_VERSION,
    `linux_${arch}`,
    `terraform-provider-docker_v${PROVIDER_VERSION}`,
  );
}

/**
 * Why the real-engine tests cannot run here, or undefined. The global setup fails the whole suite
 * with it: nothing is ever skipped.
 */
export function missingProvider(): string | undefined {
  if (providerSource() === "registry") return undefined;
  const bin = mirrorProviderBinary();
  if (!existsSync(bin)) {
    return `kreuzwerker/docker ${PROVIDER_VERSION} is not in the provider mirror (${bin}): run scripts/bootstrap-engine.sh, which builds it from the Go module proxy, or set E2E_PROVIDER_SOURCE=registry where the Terraform registry is reachable`;
  }
  if (!existsSync(join(cacheDir(), "terraformrc")))
    return `no Terraform CLI config at ${join(cacheDir(), "terraformrc")} (run scripts/bootstrap-engine.sh)`;
  return undefined;
}

export function provenance(): string {
  if (providerSource() === "registry") return `kreuzwerker/docker 4.6.x from the Terraform registry (terraform init downloads it)`;
  const info = join(cacheDir(), "provider-build-info.txt");
  const text = existsSync(info) ? readFileSync(info, "utf8").trim() : "(no provider-build-info.txt)";
  return `kreuzwerker/docker ${PROVIDER_VERSION} from the filesystem mirror ${join(cacheDir(), "terraform-providers")}\n${text.replace(/^/gm, "    ")}`;
}

const CONFIG_ENV = "E2E_CONFIG_FILE";

export function configFile(workDir: string): string {
  return join(workDir, "e2e-config.json");
}

export function announceConfig(path: string): void {
  process.env[CONFIG_ENV] = path;
}

/**
 * The global setup's configuration; throws when the suite runs without it. A lane gets a database of
 * its own on the suite's PostgreSQL (E2E_LANE_PG_CONN_STR, set by scripts/e2e-lanes.js): Terraform's
 * pg backend takes one database-wide advisory lock to create a workspace and briefly to lock any, so
 * stacks of different schemas in one database refuse each other's plans while one is created.
 */
export function loadConfig(): E2eConfig {
  const path = process.env[CONFIG_ENV];
  if (!path || !existsSync(path)) throw new Error("the e2e global setup did not run (use npm run test:e2e)");
  const config = JSON.parse(readFileSync(path, "utf8")) as E2eConfig;
  return process.env.E2E_LANE_PG_CONN_STR ? { ...config, pgConnStr: process.env.E2E_LANE_PG_CONN_STR } : config;
}
