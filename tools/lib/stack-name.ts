/** Stack names and environments: stacks are named `<system>-<environment>`. */
import * as path from "path";

/** The environment a stack name ends with (`zcash-production` → production), or "unknown". */
export function environmentOf(stack: string): string {
  const match = /-(dev|staging|production)$/.exec(stack);
  return match ? match[1] : "unknown";
}

/** The system and environment of a stack name (`zfs-sync-staging` → zfs-sync, staging); environment "unknown" when it has none. */
export function systemAndEnvironment(stack: string): { system: string; environment: string } {
  const environment = environmentOf(stack);
  return { system: environment === "unknown" ? stack : stack.slice(0, stack.length - environment.length - 1), environment };
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
