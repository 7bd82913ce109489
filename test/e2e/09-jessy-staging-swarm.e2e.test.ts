import { execFileSync } from "child_process";
import { mkdtempSync, copyFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { loadConfig } from "./harness/env";
import { record, seconds } from "./harness/report";
import { StackUnderTest } from "./harness/stacks";
import { assertConverged } from "./harness/steps";
import { assertVerifyPasses } from "./harness/verify";
import { scenario } from "./harness/suite";
import { say } from "./harness/log";
import { waitFor } from "./harness/process";
import { SwarmTestbed } from "./harness/swarm";
import { buildLoadgen, LoadSummary, leftOnNodes, runningTasks, taskExec } from "./harness/swarm-steps";

const PREFIX = "jessy-staging";
const CORE = `${PREFIX}-core`;
const API = `${PREFIX}-api`;
const LOADGEN_IMAGE = "localhost/z3-e2e/loadgen:1";

/**
 * jessy-staging on a three-node swarm: jessy-core (the mmap volume's single writer) and two jessy-api
 * tasks (read-only readers of that volume) all on the data node, the mmap init as a one-shot container
 * there. jessy-api's port is loopback-only on the containers target, so the swarm publishes nothing:
 * the load comes from a client container on the stack's attachable overlay network.
 */
describe("jessy-staging on a three-node swarm", () => {
  let bed: SwarmTestbed;
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  beforeAll(() => {
    const config = loadConfig();
    bed = SwarmTestbed.up(3);
    s = new StackUnderTest(PREFIX, config, { dockerHost: bed.managerHost, imagePrefix: "localhost/" });
    // The load generator as an image of its own: the static binary alone.
    const dir = mkdtempSync(join(tmpdir(), "z3-loadgen-"));
    copyFileSync(buildLoadgen(config), join(dir, "loadgen"));
    execFileSync("bash", ["-c", `tar -C ${dir} -c loadgen | docker import -c 'ENTRYPOINT ["/loadgen"]' - ${LOADGEN_IMAGE}`], {
      stdio: "pipe",
    });
    rmSync(dir, { recursive: true, force: true });
    const refs = [...new Set([...Object.values(s.images(1)), ...Object.values(s.images(2))])];
    for (const ref of refs) execFileSync("docker", ["tag", ref.replace(/^localhost\//, ""), ref]);
    bed.loadImages([...refs, LOADGEN_IMAGE]);
  }, 600_000);
  afterAll(async () => {
    if (s && !destroyed && process.env.E2E_KEEP !== "1") await s.tf.destroy().catch(() => undefined);
    if (bed && process.env.E2E_KEEP !== "1") bed.down();
  }, 600_000);

  step("terraform init (pg backend), validate, apply: converges; re-plan shows no changes", async () => {
    await s.tf.init();
    await s.tf.validate();
    const r = await s.tf.applyOk();
    record(s.section, "apply (converged) s", seconds(r.ms));
    await assertConverged(s, "apply");
  });

  step("placement: core and both api tasks on the data node; the mmap init ran there once and exited 0", async () => {
    expect(runningTasks(bed, CORE).map((t) => t.node)).toEqual([0]);
    expect(runningTasks(bed, API).map((t) => t.node)).toEqual([0, 0]);
    expect(bed.docker(0, ["inspect", "-f", "{{.State.ExitCode}}", `${PREFIX}-mmap-init`]).trim()).toBe("0");
  });

  step("npm run verify passes against the swarm (core and both api tasks healthy, api → core open, nothing published)", async () => {
    await assertVerifyPasses(s, bed.managerHost);
  });

  step("core writes the mmap volume, the api tasks read it and cannot write; their secrets are 0400 for 1000", async () => {
    const core = runningTasks(bed, CORE)[0];
    taskExec(bed, core, ["sh", "-c", "echo swarm > /app/data/mmap/temp/e2e-probe"]);
    for (const api of runningTasks(bed, API)) {
      expect(taskExec(bed, api, ["cat", "/app/data/mmap/temp/e2e-probe"]).trim()).toBe("swarm");
      expect(() => taskExec(bed, api, ["sh", "-c", "echo x > /app/data/mmap/temp/e2e-write"])).toThrow(/Read-only file system/);
      expect(taskExec(bed, api, ["stat", "-L", "-c", "%a %u:%g", "/run/secrets/api_key"]).trim()).toBe("400 1000:1000");
    }
    // Nothing is published on any node: jessy-api's port is loopback-only on the containers target.
    expect(JSON.parse(bed.docker(0, ["service", "inspect", API]))[0].Endpoint?.Ports ?? []).toEqual([]);
  });

  step("a rolling update of jessy-api under load (from a client on the overlay network) loses no request", async () => {
    const name = `${PREFIX}-e2e-load`;
    const args = [
      "-urls",
      `http://${API}:3000/api/health`,
      "-max-requests",
      "6000",
      "-max-duration",
      "300s",
      "-rate",
      "20",
      "-timeout",
      "5s",
    ];
    bed.docker(0, ["run", "-d", "--name", name, "--network", `${PREFIX}-network`, LOADGEN_IMAGE, ...args]);
    say("load: 20 req/s to jessy-api by its service name (DNS round robin), at most 6000 requests or 300s");
    const t0 = Date.now();
    await s.tf.applyOk({ overrides: { ...s.images(1), jessy_api_image: "localhost/z3-e2e/jessy-api:2" } });
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 3000));
    bed.docker(0, ["kill", "-s", "INT", name]);
    await waitFor(
      "the load generator to print its summary",
      async () => bed.docker(0, ["inspect", "-f", "{{.State.Running}}", name]).trim() === "false",
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const summary = JSON.parse(bed.docker(0, ["logs", name]).trim().split("\n").pop()!) as LoadSummary;
    bed.docker(0, ["rm", name]);
    say(`load: ${summary.requests} sent, ${summary.ok} ok, ${summary.failed} failed`);
    record(s.section, "rolling update (api, 2 tasks) s", seconds(ms));
    record(s.section, "rolling update: requests sent / failed", `${summary.requests} / ${summary.failed}`);
    expect(runningTasks(bed, API).map((t) => t.image)).toEqual([expect.stringContaining(":2"), expect.stringContaining(":2")]);
    expect(summary.failureKinds).toEqual({});
    expect(summary.failed).toBe(0);
    expect(summary.ok).toBeGreaterThan(50);
    await assertConverged(s, "the rolling update", { ...s.images(1), jessy_api_image: "localhost/z3-e2e/jessy-api:2" });
  });

  step("terraform destroy leaves nothing of the stack on any node", async () => {
    const r = await s.tf.destroy();
    if (r.code !== 0) throw new Error(`destroy failed (exit ${r.code}):\n${(r.stderr + r.stdout).split("\n").slice(-40).join("\n")}`);
    destroyed = true;
    record(s.section, "destroy s", seconds(r.ms));
    await waitFor("every task container to go", async () => leftOnNodes(bed, PREFIX).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      describe: async () => leftOnNodes(bed, PREFIX).join(", "),
    });
  });
});
