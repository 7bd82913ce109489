import { App } from "./lib/cdk";
import { EnvironmentName, EnvironmentSettings } from "./config/types";
import { validateSettings } from "./config/validate";
import { SystemStack } from "./stacks/system-stack";
import { ZcashStack } from "./stacks/z3/zcash-stack";

/** Every system's stack factory; one stack per system and environment. */
export const SYSTEMS: readonly ((app: App, settings: EnvironmentSettings) => SystemStack)[] = [
  (app, settings) => new ZcashStack(app, settings),
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
