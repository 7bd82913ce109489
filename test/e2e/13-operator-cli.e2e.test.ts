import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { backupNow } from "./harness/backup";
import { dockerOk, execOk, mustInspect, waitHealthy } from "./harness/docker-engine";
import { loadConfig, REPO_ROOT } from "./harness/env";
import { say } from "./harness/log";
import { run, RunResult, runOk } from "./harness/process";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertRunningAndHealthy,
  cleanUp,
  destroyAndAssertClean,
  ensureNoConflicts,
  initValidateApply,
} from "./harness/steps";
import { scenario } from "./harness/suite";

/*
 * The operator CLI (tools/cli/z3ops-command.ts) against a deployed zfs-sync-dev, as an operator runs it:
 * status, logs, exec, a release, the rollback to the previous release with its data, drift with and
 * without an out-of-band change, and a restore's dry run and confirmation.
 */
const STACK = "zfs-sync-dev";
const APP = "zfs-sync-dev-app";
const VOLUME = "zfs-sync-dev-data";
const R1 = "e2e13-r1";
const R2 = "e2e13-r2";

describe("z3ops against a deployed zfs-sync-dev", () => {
  let s: StackUnderTest;
  let root: string;
  let work: string;
  const release = (r: string) => join(root, r);
  let destroyed = false;
  const { step } = scenario();

  /** `z3ops <args>` as an operator runs it, with the stack's inputs (-var, secrets as TF_VAR_*) and its working directory. */
  const z3ops = (args: readonly string[], opts: { vars?: Record<string, string>; input?: string } = {}): Promise<RunResult> => {
    const dashDash = args.indexOf("--");
    const head = dashDash === -1 ? [...args] : args.slice(0, dashDash);
    const tail = dashDash === -1 ? [] : args.slice(dashDash);
    const vars = Object.entries({ ...s.vars, ...(opts.vars ?? {}) }).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    return run("node", ["tools/cli/z3ops.js", ...head, "--out", work, ...vars, ...tail], {
      cwd: REPO_ROOT,
      env: s.tf.env(),
      timeoutMs: 15 * 60_000,
    });
  };
  const statusRow = (out: string) => out.split("\n").find((l) => l.startsWith(`${APP} `)) ?? "";

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "e2e13-"));
    work = join(root, "work");
    // Two releases of the checkout, synthesized as CI would (STACK_RELEASE pins the label).
    for (const r of [R1, R2])
      await runOk("node", ["scripts/synth.js"], {
        cwd: REPO_ROOT,
        env: { ...process.env, STACK_RELEASE: r, CDKTF_OUTDIR: release(r) },
        timeoutMs: 10 * 60_000,
      });
    mkdirSync(join(work, "stacks"), { recursive: true });
    cpSync(join(release(R1), "stacks", STACK), join(work, "stacks", STACK), { recursive: true });
    s = new StackUnderTest(STACK, { ...loadConfig(), outDir: work }, { backups: true, section: "13 operator CLI" });
  }, 20 * 60_000);
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
    if (root && process.env.E2E_KEEP !== "1") rmSync(root, { recursive: true, force: true });
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step(`release ${R1} is deployed (terraform init, validate, apply); the unchanged release plans no change`, async () => {
    await initValidateApply(s);
    await assertRunningAndHealthy(s);
    await assertConverged(s, `release ${R1}`);
  });

  step("usage errors exit 2 before anything is contacted", async () => {
    const cases: [string[], RegExp][] = [
      [["status"], /missing required argument 'stack'/],
      [["status", "nope-dev"], /unknown stack nope-dev/],
      [["logs", STACK, "nope"], /has no service "nope"/],
      [["exec", STACK, "app"], /which command\?/],
      [["restore", STACK, "nope"], /nope is not backed up by zfs-sync-dev; its backed-up volumes: zfs-sync-dev-data/],
      [["rollback", STACK, "bad release"], /release "bad release"/],
    ];
    for (const [args, message] of cases) {
      const r = await z3ops(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  });

  step(`status: every service running and healthy, release ${R1}, image digest and host`, async () => {
    const r = await z3ops(["status", STACK]);
    say(`z3ops status:\n${r.stdout}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SERVICE +KIND +STATE +HEALTH +RELEASE +IMAGE +HOST$/m);
    expect(statusRow(r.stdout)).toMatch(new RegExp(`^${APP} +container +running +healthy +${R1} +sha256:[0-9a-f]{12} +\\S+$`));
    expect(r.stdout).toMatch(new RegExp(`^zfs-sync-dev-backup +container +running +\\S+ +${R1} `, "m"));
    expect(r.stdout).toMatch(/^ok: \d+ running as configured$/m);
    expect((await mustInspect(APP)).Config.Labels?.release).toBe(R1);
  });

  step("logs: the app's log lines; exec: a command in the app's container, its exit code passed on", async () => {
    const logs = await z3ops(["logs", STACK, "app", "--tail", "50"]);
    expect(logs.code).toBe(0);
    expect(`${logs.stdout}${logs.stderr}`.trim()).not.toBe("");
    const exec = await z3ops(["exec", STACK, "app", "--", "sh", "-c", "echo kept-13 > /data/e2e-13-marker && cat /data/e2e-13-marker"]);
    expect(exec.code).toBe(0);
    expect(exec.stdout.trim()).toBe("kept-13");
    const failing = await z3ops(["exec", STACK, "app", "--", "sh", "-c", "exit 3"]);
    expect(failing.code).toBe(3);
  });

  let volumeCreated = "";
  step(`release ${R2} with the :2 image set is applied: only the labelled resources change`, async () => {
    volumeCreated = (JSON.parse(await dockerOk(["volume", "inspect", VOLUME])) as { CreatedAt: string }[])[0].CreatedAt;
    cpSync(join(release(R2), "stacks", STACK, "cdk.tf.json"), join(work, "stacks", STACK, "cdk.tf.json"));
    // Same image set, new release: exactly the containers that carry the label change, nothing else.
    const labelled = s
      .containers()
      .filter((c) => s.isDeployed(c) && (c.config.labels ?? []).some((l: { label: string }) => l.label === "release"))
      .map((c) => `docker_container.${c.id}${c.gated ? "[0]" : ""}`)
      .sort();
    expect(labelled).toContain("docker_container.zfs_sync_app");
    const plan = await s.tf.plan();
    expect(plan.changes.map((c) => c.address).sort()).toEqual(labelled);
    await s.tf.applyOk({ overrides: s.images(2) });
    await waitHealthy([APP], 3 * 60_000);
    const r = await z3ops(["status", STACK], { vars: s.images(2) });
    expect(statusRow(r.stdout)).toMatch(new RegExp(` ${R2} `));
    expect((await mustInspect(APP)).Config.Labels?.["org.z3-e2e.version"]).toBe("2");
  });

  step(
    `rollback to ${R1}: refused without --yes and a terminal; with --yes re-applied through Terraform, verified, data kept`,
    async () => {
      const refused = await z3ops(["rollback", STACK, R1, "--from", release(R1)]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/confirm with --yes/);
      const wrong = await z3ops(["rollback", STACK, R2, "--from", release(R1), "--yes"]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(new RegExp(`is release ${R1}, not ${R2}`));

      const r = await z3ops(["rollback", STACK, R1, "--from", release(R1), "--yes", "--wait", "120"]);
      say(`z3ops rollback:\n${r.stdout}`);
      if (r.code !== 0) throw new Error(`rollback exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toMatch(new RegExp(`^rolled ${STACK} back to ${R1}: Apply complete!`, "m"));
      expect(r.stdout).toMatch(/^✓ service zfs-sync-dev-app +running, healthy$/m);
      expect(r.stdout).toMatch(/^OK: zfs-sync-dev: /m);
      const app = await mustInspect(APP);
      expect(app.Config.Labels?.release).toBe(R1);
      expect(app.Config.Labels?.["org.z3-e2e.version"]).toBe("1");
      expect((await execOk(APP, ["cat", "/data/e2e-13-marker"])).trim()).toBe("kept-13");
      expect((JSON.parse(await dockerOk(["volume", "inspect", VOLUME])) as { CreatedAt: string }[])[0].CreatedAt).toBe(volumeCreated);
    },
  );

  step("drift, clean: exit 0 and nothing on stdout", async () => {
    const r = await z3ops(["drift", STACK]);
    if (r.code !== 0) throw new Error(`drift of a clean stack exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toBe("");
  });

  step("drift, a stopped container: exit 1, the app's container named with the change", async () => {
    await dockerOk(["stop", APP]);
    try {
      const r = await z3ops(["drift", STACK]);
      say(`z3ops drift (stopped):\n${r.stdout}`);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("`docker_container.zfs_sync_app`");
      expect(r.stdout).toMatch(/Changed outside Terraform:|What the next apply would do:/);
    } finally {
      await dockerOk(["start", APP]);
      await waitHealthy([APP], 3 * 60_000);
    }
  });

  step("drift, a removed network: exit 1, the container and its networks named; apply heals, drift is clean again", async () => {
    const network = Object.keys((await mustInspect(APP)).NetworkSettings?.Networks ?? {})[0];
    expect(network).toBeDefined();
    await dockerOk(["network", "disconnect", network, APP]);
    const r = await z3ops(["drift", STACK]);
    say(`z3ops drift (network ${network} disconnected):\n${r.stdout}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("`docker_container.zfs_sync_app`");
    expect(r.stdout).toMatch(/network/);
    await s.tf.applyOk();
    await waitHealthy([APP], 3 * 60_000);
    const clean = await z3ops(["drift", STACK]);
    expect({ code: clean.code, stdout: clean.stdout }).toEqual({ code: 0, stdout: "" });
  });

  step(
    "restore: --dry-run lists what would change and changes nothing; without --yes and a terminal it is refused; a wrong answer on a terminal changes nothing; --yes restores",
    async () => {
      await backupNow(s);
      await execOk(APP, ["sh", "-c", "echo after-backup > /data/e2e-13-after"]);
      const dry = await z3ops(["restore", STACK, VOLUME, "--dry-run"]);
      say(`z3ops restore --dry-run:\n${dry.stdout}`);
      if (dry.code !== 0) throw new Error(`dry run exited ${dry.code}:\n${dry.stdout}\n${dry.stderr}`);
      expect(dry.stdout).toMatch(/^dry run: restoring zfs-sync-dev-data from snapshot latest/m);
      expect(dry.stdout).toContain("e2e-13-after");
      expect(dry.stdout).toMatch(/nothing was changed$/m);
      expect((await execOk(APP, ["cat", "/data/e2e-13-after"])).trim()).toBe("after-backup");

      const refused = await z3ops(["restore", STACK, VOLUME]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/confirm with --yes/);

      // A terminal (script(1) gives the CLI a pty); the answer is not the volume name.
      const answerFile = join(root, "answer");
      writeFileSync(answerFile, "no\n");
      const vars = Object.entries(s.vars).flatMap(([k, v]) => ["-var", `'${k}=${v.replace(/'/g, "'\\''")}'`]);
      const cmd = ["node", "tools/cli/z3ops.js", "restore", STACK, VOLUME, "--out", work, ...vars].join(" ");
      const tty = await run("sh", ["-c", `script -qec "${cmd.replace(/"/g, '\\"')}" /dev/null < ${answerFile}`], {
        cwd: REPO_ROOT,
        env: s.tf.env(),
        timeoutMs: 5 * 60_000,
      });
      expect(`${tty.stdout}${tty.stderr}`).toMatch(/Type the volume name to go on/);
      expect(`${tty.stdout}${tty.stderr}`).toMatch(/not confirmed; nothing was changed/);
      expect((await execOk(APP, ["cat", "/data/e2e-13-after"])).trim()).toBe("after-backup");

      const restored = await z3ops(["restore", STACK, VOLUME, "--yes"]);
      if (restored.code !== 0) throw new Error(`restore exited ${restored.code}:\n${restored.stdout}\n${restored.stderr}`);
      await waitHealthy([APP], 3 * 60_000);
      expect((await execOk(APP, ["sh", "-c", "ls /data"])).split("\n")).not.toContain("e2e-13-after");
      expect((await execOk(APP, ["cat", "/data/e2e-13-marker"])).trim()).toBe("kept-13");
    },
  );

  step("terraform destroy leaves no container, volume or network of the stack", async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
  });
});
