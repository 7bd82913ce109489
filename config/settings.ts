/**
 * One environment's settings: the common schema and every system's schema, parsed together so that
 * every problem of every environment is reported at once (`validateSettings`).
 */
import { z } from "zod";
import { allowed, commonSchema, EnvironmentContext, EnvironmentName } from "./common";
import { jessySchema } from "./jessy/schema";
import { z3Schema } from "./z3/schema";
import { zfsSyncSchema } from "./zfs-sync/schema";

/** The schema of one environment's settings; each system's rules see the environment's name and requirements. */
export function environmentSchema(env: EnvironmentContext) {
  return commonSchema.and(
    z.object({ z3: z3Schema(env), jessy: jessySchema(env), zfsSync: zfsSyncSchema(env) }, allowed("an environment settings object")).readonly(),
  );
}

const SYSTEMS = ["z3", "jessy", "zfsSync"] as const;

/**
 * Problems between the environment's settings and a system's (a system on the swarm target needs the
 * environment's swarm), checked on the raw input so they are reported together with every other problem.
 */
function crossProblems(settings: unknown): { path: (string | number)[]; message: string }[] {
  if (valueAt(settings, ["swarm"]) !== undefined) return [];
  return SYSTEMS.filter((system) => valueAt(settings, [system, "deployment", "target"]) === "swarm").map((system) => ({
    path: [system, "deployment", "target"],
    message: '"containers", unless the environment has swarm settings (swarm: endpointMode, encryptOverlay, dataNodeLabel)',
  }));
}
/** Typed per-environment settings: the only place environments differ. Parsed once at start-up; each system construct reads its slice. */
export type EnvironmentSettings = z.infer<ReturnType<typeof environmentSchema>>;

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

/** The value at `path` in the settings as given (not as parsed). */
function valueAt(settings: unknown, path: readonly (string | number)[]): unknown {
  let value = settings;
  for (const key of path) value = value === null || typeof value !== "object" ? undefined : (value as Record<string | number, unknown>)[key];
  return value;
}

/** Every problem of one environment's settings. */
export function settingsProblems(settings: EnvironmentSettings): SettingsProblem[] {
  const environment = String(settings?.name ?? "unknown");
  const context: EnvironmentContext = {
    name: settings?.name,
    requirePinnedImages: Boolean(settings?.requirePinnedImages),
    requireResourceLimits: Boolean(settings?.requireResourceLimits),
  };
  const result = environmentSchema(context).safeParse(settings);
  const issues = [...(result.success ? [] : result.error.issues), ...crossProblems(settings).map((p) => ({ ...p, code: "custom" as const }))];
  if (issues.length === 0) return [];
  const problems: SettingsProblem[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const path = issue.path.join(".") || "settings";
    // A check may fail in several ways (not an integer and too small): one problem per path and allowed text.
    if (seen.has(`${path}\0${issue.message}`)) continue;
    seen.add(`${path}\0${issue.message}`);
    // An unknown key (e.g. a resources entry for an unknown service) is reported with the key as its value.
    const value = issue.code === "invalid_enum_value" ? issue.received : issue.code === "unrecognized_keys" ? issue.keys : valueAt(settings, issue.path);
    problems.push({ environment, path, value, allowed: issue.message });
  }
  return problems;
}

/** Validates all environments and throws one SettingsError listing every problem at once. */
export function validateSettings(all: Readonly<Record<EnvironmentName, EnvironmentSettings>>): void {
  const problems: SettingsProblem[] = [];
  for (const [key, settings] of Object.entries(all)) {
    if (settings?.name !== key) problems.push({ environment: key, path: "name", value: settings?.name, allowed: JSON.stringify(key) });
    problems.push(...settingsProblems(settings));
  }
  if (problems.length > 0) throw new SettingsError(problems);
}
