/**
 * One environment's settings: the common schema and every system's schema, parsed together so that
 * every problem of every environment is reported at once (`validateSettings`).
 */
import { z } from "zod";
import { allowed, commonSchema, CommonSettings, EnvironmentContext, EnvironmentName } from "./common";
import { jessySchema } from "./jessy/schema";
import { z3Schema } from "./z3/schema";
import { zfsSyncSchema } from "./zfs-sync/schema";

/**
 * The systems' blocks of one environment's settings; each system's rules see the environment's name
 * and requirements. The environment-level schema (`commonSchema`) knows these keys and reports any
 * other key of the environment as unknown.
 */
export function systemsSchema(env: EnvironmentContext) {
  return z
    .object({ z3: z3Schema(env), jessy: jessySchema(env), zfsSync: zfsSyncSchema(env) }, allowed("an environment settings object"))
    .readonly();
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
export type EnvironmentSettings = CommonSettings & z.infer<ReturnType<typeof systemsSchema>>;

/**
 * One environment's settings as written (`config/environments.ts`), before parsing: what the schemas
 * take (`z.input`), not what they return. Only `validateSettings` turns it into `EnvironmentSettings`.
 */
export type EnvironmentSettingsInput = CommonSettings & z.input<ReturnType<typeof systemsSchema>>;

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
  for (const key of path)
    value = value === null || typeof value !== "object" ? undefined : (value as Record<string | number, unknown>)[key];
  return value;
}

/**
 * One environment's settings parsed: what the stacks read, or every problem. The environment-level
 * settings and the systems' blocks are parsed apart, so that a problem in one never hides the
 * other's (a refinement runs only when its object parsed).
 */
export function parseSettings(settings: unknown): { readonly settings?: EnvironmentSettings; readonly problems: SettingsProblem[] } {
  const given = settings as Partial<CommonSettings> | null | undefined;
  const environment = String(given?.name ?? "unknown");
  const common = commonSchema(SYSTEMS).safeParse(settings);
  // The systems' rules see the environment as parsed; as given only when its own block did not parse
  // (its problems are reported, and the systems' are still checked).
  const env = common.success ? common.data : given;
  const context: EnvironmentContext = {
    name: env?.name as EnvironmentName,
    requirePinnedImages: env?.requirePinnedImages === true,
    requireResourceLimits: env?.requireResourceLimits === true,
  };
  const systems = systemsSchema(context).safeParse(settings);
  const issues = [
    ...(common.success ? [] : common.error.issues),
    ...(systems.success ? [] : systems.error.issues),
    ...crossProblems(settings).map((p) => ({ ...p, code: "custom" as const })),
  ];
  if (issues.length === 0 && common.success && systems.success)
    return { settings: Object.freeze({ ...common.data, ...systems.data }), problems: [] };
  const problems: SettingsProblem[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const path = issue.path.join(".") || "settings";
    // A check may fail in several ways (not an integer and too small): one problem per path and allowed text.
    if (seen.has(`${path}\0${issue.message}`)) continue;
    seen.add(`${path}\0${issue.message}`);
    // An unknown key's problem is at the key's own path: its value is the value given for it.
    const value = issue.code === "invalid_enum_value" ? issue.received : valueAt(settings, issue.path);
    problems.push({ environment, path, value, allowed: issue.message });
  }
  return { problems };
}

/** Every problem of one environment's settings. */
export function settingsProblems(settings: EnvironmentSettingsInput): SettingsProblem[] {
  return parseSettings(settings).problems;
}

/**
 * Validates all environments, throwing one SettingsError listing every problem at once, and returns
 * them as parsed: what the stacks are built from. Parsing is strict (an unknown key, an unbounded
 * number or a Terraform template in a string is a problem), so `npm run synth` and `cdktf deploy`
 * catch what a type check would, without one.
 */
export function validateSettings(
  all: Readonly<Record<EnvironmentName, EnvironmentSettingsInput>>,
): Readonly<Record<EnvironmentName, EnvironmentSettings>> {
  const problems: SettingsProblem[] = [];
  const parsed: Partial<Record<EnvironmentName, EnvironmentSettings>> = {};
  for (const [key, settings] of Object.entries(all)) {
    if (settings?.name !== key) problems.push({ environment: key, path: "name", value: settings?.name, allowed: JSON.stringify(key) });
    const result = parseSettings(settings);
    problems.push(...result.problems);
    if (result.settings !== undefined) parsed[key as EnvironmentName] = result.settings;
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return parsed as Record<EnvironmentName, EnvironmentSettings>;
}
