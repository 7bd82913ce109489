import { loadConfig } from "./harness/env";
import { dockerOk, execOk, mustInspect, waitHealthy } from "./harness/docker";
import { http } from "./harness/net";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertEngineMatchesConfig,
  assertPublishedPorts,
  assertReadOnly,
  assertRunningAndHealthy,
  assertSecretsNotInInspect,
  cleanUp,
  destroyAndAssertClean,
  ensureNoConflicts,
  faultKillMainProcess,
  faultRemoveContainer,
  initValidateApply,
} from "./harness/steps";
import { scenario } from "./harness/suite";
import { assertVerifyFails, assertVerifyPasses } from "./harness/verify";

/** zfs-sync-dev: upstream's single-container base stack (the app on SQLite in a named volume). */
describe("zfs-sync-dev on the local engine", () => {
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  beforeAll(() => {
    s = new StackUnderTest("zfs-sync-dev", loadConfig());
  });
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step("terraform init, validate, apply", async () => initValidateApply(s));
  step("the app runs and is healthy; its files loader was never started", async () => assertRunningAndHealthy(s));
  step("npm run verify passes: services healthy, ports answer where declared and nowhere else, connections work from inside the services", async () => {
    await assertVerifyPasses(s);
  });
  step("npm run verify names a stopped app (docker stop); after docker start and healthy again it passes", async () => {
    await dockerOk(["stop", "zfs-sync-dev-app"]);
    try {
      const report = await assertVerifyFails(s, /^✗ service zfs-sync-dev-app +not running: exited/m);
      expect(report).toMatch(/^✗ endpoint zfs-sync-dev-app 127\.0\.0\.1:8000 +nothing answers/m);
    } finally {
      await dockerOk(["start", "zfs-sync-dev-app"]);
      await waitHealthy(["zfs-sync-dev-app"], 3 * 60_000);
    }
    await assertVerifyPasses(s);
  });
  step("docker inspect matches the synthesized configuration", async () => assertEngineMatchesConfig(s));

  step("the app runs as 1001, reads the database URL from its read-only config mount, writes SQLite and logs to its volumes", async () => {
    expect(await execOk("zfs-sync-dev-app", ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+1001\s+1001\s+1001\s+1001$/m);
    expect(await execOk("zfs-sync-dev-app", ["cat", "/app/config/zfs_sync.yaml"])).toContain('database_url: "sqlite:////data/zfs_sync.db"');
    await assertReadOnly("zfs-sync-dev-app", "/app/config");
    await assertReadOnly("zfs-sync-dev-app", "");
    expect(await execOk("zfs-sync-dev-app", ["ls", "/data"])).toContain("zfs_sync.db");
    expect(await execOk("zfs-sync-dev-app", ["cat", "/logs/zfs_sync.log"])).toContain("db=sqlite");
    const ready = await http("http://127.0.0.1:8000/api/v1/health/ready");
    expect(ready?.status).toBe(200);
    expect(JSON.parse(ready!.body).database).toBe("sqlite");
    await assertPublishedPorts(s, loadConfig().externalAddress);
    await assertSecretsNotInInspect(s);
  });

  step("re-plan right after apply: no changes", async () => assertConverged(s, "apply"));

  step("fault: the app's process is killed (SIGKILL from the host); the restart policy brings it back", async () => {
    await faultKillMainProcess(s, "zfs-sync-dev-app", "host-kill");
    await assertConverged(s, "app restart");
  });

  step("fault: docker rm -f the app; the plan creates exactly that container, apply heals it, the SQLite data survives", async () => {
    await execOk("zfs-sync-dev-app", ["sh", "-c", "echo kept > /data/e2e-marker"]);
    await faultRemoveContainer(s, "zfs-sync-dev-app");
    expect((await execOk("zfs-sync-dev-app", ["cat", "/data/e2e-marker"])).trim()).toBe("kept");
    await assertConverged(s, "healing the app");
  });

  step("fault: the app image changes (:2); the container is replaced, the database volume keeps its data", async () => {
    const before = (await execOk("zfs-sync-dev-app", ["cat", "/data/zfs_sync.db.starts"])).trim().split("\n");
    await s.tf.applyOk({ overrides: { zfs_sync_image: s.images(2).zfs_sync_image } });
    await assertRunningAndHealthy(s);
    expect((await mustInspect("zfs-sync-dev-app")).Config.Labels?.["org.z3-e2e.version"]).toBe("2");
    expect((await execOk("zfs-sync-dev-app", ["cat", "/data/e2e-marker"])).trim()).toBe("kept");
    const after = (await execOk("zfs-sync-dev-app", ["cat", "/data/zfs_sync.db.starts"])).trim().split("\n");
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[after.length - 1]).toMatch(/ v2$/);
    await assertConverged(s, "the image change", { zfs_sync_image: s.images(2).zfs_sync_image });
  });

  step("terraform destroy leaves no container, volume or network of the stack", async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
  });
});
