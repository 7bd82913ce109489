import { isImageReference, isPinnedImageReference } from "../lib/image-reference";
import { ENVIRONMENT_NAMES, EnvironmentName, EnvironmentSettings, ResourceLimits, Z3_SERVICE_NAMES } from "./types";
import { validateJessy } from "./jessy";
import { validateZfsSync } from "./zfs-sync";

/** One invalid setting: the environment, the setting's path, the bad value and what is allowed. */
export interface SettingsProblem {
  readonly environment: string;
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly SettingsProblem[]) {
    super(
      `Invalid environment settings (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - [${p.environment}] ${p.path}: got ${render(p.value)}; allowed: ${p.allowed}`).join("\n"),
    );
    this.name = "SettingsError";
  }
}

function render(value: unknown): string {
  if (value === undefined) return "(not set)";
  return JSON.stringify(value);
}

/** Collects problems for one environment; each system's validator adds to it. */
export class SettingsChecker {
  readonly problems: SettingsProblem[] = [];
  constructor(readonly environment: string) {}

  check(ok: boolean, path: string, value: unknown, allowed: string): void {
    if (!ok) this.problems.push({ environment: this.environment, path, value, allowed });
  }

  oneOf<T>(value: T, allowed: readonly T[], path: string): void {
    this.check(allowed.includes(value), path, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }

  boolean(value: unknown, path: string): void {
    this.check(typeof value === "boolean", path, value, "true or false");
  }

  positiveInteger(value: unknown, path: string, min = 1): void {
    this.check(typeof value === "number" && Number.isInteger(value) && value >= min, path, value, `an integer of at least ${min}`);
  }

  image(value: unknown, path: string, requirePinned: boolean): void {
    const ok = typeof value === "string" && (requirePinned ? isPinnedImageReference(value) : isImageReference(value));
    this.check(
      ok,
      path,
      value,
      requirePinned
        ? "an image reference pinned by a tag other than 'latest' or by @sha256 digest (this environment requires pinned images)"
        : "an image reference such as repo/name:tag or repo/name@sha256:<digest>",
    );
  }

  /** Limits are optional unless the environment requires them; when given they must be sane. */
  limits(value: ResourceLimits | undefined, path: string, required: boolean): void {
    if (required) {
      this.check(value?.memoryMiB !== undefined, `${path}.memoryMiB`, value?.memoryMiB, "a memory limit in MiB (this environment requires resource limits)");
      this.check(value?.cpus !== undefined, `${path}.cpus`, value?.cpus, "a CPU limit in cores (this environment requires resource limits)");
    }
    if (value?.memoryMiB !== undefined) this.positiveInteger(value.memoryMiB, `${path}.memoryMiB`, 6);
    if (value?.cpus !== undefined) {
      this.check(typeof value.cpus === "number" && value.cpus > 0 && value.cpus <= 256, `${path}.cpus`, value.cpus, "a number of cores above 0 and at most 256");
    }
  }
}

/** A system's settings validator; each system registers one here. */
export type SystemValidator = (settings: EnvironmentSettings, check: SettingsChecker) => void;

function validateCommon(s: EnvironmentSettings, c: SettingsChecker): void {
  c.oneOf(s.policyPack, ["baseline", "production"] as const, "policyPack");
  if (s.name === "production") {
    c.check(s.policyPack === "production", "policyPack", s.policyPack, '"production" in the production environment');
    c.check(s.protectData === true, "protectData", s.protectData, "true in the production environment");
    c.check(s.requireResourceLimits === true, "requireResourceLimits", s.requireResourceLimits, "true in the production environment");
    c.check(s.requirePinnedImages === true, "requirePinnedImages", s.requirePinnedImages, "true in the production environment");
    c.check(s.backend?.kind !== "local", "backend.kind", s.backend?.kind, '"pg" (a shared, locking backend) in the production environment');
  }
  c.oneOf(s.backend?.kind, ["local", "pg"] as const, "backend.kind");
  if (s.backend?.kind === "pg") {
    c.check(/^[a-z_][a-z0-9_]{0,62}$/.test(s.backend.schemaName ?? ""), "backend.schemaName", s.backend.schemaName, "a PostgreSQL schema name: lower-case letters, digits and '_'");
  }
  if (s.defaultDockerHost !== undefined) {
    c.check(/^(unix|tcp|ssh):\/\/.+/.test(s.defaultDockerHost), "defaultDockerHost", s.defaultDockerHost, "a unix://, tcp:// or ssh:// Docker host");
    c.check(s.name === "dev", "defaultDockerHost", s.defaultDockerHost, "unset outside dev (staging and production name their host at deploy time with docker_host)");
  }
  c.positiveInteger(s.logging?.maxSizeMiB, "logging.maxSizeMiB");
  c.positiveInteger(s.logging?.maxFiles, "logging.maxFiles");
  c.boolean(s.logging?.compress, "logging.compress");
}

function validateZ3(s: EnvironmentSettings, c: SettingsChecker): void {
  const z = s.z3;
  c.oneOf(z.network, ["Mainnet", "Testnet", "Regtest"] as const, "z3.network");
  c.boolean(z.rpcRouter, "z3.rpcRouter");
  c.boolean(z.monitoring, "z3.monitoring");
  c.boolean(z.publishP2P, "z3.publishP2P");
  if (z.rpcRouter) c.check(z.network === "Regtest", "z3.rpcRouter", z.rpcRouter, "false unless z3.network is \"Regtest\" (upstream runs the router on Regtest only; z3 issue #44)");
  if (z.network === "Regtest") {
    c.check(/^[a-zA-Z0-9]{20,100}$/.test(z.minerAddress ?? ""), "z3.minerAddress", z.minerAddress, "a transparent or unified Zcash address (required on Regtest)");
    c.check(z.publishP2P === false, "z3.publishP2P", z.publishP2P, "false on Regtest (a Regtest node has no peers)");
  } else {
    c.check(z.minerAddress === undefined, "z3.minerAddress", z.minerAddress, "unset unless z3.network is \"Regtest\"");
    c.check(z.zebraWaitSeconds === undefined, "z3.zebraWaitSeconds", z.zebraWaitSeconds, "unset unless z3.network is \"Regtest\" (a Mainnet or Testnet node is not ready for hours or days)");
  }
  if (z.zebraWaitSeconds !== undefined) c.positiveInteger(z.zebraWaitSeconds, "z3.zebraWaitSeconds", 10);
  c.check(typeof z.zebraRustLog === "string" && z.zebraRustLog.trim() !== "", "z3.zebraRustLog", z.zebraRustLog, "a non-empty RUST_LOG filter (empty ZEBRA_/RUST_ variables break Zebra's config parsing)");
  for (const name of Z3_SERVICE_NAMES) {
    c.image(z.images?.[name], `z3.images.${name}`, s.requirePinnedImages);
  }
  const deployed = Z3_SERVICE_NAMES.filter((n) => {
    if (n === "rpcRouter") return z.rpcRouter;
    if (n === "prometheus" || n === "grafana" || n === "alertmanager") return z.monitoring;
    return true;
  });
  for (const name of deployed) c.limits(z.resources?.[name], `z3.resources.${name}`, s.requireResourceLimits);
  for (const name of Object.keys(z.resources ?? {})) {
    c.check((Z3_SERVICE_NAMES as readonly string[]).includes(name), `z3.resources.${name}`, name, `a Z3 service: ${Z3_SERVICE_NAMES.join(", ")}`);
  }
}

/** Validators run for every environment; each system adds its own. */
export const SYSTEM_VALIDATORS: SystemValidator[] = [validateCommon, validateZ3, validateJessy, validateZfsSync];

/** Every problem of one environment's settings. */
export function settingsProblems(settings: EnvironmentSettings): SettingsProblem[] {
  const checker = new SettingsChecker(String(settings?.name ?? "unknown"));
  checker.oneOf(settings.name, ENVIRONMENT_NAMES, "name");
  for (const validate of SYSTEM_VALIDATORS) validate(settings, checker);
  return checker.problems;
}

/** Validates all environments and throws one SettingsError listing every problem at once. */
export function validateSettings(all: Readonly<Record<EnvironmentName, EnvironmentSettings>>): void {
  const problems: SettingsProblem[] = [];
  for (const [key, settings] of Object.entries(all)) {
    if (settings.name !== key) problems.push({ environment: key, path: "name", value: settings.name, allowed: JSON.stringify(key) });
    problems.push(...settingsProblems(settings));
  }
  if (problems.length > 0) throw new SettingsError(problems);
}
