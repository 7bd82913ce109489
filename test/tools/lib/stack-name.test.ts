import { environmentOf, stackNameFromFile, systemAndEnvironment } from "../../../tools/lib/stack-name";

describe("stack names", () => {
  test.each([
    ["zcash-staging.json", "zcash-staging"],
    ["out/zcash-staging.plan.json", "zcash-staging"],
    ["zfs-sync-production.tfplan.json", "zfs-sync-production"],
    ["plan-jessy-dev.json", "jessy-dev"],
    ["cdktf.out/stacks/zcash-production/plan.json", "zcash-production"],
    ["/tmp/jessy-staging/tfplan.json", "jessy-staging"],
  ])("%s → %s", (file, stack) => expect(stackNameFromFile(file)).toBe(stack));

  test.each([
    ["zfs-sync-production", "production"],
    ["zcash-staging", "staging"],
    ["jessy-dev", "dev"],
    ["zcash-prod", "unknown"],
    ["production-zcash", "unknown"],
  ])("environment of %s is %s", (stack, env) => expect(environmentOf(stack)).toBe(env));

  test.each([
    ["zfs-sync-staging", "zfs-sync", "staging"],
    ["zcash-production", "zcash", "production"],
    ["jessy-dev", "jessy", "dev"],
    ["zcash-prod", "zcash-prod", "unknown"],
  ])("%s is system %s in %s (npm run restore finds the backup runner by both)", (stack, system, environment) =>
    expect(systemAndEnvironment(stack)).toEqual({ system, environment }),
  );
});
