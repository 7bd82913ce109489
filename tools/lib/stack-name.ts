/** Stack names and environments: stacks are named `<system>-<environment>`. */
import * as path from "path";

export const ENVIRONMENTS = ["dev", "staging", "production"] as const;
/** Environments whose data-loss findings fail the command (exit 2) unless data loss is allowed. */
export const DEFAULT_GATED_ENVIRONMENTS: readonly string[] = ["production"];

/** The environment a stack name ends with (`zcash-production` → production), or "unknown". */
export function environmentOf(stack: string): string {
  const match = /-(dev|staging|production)$/.exec(stack);
  return match ? match[1] : "unknown";
}

/** Unknown environments are gated like production: a name that can't be read fails safe. */
export function isGated(environment: string, gated: readonly string[]): boolean {
  return environment === "unknown" || gated.includes(environment);
}

/**
 * Stack name from a plan file name: `zcash-staging.json`, `zcash-staging.plan.json`,
 * `zcash-staging.tfplan.json` → `zcash-staging`; a generic name (`plan.json`, `tfplan.json`)
 * takes the name of the directory it is in (`cdktf.out/stacks/zcash-staging/plan.json`).
 */
export function stackNameFromFile(file: string): string {
  const base = path
    .basename(file)
    .replace(/\.json$/i, "")
    .replace(/[.-](tf)?plan$/i, "");
  if (base === "" || /^(tf)?plan$/i.test(base)) {
    const dir = path.basename(path.dirname(path.resolve(file)));
    return dir;
  }
  return base.replace(/^(tf)?plan[.-]/i, "");
}
