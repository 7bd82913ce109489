import { App } from "./lib/cdk";
import { EnvironmentName } from "./config/common";
import { EnvironmentSettings, EnvironmentSettingsInput, SettingsError, validateSettings } from "./config/settings";
import { ConstructValidationError } from "./lib/validation";
import { PolicyViolationError, applyPolicyPack, synthesizeWithPolicy } from "./policy";
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
 * Builds, policy-checks and synthesizes the app. Returns the process exit code: 0, or 1 after
 * printing every settings, construct or policy problem (never a framework stack trace for bad input).
 * Prints a policy summary per stack (to stdout after a synth, to stderr with the failure otherwise:
 * the cdktf CLI labels whatever an app writes to stderr as an error) and writes
 * `<outdir>/stacks/<stack>/policy-report.json`.
 */
export function synthesize(
  environments: Readonly<Record<EnvironmentName, EnvironmentSettingsInput>>,
  options: { outdir?: string; stdout?: (text: string) => void; stderr?: (text: string) => void; systems?: typeof SYSTEMS } = {},
): number {
  const write = options.stderr ?? ((text: string) => process.stderr.write(text));
  const print = options.stdout ?? ((text: string) => process.stdout.write(text));
  let summary = "";
  try {
    const app = new App(options.outdir ? { outdir: options.outdir } : undefined);
    const stacks = buildApp(app, environments, options.systems);
    synthesizeWithPolicy(app, stacks, (text) => (summary += text));
    print(summary);
    return 0;
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ConstructValidationError || error instanceof PolicyViolationError) {
      write(`${summary}synth failed: ${error.message}\n`);
      return 1;
    }
    // cdktf's own construct validations (an old Terraform, for one): its message, without the stack.
    if (error instanceof Error && error.message.startsWith(CDKTF_VALIDATION_FAILED)) {
      write(`${summary}synth failed: ${error.message.replace(/\n+If you wish to ignore these validations[\s\S]*$/, "").trim()}\n`);
      return 1;
    }
    throw error;
  }
}
