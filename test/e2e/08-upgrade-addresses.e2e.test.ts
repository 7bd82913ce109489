import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { loadConfig } from "./harness/env";
import { dockerOk } from "./harness/docker-engine";
import { StackUnderTest } from "./harness/stacks";
import { assertConverged, cleanUp, destroyAndAssertClean, ensureNoConflicts, initValidateApply } from "./harness/steps";
import { describeChanges } from "./harness/terraform";
import { scenario } from "./harness/suite";
import { say } from "./harness/log";

/**
 * Upgrading a deployed stack whose files volumes still have the counter addresses of earlier
 * releases (`<service>_files`): the synthesized `moved` blocks carry their state to the directory
 * addresses, so no volume is destroyed, and the next plan is empty.
 */
describe("zfs-sync-dev upgraded from the counter addresses of files volumes", () => {
  let s: StackUnderTest;
  let file: string;
  let current: string;
  let destroyed = false;
  const created = new Map<string, string>();
  const { step } = scenario();

  beforeAll(() => {
    s = new StackUnderTest("zfs-sync-dev", loadConfig(), { section: "zfs-sync-dev (upgrade)" });
    file = join(s.tf.dir, "cdk.tf.json");
    current = readFileSync(file, "utf8");
  });
  afterAll(async () => {
    writeFileSync(file, current);
    if (s && !destroyed) await cleanUp(s);
  });

  // The files volumes' moves (images move too, from their hashed addresses: not deployed here by an earlier release).
  const moves = (): { from: string; to: string }[] =>
    (JSON.parse(current).moved ?? []).filter((m: { from: string }) => m.from.startsWith("docker_volume."));
  const volumeName = (address: string) => s.resolve(JSON.parse(current).resource.docker_volume[address.replace("docker_volume.", "")].name);

  step("the stack has moved blocks for its files volumes", async () => {
    expect(moves()).toEqual([{ from: "docker_volume.zfs_sync_app_files", to: "docker_volume.zfs_sync_app_files_app_config" }]);
  });

  step("apply the stack as an earlier release addressed it (counter addresses, no moved blocks)", async () => {
    let legacy = current;
    for (const m of moves())
      legacy = legacy
        .split(`"${m.to.replace("docker_volume.", "")}"`)
        .join(`"${m.from.replace("docker_volume.", "")}"`)
        .split(m.to)
        .join(m.from);
    const json = JSON.parse(legacy);
    delete json.moved;
    writeFileSync(file, JSON.stringify(json, null, 2));
    await ensureNoConflicts(s);
    await initValidateApply(s);
    for (const m of moves()) {
      const name = volumeName(m.to);
      created.set(name, (await dockerOk(["volume", "inspect", "-f", "{{.CreatedAt}}", name])).trim());
    }
  });

  step("the current release plans the moves and destroys no volume; the apply keeps each volume", async () => {
    writeFileSync(file, current);
    const plan = await s.tf.plan();
    say(`upgrade plan: ${describeChanges(plan.changes)}`);
    expect(plan.changes.filter((c) => c.address.startsWith("docker_volume.") && c.actions.includes("delete"))).toEqual([]);
    for (const m of moves()) expect(plan.text).toContain(`${m.from} has moved to ${m.to}`);
    await s.tf.applyOk();
    for (const [name, before] of created)
      expect([name, (await dockerOk(["volume", "inspect", "-f", "{{.CreatedAt}}", name])).trim()]).toEqual([name, before]);
  });

  step("the next plan is empty", async () => assertConverged(s, "the upgrade"));

  step("terraform destroy leaves no container, volume or network of the stack", async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
  });
});
