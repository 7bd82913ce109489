import { App } from "./lib/cdk";
import { EnvironmentName, EnvironmentSettings } from "./config/types";
import { SettingsError, validateSettings } from "./config/validate";
import { ConstructValidationError } from "./lib/validation";
import { SystemStack } from "./stacks/system-stack";
import { ZcashStack } from "./stacks/z3/zcash-stack";
import { JessyStack } from "./stacks/jessy/jessy-stack";

/** Every system's stack factory; one stack per system and environment. */
export const SYSTEMS: readonly ((app: App, settings: EnvironmentSettings) => SystemStack)[] = [
  (app, settings) => new ZcashStack(app, settings),
  (app, settings) => new JessyStack(app, settings),
];

/**
 * Validates all settings (throwing one SettingsError listing every problem) and adds every stack
 * for every environment to the app. main.ts calls this; tests call it with their own settings.
 */
export function buildApp(app: App, environments: Readonly<Record<EnvironmentName, EnvironmentSettings>>): SystemStack[] {
  validateSettings(environments);
  const stacks: SystemStack[] = [];
  for (const settings of Object.values(environments)) {
    for (const build of SYSTEMS) stacks.push(build(app, settings));
  }
  return stacks;
}

/**
 * Builds and synthesizes the app. Returns the process exit code: 0, or 1 after printing every
 * settings or construct problem (never a framework stack trace for bad input).
 */
export function synthesize(
  environments: Readonly<Record<EnvironmentName, EnvironmentSettings>>,
  options: { outdir?: string; stderr?: (text: string) => void } = {},
): number {
  const write = options.stderr ?? ((text: string) => process.stderr.write(text));
  try {
    const app = new App(options.outdir ? { outdir: options.outdir } : undefined);
    buildApp(app, environments);
    app.synth();
    return 0;
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ConstructValidationError) {
      write(`synth failed: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
