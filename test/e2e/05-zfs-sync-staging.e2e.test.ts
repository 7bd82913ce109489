import { execFileSync } from "child_process";
import { request } from "https";
import { TLSSocket } from "tls";
import { loadConfig } from "./harness/env";
import { psql } from "./harness/postgres";
import { RunResult, waitFor } from "./harness/process";
import { record, seconds } from "./harness/report";
import { StackUnderTest } from "./harness/stacks";
import { assertConverged } from "./harness/steps";
import { assertVerifyPasses } from "./harness/verify";
import { scenario } from "./harness/suite";
import { say } from "./harness/log";
import { SwarmTestbed } from "./harness/swarm";
import { buildLoadgen, Load, LoadSummary, leftOnNodes, nodeState, runningTasks, taskExec, waitForTasks } from "./harness/swarm-steps";

const PREFIX = "zfs-sync-staging";
/** The app stand-in whose health check fails (the failed-update fault). */
const BROKEN = "localhost/z3-e2e/zfs-sync-psql:broken";
const APP = `${PREFIX}-app`;
const PROXY = `${PREFIX}-proxy`;
const POSTGRES = `${PREFIX}-postgres`;
/**
 * Bounded load: at most this many requests and seconds per measured step. 8 a second from one client
 * address stays under each proxy task's rate limit (10 a second per address) even while one of the
 * two proxy tasks is being replaced.
 */
const LOAD = { maxRequests: 3000, maxSeconds: 300, ratePerSecond: 8 };

/**
 * zfs-sync-staging on a three-node swarm (network namespaces on this machine, each with its own
 * Docker daemon; node 0 is the manager and the data node), with its pg state backend: apply and
 * converge, a rolling image update under load, a failing image rolled back, a worker lost, a secret
 * rotated, and a destroy that leaves nothing on any node. The local engine is never touched.
 */
describe("zfs-sync-staging on a three-node swarm, state in PostgreSQL with locking", () => {
  let bed: SwarmTestbed;
  let s: StackUnderTest;
  let loadgen: string;
  let destroyed = false;
  const { step } = scenario();
  let updatedImages: Record<string, string>;
  /** The worker stopped in the node-loss step. */
  let worker: number | undefined;
  const urls = () => [0, 1, 2].map((i) => `https://${bed.address(i)}:443/api/v1/health/ready`);

  beforeAll(() => {
    const config = loadConfig();
    bed = SwarmTestbed.up(3);
    s = new StackUnderTest(PREFIX, config, { dockerHost: bed.managerHost, imagePrefix: "localhost/" });
    const refs = [...new Set([...Object.values(s.images(1)), ...Object.values(s.images(2)), BROKEN])];
    // The local engine only gains the registry-qualified tags; the images go to the nodes.
    for (const ref of refs) execFileSync("docker", ["tag", ref.replace(/^localhost\//, ""), ref]);
    const t0 = Date.now();
    bed.loadImages(refs);
    record(s.section, "images loaded onto 3 nodes s", seconds(Date.now() - t0));
    loadgen = buildLoadgen(config);
    updatedImages = { ...s.images(1), zfs_sync_image: s.images(2).zfs_sync_image, proxy_image: s.images(2).proxy_image };
  }, 600_000);
  afterAll(async () => {
    if (s && !destroyed && process.env.E2E_KEEP !== "1") await s.tf.destroy().catch(() => undefined);
    if (bed && process.env.E2E_KEEP !== "1") bed.down();
  }, 600_000);

  step("terraform init (pg backend), validate", async () => {
    expect(s.pgBackend).toBe(true);
    const init = await s.tf.init();
    record(s.section, "init s", seconds(init.ms));
    await s.tf.validate();
  });

  step(
    "two concurrent applies: the second one without a lock timeout fails on the lock, a third one waits for it; the stack converges",
    async () => {
      const pg = loadConfig().pgConnStr!;
      const a = s.tf.apply().then((r) => ({ r, end: Date.now() }));
      await waitFor(
        "apply A to create the first service",
        async () => bed.docker(0, ["service", "ls", "--format", "{{.Name}}"]).includes(PREFIX),
        { timeoutMs: 180_000, intervalMs: 1000 },
      );
      expect(Number(await psql(pg, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))).toBeGreaterThan(0);
      const b = await s.tf.apply({ extra: ["-lock-timeout=0s"] });
      expect(b.code).toBe(1);
      expect(b.stderr + b.stdout).toMatch(/Error acquiring the state lock/);
      const cStart = Date.now();
      const c = s.tf.apply({ extra: ["-lock-timeout=15m"] }).then((r) => ({ r, end: Date.now() }));
      const [ra, rc] = await Promise.all([a, c]);
      applied(ra.r);
      applied(rc.r);
      expect(rc.r.stdout).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed\.|No changes\./);
      record(s.section, "apply (converged: every task running and healthy) s", seconds(ra.r.ms));
      record(s.section, "lock: third apply (lock-timeout 15m) waited s", seconds(ra.end - cStart));
      say(`${s.name}: converged in ${seconds(ra.r.ms)}s; the second apply failed on the lock, the third found nothing to do`);
      await assertConverged(s, "apply");
    },
  );

  step(
    "placement: PostgreSQL on the data node, two app tasks, two proxy tasks on different nodes; the proxy answers where it runs and only there",
    async () => {
      const pg = runningTasks(bed, POSTGRES);
      expect(pg.map((t) => t.node)).toEqual([0]);
      expect(runningTasks(bed, APP)).toHaveLength(2);
      const proxies = runningTasks(bed, PROXY);
      expect(proxies).toHaveLength(2);
      expect(new Set(proxies.map((t) => t.node)).size).toBe(2);
      for (const i of [0, 1, 2]) {
        const answer = await tlsGet(bed.address(i), "/api/v1/health/ready", s.secrets.tls_certificate)
          .then((r) => r.status)
          .catch(() => "refused");
        expect([i, answer]).toEqual([i, proxies.some((t) => t.node === i) ? 200 : "refused"]);
      }
      // The migration job ran once, as a container on the data node.
      expect(bed.docker(0, ["inspect", "-f", "{{.State.ExitCode}}", `${PREFIX}-migrate`]).trim()).toBe("0");
    },
  );

  step(
    "npm run verify passes against the swarm (tasks running and healthy, host-mode endpoints only where a task runs, app → postgres open)",
    async () => {
      await assertVerifyPasses(s, bed.managerHost);
    },
  );

  step(
    "real nginx and PostgreSQL: HTTPS with the delivered certificate (chain and name verified), the security headers, the rate limit, the app reaching PostgreSQL 15",
    async () => {
      const node = runningTasks(bed, PROXY)[0].node;
      const ready = await tlsGet(bed.address(node), "/api/v1/health/ready", s.secrets.tls_certificate);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body).database).toBe("postgres");
      expect(ready.headers["strict-transport-security"]).toBe("max-age=86400");
      expect(ready.headers["x-content-type-options"]).toBe("nosniff");
      expect(ready.headers["x-frame-options"]).toBe("DENY");
      expect(ready.protocol).toMatch(/^TLSv1\.[23]$/);
      // A certificate the client does not trust is refused (the chain really is checked).
      await expect(tlsGet(bed.address(node), "/api/v1/health/ready", undefined)).rejects.toThrow(/self[- ]signed|unable to verify/i);
      // A burst above rate + burst from one address gets 429 from nginx's limit_req. The requests nginx
      // lets through queue at the app stand-in (busybox shell), hence the long timeout.
      const statuses = await Promise.all(
        Array.from({ length: 80 }, () =>
          tlsGet(bed.address(node), "/api/v1/health", s.secrets.tls_certificate, 120_000).then((r) => r.status),
        ),
      );
      expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
      expect(statuses.filter((x) => x === 200).length).toBeGreaterThan(0);
      record(
        s.section,
        "rate limit: 80 requests at once from one address, answered 200 / 429",
        `${statuses.filter((x) => x === 200).length} / ${statuses.filter((x) => x === 429).length}`,
      );
      const pg = runningTasks(bed, POSTGRES)[0];
      expect(taskExec(bed, pg, ["postgres", "--version"])).toMatch(/PostgreSQL\) 15\./);
      expect(taskExec(bed, pg, ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+70\s+70\s+70\s+70$/m);
      await new Promise((r) => setTimeout(r, 5000));
    },
  );

  step(
    "secrets: owned by the reading user, 0400, in memory; the database URL is a secret too; no value in service or container inspect",
    async () => {
      const proxy = runningTasks(bed, PROXY)[0];
      expect(taskExec(bed, proxy, ["stat", "-L", "-c", "%a %u:%g", "/run/secrets/tls_private_key"]).trim()).toBe("400 101:101");
      expect(taskExec(bed, proxy, ["cat", "/run/secrets/tls_private_key"])).toBe(s.secrets.tls_private_key);
      expect(taskExec(bed, proxy, ["stat", "-L", "-c", "%a %u:%g", "/etc/nginx/zfs-sync/nginx.conf"]).trim()).toBe("444 101:101");
      const pg = runningTasks(bed, POSTGRES)[0];
      expect(taskExec(bed, pg, ["stat", "-L", "-c", "%a %u:%g", "/run/secrets/postgres_password"]).trim()).toBe("400 70:70");
      const app = runningTasks(bed, APP)[0];
      expect(taskExec(bed, app, ["stat", "-L", "-c", "%a %u:%g", "/app/config/zfs_sync.yaml"]).trim()).toBe("400 1001:1001");
      expect(bed.docker(0, ["config", "ls", "--format", "{{.Name}}"])).not.toMatch(/zfs-sync-staging-app-/);
      const inspected = [
        bed.docker(0, ["service", "inspect", APP, PROXY, POSTGRES]),
        ...[0, 1, 2].map((i) => bed.docker(i, ["inspect", ...bed.docker(i, ["ps", "-q"]).split("\n").filter(Boolean)]).toString()),
      ].join("\n");
      const leaks = Object.entries(s.secrets).filter(([, v]) => inspected.includes(v) || inspected.includes(encodeURIComponent(v)));
      expect(leaks.map(([k]) => k)).toEqual([]);
    },
  );

  step(
    "a rolling image update of the app and the proxy under load: every request answered but at most 1% (target: none; the figures record the count)",
    async () => {
      const load = new Load(loadgen, urls(), LOAD);
      const t0 = Date.now();
      // PostgreSQL is a single task: changing its image is a stop-first restart, during which readiness
      // (which queries the database) answers 503 by design. This step rolls the replicated services.
      await s.tf.applyOk({ overrides: updatedImages });
      const updateMs = Date.now() - t0;
      await new Promise((r) => setTimeout(r, 3000));
      const summary = await load.stop();
      expect(runningTasks(bed, APP).map((t) => t.image)).toEqual([expect.stringContaining(":2"), expect.stringContaining(":2")]);
      expect(runningTasks(bed, PROXY).map((t) => t.image)).toEqual([expect.stringContaining(":2"), expect.stringContaining(":2")]);
      record(s.section, "rolling update (app + proxy, 2 tasks each) s", seconds(updateMs));
      record(
        s.section,
        "rolling update: requests sent / failed / retried on another node",
        `${summary.requests} / ${summary.failed} / ${summary.retries}`,
      );
      expectAtMostOnePercentFailed(summary);
      expect(summary.ok).toBeGreaterThan(100);
      await assertConverged(s, "the rolling update", updatedImages);
    },
  );

  step("a failing image is rolled back: the apply reports it and the service keeps answering", async () => {
    const load = new Load(loadgen, urls(), LOAD);
    const t0 = Date.now();
    const r = await s.tf.apply({ overrides: { ...updatedImages, zfs_sync_image: BROKEN } });
    const ms = Date.now() - t0;
    const summary = await load.stop();
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/rollback|rolled back/i);
    const spec = JSON.parse(bed.docker(0, ["service", "inspect", APP]))[0].Spec.TaskTemplate.ContainerSpec.Image as string;
    expect(spec).toContain(updatedImages.zfs_sync_image);
    expect(runningTasks(bed, APP).map((t) => t.image)).toEqual([expect.stringContaining(":2"), expect.stringContaining(":2")]);
    record(s.section, "failed update detected and rolled back s", seconds(ms));
    record(s.section, "failed update: requests sent / failed", `${summary.requests} / ${summary.failed}`);
    expectAtMostOnePercentFailed(summary);
    // The state still holds the rolled-back spec's image: applying the good image converges.
    await s.tf.applyOk({ overrides: updatedImages });
    await assertConverged(s, "the rollback", updatedImages);
  });

  step("losing a worker node: its tasks are rescheduled on the others and the service keeps answering", async () => {
    const lost = [1, 2].find(
      (i) => runningTasks(bed, PROXY).some((t) => t.node === i) || runningTasks(bed, APP).some((t) => t.node === i),
    )!;
    expect(lost).toBeDefined();
    worker = lost;
    const load = new Load(loadgen, urls(), LOAD);
    const t0 = Date.now();
    bed.stopNode(lost);
    const proxyMs = await waitForTasks(bed, PROXY, 2, { notOn: lost, timeoutMs: 240_000 });
    const appMs = await waitForTasks(bed, APP, 2, { notOn: lost, timeoutMs: 240_000 });
    const rescheduleMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 5000));
    const summary = await load.stop();
    record(s.section, `node ${lost} stopped: tasks running again elsewhere after s`, seconds(rescheduleMs));
    record(
      s.section,
      "node loss: requests sent / failed / retried on another node",
      `${summary.requests} / ${summary.failed} / ${summary.retries}`,
    );
    say(
      `${s.name}: node ${lost} down; proxy tasks back after ${seconds(proxyMs)}s, app tasks after ${seconds(appMs)}s; ${summary.failed} requests failed`,
    );
    expect(summary.ok).toBeGreaterThan(0);
    expect((await tlsGet(bed.address(runningTasks(bed, PROXY)[0].node), "/api/v1/health/ready", s.secrets.tls_certificate)).status).toBe(
      200,
    );
    bed.startNode(lost);
    await waitFor(`node ${lost} ready again`, async () => nodeState(bed, lost) === "ready", { timeoutMs: 120_000, intervalMs: 1000 });
  });

  step("a secret rotation rolls the proxy: the new secret is mounted 0400 for 101, the old one is removed", async () => {
    const before = bed
      .docker(0, ["secret", "ls", "--format", "{{.Name}}"])
      .split("\n")
      .filter((n) => n.startsWith(`${PROXY}-key-`));
    expect(before).toHaveLength(1);
    const secrets = s.secrets as Record<string, string>;
    secrets.tls_private_key = `# rotated\n${secrets.tls_private_key}`;
    const load = new Load(loadgen, urls(), LOAD);
    await s.tf.applyOk({ overrides: updatedImages });
    const summary = await load.stop();
    const after = bed
      .docker(0, ["secret", "ls", "--format", "{{.Name}}"])
      .split("\n")
      .filter((n) => n.startsWith(`${PROXY}-key-`));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    for (const task of runningTasks(bed, PROXY)) {
      expect(taskExec(bed, task, ["cat", "/run/secrets/tls_private_key"])).toBe(secrets.tls_private_key);
      expect(taskExec(bed, task, ["stat", "-L", "-c", "%a %u:%g", "/run/secrets/tls_private_key"]).trim()).toBe("400 101:101");
    }
    record(s.section, "secret rotation: requests sent / failed", `${summary.requests} / ${summary.failed}`);
    expectAtMostOnePercentFailed(summary);
    await assertConverged(s, "the rotation", updatedImages);
  });

  step("terraform destroy leaves nothing of the stack on any node; the state in PostgreSQL is empty", async () => {
    const r = await s.tf.destroy();
    if (r.code !== 0) throw new Error(`destroy failed (exit ${r.code}):\n${(r.stderr + r.stdout).split("\n").slice(-40).join("\n")}`);
    destroyed = true;
    record(s.section, "destroy s", seconds(r.ms));
    // A node that was lost keeps the anonymous volumes of its tasks that swarm replaced while it was
    // away (its daemon removes their containers on rejoining, not their volumes): reported, and
    // documented in docs/swarm.md; everything else must be gone.
    const strayOnLostNode = (x: string) => worker !== undefined && x.startsWith(`node${worker} anonymous volume`);
    await waitFor("every task container to go", async () => leftOnNodes(bed, PREFIX).filter((x) => !strayOnLostNode(x)).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      describe: async () => leftOnNodes(bed, PREFIX).join(", "),
    });
    record(s.section, "anonymous volumes left on the node that was lost", leftOnNodes(bed, PREFIX).filter(strayOnLostNode).length);
    expect(await s.tf.stateList()).toEqual([]);
  });
});

/** GET over HTTPS from the host, verifying the chain against `ca` (the suite's self-signed certificate) and the stack's server name. */
function tlsGet(
  address: string,
  path: string,
  ca: string | undefined,
  timeoutMs = 10_000,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port: 443,
        path,
        servername: "zfs-sync.e2e.test",
        ca,
        timeout: timeoutMs,
        headers: { host: "zfs-sync.e2e.test" },
        agent: false,
      },
      (res) => {
        const protocol = (res.socket as TLSSocket).getProtocol() ?? "";
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, protocol }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * The target is no failed request, and the figures (recorded by each step) say how close a run came.
 * A client of a host-mode port still meets the odd refused or timed-out request while tasks move
 * (nginx caches the app's addresses for up to 10 s): up to 1% fails the step only above that.
 */
function expectAtMostOnePercentFailed(summary: LoadSummary): void {
  if (summary.failed > 0) say(`load: ${summary.failed} of ${summary.requests} requests failed: ${JSON.stringify(summary.failureKinds)}`);
  expect(summary.failed).toBeLessThanOrEqual(Math.floor(summary.requests / 100));
}

function applied(r: RunResult): void {
  if (r.code !== 0) throw new Error(`apply failed (exit ${r.code}):\n${(r.stderr + r.stdout).split("\n").slice(-40).join("\n")}`);
}
