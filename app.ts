import { App } from "./lib/cdk";
import { EnvironmentName } from "./config/common";
import { EnvironmentSettings, EnvironmentSettingsInput, SettingsError, validateSettings } from "./config/settings";
import { ConstructValidationError } from "./lib/validation";
import { RELEASE_CONTEXT_KEY } from "./lib/release";
import { PolicyViolationError, applyPolicyPack, synthesizeWithPolicy } from "./policy";
import { formatStackLines, formatSynthTotal, writePolicyRunReport } from "./policy/synth-report";
import { SystemStack } from "./stacks/system-stack";
import { ZcashStack } from "./stacks/z3/zcash-stack";
import { JessyStack } from "./stacks/jessy/jessy-stack";
import { ZfsSyncStack } from "./stacks/zfs-sync/zfs-sync-stack";

/** How cdktf's `App.synth` begins the error it throws when a construct validation fails. */
const CDKTF_VALIDATION_FAILED = "Validation failed with the following errors:";

/** Every system's stack factory; one stack per system and environment. */
export const SYSTEMS: readonly ((app: App, settings: EnvironmentSettings) => SystemStack)[] = [
  (app, settings) => new ZcashStack(app, settings),
  (app, settings) => new JessyStack(app, settings),
  (app, settings) => new ZfsSyncStack(app, settings),
];

/**
 * Validates all settings (throwing one SettingsError listing every problem) and adds every stack
 * for every environment to the app, each with the policy pack its settings select
 * (`policyPack`). main.ts calls this; tests call it with their own settings (and systems).
 */
export function buildApp(
  app: App,
  environments: Readonly<Record<EnvironmentName, EnvironmentSettingsInput>>,
  systems: typeof SYSTEMS = SYSTEMS,
): SystemStack[] {
  // The stacks read the settings as parsed (strictly: unknown keys, unbounded numbers and Terraform
  // templates in strings are problems), never the objects as written.
  const parsed = validateSettings(environments);
  const stacks: SystemStack[] = [];
  for (const settings of Object.values(parsed)) {
    for (const build of systems) {
      const stack = build(app, settings);
      applyPolicyPack(stack, settings.policyPack);
      stacks.push(stack);
    }
  }
  return stacks;
}

/**
 * How much a synth prints. `summary` (`npm run synth`): one policy line per stack and a closing total;
 * `verbose` (`--verbose`): before those, every error, the warnings and infos per rule and every
 * suppression with its reason; `quiet` (`--quiet`, and `--app`, what cdktf.json runs for `cdktf
 * list|diff|deploy`): nothing on success. Failures are printed in full at every level.
 */
export type SynthOutput = "quiet" | "summary" | "verbose";

/**
 * Builds, policy-checks and synthesizes the app (only the named `stacks` when given). Returns the
 * process exit code: 0; 1 after printing every settings, construct or policy problem (never a framework
 * stack trace for bad input); 2 for an unknown stack name (the message lists the known ones). Policy
 * lines go to stdout after a synth, to stderr with the failure otherwise (the cdktf CLI labels whatever
 * an app writes to stderr as an error). Writes `<outdir>/stacks/<stack>/policy-report.json` per stack
 * and `<outdir>/policy-report.md` for the run.
 */
export function synthesize(
  environments: Readonly<Record<EnvironmentName, EnvironmentSettingsInput>>,
  options: {
    outdir?: string;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    systems?: typeof SYSTEMS;
    stacks?: readonly string[];
    output?: SynthOutput;
    /** The `release` label of every container and swarm service (lib/release.ts). @default - no release label */
    release?: string;
  } = {},
): number {
  const write = options.stderr ?? ((text: string) => process.stderr.write(text));
  const print = options.stdout ?? ((text: string) => process.stdout.write(text));
  const output = options.output ?? "summary";
  // The detailed summary (every suppression with its reason): printed with --verbose only.
  let details = "";
  try {
    const context = options.release !== undefined ? { [RELEASE_CONTEXT_KEY]: options.release } : undefined;
    const app = new App(options.outdir || context ? { outdir: options.outdir, context } : undefined);
    const stacks = selectStacks(app, buildApp(app, environments, options.systems), options.stacks ?? []);
    if (typeof stacks === "string") {
      write(stacks);
      return 2;
    }
    const reports = synthesizeWithPolicy(app, stacks, (text) => (details += text));
    const reportFile = writePolicyRunReport(app.outdir, reports);
    if (output === "verbose") print(details);
    if (output !== "quiet") print(formatStackLines(reports) + formatSynthTotal(reports, app.outdir, reportFile));
    return 0;
  } catch (error) {
    const before = output === "verbose" ? details : error instanceof PolicyViolationError ? formatStackLines(error.reports) : "";
    if (error instanceof SettingsError || error instanceof ConstructValidationError || error instanceof PolicyViolationError) {
      write(`${before}synth failed: ${error.message}\n`);
      return 1;
    }
    // cdktf's own construct validations (an old Terraform, for one): its message, without the stack.
    if (error instanceof Error && error.message.startsWith(CDKTF_VALIDATION_FAILED)) {
      write(`${before}synth failed: ${error.message.replace(/\n+If you wish to ignore these validations[\s\S]*$/, "").trim()}\n`);
      return 1;
    }
    throw error;
  }
}

/**
 * The stacks named in `names` (all of them when none is named), the others removed from the app so
 * that its synth writes only those; or, for a name no stack has, the message to print. Every stack is
 * built first: a stack's name is only known once its settings are parsed and its system has built it.
 */
function selectStacks(app: App, stacks: SystemStack[], names: readonly string[]): SystemStack[] | string {
  if (names.length === 0) return stacks;
  const known = stacks.map((s) => s.node.id);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    return `synth: no stack named ${unknown.map((n) => `"${n}"`).join(", ")}; the stacks are: ${[...known].sort().join(", ")}\n`;
  for (const id of known) if (!names.includes(id)) app.node.tryRemoveChild(id);
  return stacks.filter((s) => names.includes(s.node.id));
}
