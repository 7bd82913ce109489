import { checkPlan } from "../../tools/policy";
import { summarizePlans } from "../../tools/plan-summary";
import { loadConfig, REPO_ROOT } from "./harness/env";
import { dockerOk, execOk, mustInspect, waitHealthy } from "./harness/docker-engine";
import { say } from "./harness/log";
import { http } from "./harness/net";
import { run, RunResult, waitFor } from "./harness/process";
import { record, seconds } from "./harness/report";
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

/**
 * The engine: OpenTofu. Each system's dev stack is proven on OpenTofu here (apply, re-plan, faults,
 * destroy) and on Terraform in 07-engine-restart; staging and production run on Terraform
 * (docs/e2e.md, "Engines").
 */
const ENGINE = "tofu";

/** The app stand-in built to fail its health check (/api/v1/health answers 503), as 05 uses it on the swarm. */
const BROKEN_IMAGE = "z3-e2e/zfs-sync-psql:broken";
/**
 * `npm run verify --wait` for the rollback steps, the same for both releases: the app's first health
 * check runs 30 s after its start (upstream: every 30 s, start period 40 s), so a good release is
 * healthy well within it and a broken one has failed a check by then. Docker would call the broken
 * one `unhealthy` only after 40 s + 3 × 30 s; CI's `--wait 180` waits past that.
 */
const ROLLBACK_VERIFY_WAIT_SECONDS = 50;

/** `npm run verify -- zfs-sync-dev --wait <s>` as the harness runs it (suite's synth output, -var inputs, secrets as TF_VAR_*). */
async function verifyWaiting(s: StackUnderTest, waitSeconds: number): Promise<RunResult> {
  const args = [
    "tools/run.js",
    "verify",
    s.name,
    "--out",
    s.config.outDir,
    "--wait",
    String(waitSeconds),
    ...Object.entries(s.vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(s.secrets)) env[`TF_VAR_${k}`] = v;
  const r = await run("node", args, { cwd: REPO_ROOT, env, timeoutMs: (waitSeconds + 120) * 1000 });
  if (r.code === 2 || r.timedOut)
    throw new Error(`${s.name}: npm run verify could not run (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${r.stderr}${r.stdout}`);
  return r;
}

/**
 * A value stored through the app's own database layer (db.sh: `db_open` reads database_url from the
 * read-only config mount, `db_query SET|GET` reads and writes next to the SQLite file), run in the app
 * container as the app's user. The stand-in's HTTP API has no write endpoint (only the health paths).
 */
const dbQuery = (line: string) =>
  execOk("zfs-sync-dev-app", [
    "sh",
    "-c",
    `. /usr/local/lib/standin/common.sh && . /usr/local/lib/standin/zfs-sync/db.sh && db_open && db_query "$1"`,
    "db",
    line,
  ]);

interface VolumeInspect {
  Name: string;
  CreatedAt: string;
  Mountpoint: string;
}
const volumeInspect = async (name: string): Promise<VolumeInspect> =>
  (JSON.parse(await dockerOk(["volume", "inspect", name])) as VolumeInspect[])[0];

/** "✗ …" lines of a verify report. */
const failedLines = (report: string) => report.split("\n").filter((l) => l.startsWith("✗"));

/** zfs-sync-dev: upstream's single-container base stack (the app on SQLite in a named volume). */
describe("zfs-sync-dev on the local engine", () => {
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  beforeAll(() => {
    s = new StackUnderTest("zfs-sync-dev", loadConfig(), { engine: ENGINE });
  });
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step(`${ENGINE} init, validate, apply`, async () => initValidateApply(s));
  step("the app runs and is healthy; its files loader was never started", async () => assertRunningAndHealthy(s));
  step(
    "npm run verify passes: services healthy, ports answer where declared and nowhere else, connections work from inside the services",
    async () => {
      await assertVerifyPasses(s);
    },
  );
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
    expect(await execOk("zfs-sync-dev-app", ["cat", "/app/config/zfs_sync.yaml"])).toMatch(
      /^database_url: sqlite:\/\/\/\/data\/zfs_sync\.db$/m,
    );
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

  step(
    "the review tools read OpenTofu's plan JSON: npm run policy's checkPlan and the plan summary on a tofu plan of the app's image change",
    async () => {
      const p = await s.tf.plan({ overrides: { zfs_sync_image: s.images(2).zfs_sync_image } });
      expect(p.code).toBe(2);
      const json = p.json as { format_version: string; terraform_version: string };
      expect(json.terraform_version).toBe("1.12.6");
      const reports = checkPlan(s.name, json as never);
      expect(reports.map((r) => [r.stack, r.summary.errors, r.checked.docker_container > 0])).toEqual([[s.name, 0, true]]);
      const summary = summarizePlans([{ stack: s.name, plan: json as never }]);
      const replaced = summary.stacks[0].resources.filter((r) => r.action !== "create").map((r) => [r.address, r.action]);
      expect(replaced).toEqual(expect.arrayContaining([[expect.stringMatching(/^docker_container\./), "replace"]]));
      expect(summary.stacks[0].resources.some((r) => r.address.startsWith("docker_volume."))).toBe(false);
      say(
        `${s.name}: tofu plan JSON (format ${json.format_version}): policy ${reports[0].summary.errors} errors, summary: ${replaced.map((r) => r.join(" ")).join(", ")}`,
      );
    },
  );

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

  // Rolling back on the containers target: re-apply the previous release (docs/review.md#rolling-back).
  // The release running now is the `:2` image of the step above.
  const previous = () => s.images(2).zfs_sync_image;
  const rollback = {
    token: `rollback-${process.pid}-${Date.now()}`,
    volume: undefined as VolumeInspect | undefined,
    starts: [] as string[],
    appId: "",
  };

  step(
    "rollback, before: a known value is stored through the app's database layer in its SQLite volume; the volume's identity is recorded",
    async () => {
      const health = await http("http://127.0.0.1:8000/api/v1/health");
      expect(health?.status).toBe(200);
      expect(JSON.parse(health!.body).version).toBe("standin-2");
      expect((await dbQuery(`SET e2e_rollback ${rollback.token}`)).trim()).toBe("OK");
      expect((await dbQuery("GET e2e_rollback")).trim()).toBe(rollback.token);
      // The app itself appends one line per start to the database directory (main.sh).
      rollback.starts = (await execOk("zfs-sync-dev-app", ["cat", "/data/zfs_sync.db.starts"])).trim().split("\n");
      rollback.volume = await volumeInspect("zfs-sync-dev-data");
      rollback.appId = (await mustInspect("zfs-sync-dev-app")).Id;
      say(`${s.name}: stored e2e_rollback=${rollback.token}; volume zfs-sync-dev-data created ${rollback.volume.CreatedAt}`);
    },
  );

  step(
    `rollback: a broken release (${BROKEN_IMAGE}, health check answers 503) applies without error; npm run verify --wait ${ROLLBACK_VERIFY_WAIT_SECONDS} fails and names the app`,
    async () => {
      const t0 = Date.now();
      const applied = await s.tf.applyOk({ overrides: { zfs_sync_image: BROKEN_IMAGE } });
      record(s.section, "rollback: broken release apply s", seconds(applied.ms));
      // The dev app does not wait for its health check (production waits 150 s): the apply returns at once.
      expect(applied.stdout).toMatch(/Apply complete! Resources: \d+ added, \d+ changed, \d+ destroyed/);
      expect(applied.stdout).not.toMatch(/docker_volume\.[^:]+: (Destroying|Creating)/);
      const app = await mustInspect("zfs-sync-dev-app");
      expect(app.Id).not.toBe(rollback.appId);
      expect(app.Config.Labels?.["org.z3-e2e.version"]).toBe("broken");
      expect(app.Mounts.find((m) => m.Destination === "/data")?.Name).toBe("zfs-sync-dev-data");
      // It serves, and says it is broken.
      const health = await waitFor("the broken app answering on 127.0.0.1:8000", async () => http("http://127.0.0.1:8000/api/v1/health"), {
        timeoutMs: 30_000,
        intervalMs: 500,
      });
      expect(health.status).toBe(503);

      const r = await verifyWaiting(s, ROLLBACK_VERIFY_WAIT_SECONDS);
      const detectedS = seconds(Date.now() - t0);
      if (r.code !== 1)
        throw new Error(
          `${s.name}: npm run verify should fail on the broken release (exit 1), it exited ${r.code}:\n${r.stdout}${r.stderr}`,
        );
      // Exactly one failed check: the app, running but not healthy, with the failed health check's exit.
      expect(failedLines(r.stdout)).toHaveLength(1);
      expect(r.stdout).toMatch(/^✗ service zfs-sync-dev-app +running, health (starting|unhealthy); last check exit [1-9]/m);
      expect(r.stdout).toMatch(/^FAILED: zfs-sync-dev: \d+ passed, 1 failed\b/m);
      // Docker keeps the last five checks, with their start times (not in the harness's Inspect type).
      const probes = ((await mustInspect("zfs-sync-dev-app")).State.Health?.Log ?? []) as {
        Start?: string;
        ExitCode: number;
        Output: string;
      }[];
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.every((p) => p.ExitCode !== 0 && /\b503\b/.test(p.Output))).toBe(true);
      const firstProbe = Date.parse(probes[0].Start ?? "");
      if (Number.isFinite(firstProbe))
        record(s.section, "rollback: broken release apply → first failed health check s", seconds(firstProbe - t0));
      record(s.section, "rollback: broken release apply → verify failed s", detectedS);
      say(
        `${s.name}: broken release applied in ${seconds(applied.ms)}s; verify failed ${detectedS}s after the apply began: ${failedLines(r.stdout).join(" | ")}`,
      );
    },
  );

  step(
    `rollback: re-applying the previous release (:2) brings the app back; npm run verify --wait ${ROLLBACK_VERIFY_WAIT_SECONDS} passes; the stored value reads back unchanged from the same data volume`,
    async () => {
      const t0 = Date.now();
      const applied = await s.tf.applyOk({ overrides: { zfs_sync_image: previous() } });
      record(s.section, "rollback: re-apply previous release s", seconds(applied.ms));
      expect(applied.stdout).not.toMatch(/docker_volume\.[^:]+: (Destroying|Creating)/);
      const r = await verifyWaiting(s, ROLLBACK_VERIFY_WAIT_SECONDS);
      const passedS = seconds(Date.now() - t0);
      if (r.code !== 0)
        throw new Error(`${s.name}: npm run verify should pass after the rollback, it exited ${r.code}:\n${r.stdout}${r.stderr}`);
      expect(r.stdout).toMatch(/^✓ service zfs-sync-dev-app +running, healthy$/m);
      record(s.section, "rollback: re-apply → verify passed s", passedS);

      const app = await mustInspect("zfs-sync-dev-app");
      expect(app.Config.Labels?.["org.z3-e2e.version"]).toBe("2");
      const health = await http("http://127.0.0.1:8000/api/v1/health");
      expect(health?.status).toBe(200);
      expect(JSON.parse(health!.body).version).toBe("standin-2");
      const ready = await http("http://127.0.0.1:8000/api/v1/health/ready");
      expect(ready?.status).toBe(200);
      expect(JSON.parse(ready!.body).database).toBe("sqlite");

      // Same data: the stored value, the marker of the docker rm -f step, the app's own start records
      // (then one start of the broken release and one of the rolled-back release).
      expect((await dbQuery("GET e2e_rollback")).trim()).toBe(rollback.token);
      expect((await execOk("zfs-sync-dev-app", ["cat", "/data/e2e-marker"])).trim()).toBe("kept");
      const starts = (await execOk("zfs-sync-dev-app", ["cat", "/data/zfs_sync.db.starts"])).trim().split("\n");
      expect(starts.slice(0, rollback.starts.length)).toEqual(rollback.starts);
      expect(starts.slice(rollback.starts.length).map((l) => l.replace(/^start \d+ /, ""))).toEqual(["vbroken", "v2"]);
      // Same volume: not replaced (a replaced volume would have a new creation time).
      const volume = await volumeInspect("zfs-sync-dev-data");
      expect(volume.CreatedAt).toBe(rollback.volume!.CreatedAt);
      expect(volume.Mountpoint).toBe(rollback.volume!.Mountpoint);
      say(
        `${s.name}: rolled back in ${seconds(applied.ms)}s (apply), verify passed ${passedS}s after the apply began; e2e_rollback read back, volume created ${volume.CreatedAt} kept`,
      );
      await assertConverged(s, "the rollback", { zfs_sync_image: previous() });
    },
  );

  step(`${ENGINE} destroy leaves no container, volume or network of the stack`, async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
  });
});
