import { loadConfig } from "./harness/env";
import { exec, execOk, existing, logsTail, mustInspect, waitHealthy } from "./harness/docker";
import { http } from "./harness/net";
import { psql } from "./harness/postgres";
import { waitFor } from "./harness/process";
import { record, seconds } from "./harness/report";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertEngineMatchesConfig,
  assertPublishedPorts,
  assertReadOnly,
  assertRunningAndHealthy,
  assertSecretFile,
  assertSecretsNotInInspect,
  cleanUp,
  destroyAndAssertClean,
  ensureNoConflicts,
  faultKillMainProcess,
} from "./harness/steps";
import { scenario } from "./harness/suite";
import { say } from "./harness/log";
import { RunResult } from "./harness/process";

/**
 * zfs-sync-staging with its pg state backend: PostgreSQL (root -> 70, password file), the one-shot
 * migration, the app and the TLS proxy; two concurrent applies of the same stack against the lock.
 */
describe("zfs-sync-staging on the local engine, state in PostgreSQL with locking", () => {
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  beforeAll(() => {
    s = new StackUnderTest("zfs-sync-staging", loadConfig());
  });
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step("terraform init (pg backend), validate", async () => {
    expect(s.pgBackend).toBe(true);
    const init = await s.tf.init();
    record(s.section, "init s", seconds(init.ms));
    await s.tf.validate();
  });

  step("two concurrent applies: the second one without a lock timeout fails on the lock, a third one waits for it; the state stays consistent", async () => {
    const pg = loadConfig().pgConnStr!;
    say(`${s.name}: apply A started`);
    const a = s.tf.apply().then((r) => ({ r, end: Date.now() }));
    // A holds the state lock for its whole run; its first containers show it is mid-apply.
    await waitFor("apply A to create the first container", async () => (await existing("container", ["zfs-sync-staging-postgres"])).length > 0, { timeoutMs: 120_000 });
    const advisory = Number(await psql(pg, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    expect(advisory).toBeGreaterThan(0);
    const b = await s.tf.apply({ extra: ["-lock-timeout=0s"] });
    expect(b.code).toBe(1);
    expect(b.stderr + b.stdout).toMatch(/Error acquiring the state lock/);
    say(`${s.name}: apply B (lock-timeout 0s) failed on the lock while A runs, as it should`);
    const cStart = Date.now();
    const c = s.tf.apply({ extra: ["-lock-timeout=10m"] }).then((r) => ({ r, end: Date.now() }));
    const [ra, rc] = await Promise.all([a, c]);
    expect(assertApplied(ra.r)).toBe(0);
    expect(assertApplied(rc.r)).toBe(0);
    expect(rc.end).toBeGreaterThanOrEqual(ra.end);
    expect(rc.r.stdout).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed\.|No changes\./);
    say(`${s.name}: apply A done in ${seconds(ra.r.ms)}s; apply C waited ${seconds(ra.end - cStart)}s for the lock, then found nothing to do`);
    record(s.section, "apply s", seconds(ra.r.ms));
    record(s.section, "lock: second apply (lock-timeout 0s)", "failed: Error acquiring the state lock");
    record(s.section, "lock: third apply (lock-timeout 10m) waited s", seconds(ra.end - cStart));
    expect(Number(await psql(pg, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))).toBe(0);
    const state = await s.tf.stateList();
    record(s.section, "resources", state.length);
    record(s.section, "containers", state.filter((x) => x.startsWith("docker_container.")).length);
    await assertConverged(s, "the concurrent applies");
  });

  step("services run and are healthy; the migration job exited 0", async () => {
    await assertRunningAndHealthy(s, 4 * 60_000);
    expect(await logsTail("zfs-sync-staging-migrate")).toMatch(/no Alembic revision recorded yet/);
  });
  step("docker inspect matches the synthesized configuration", async () => assertEngineMatchesConfig(s));

  step("PostgreSQL starts as root, runs as 70, reads its 0444 password file as 70; the app opens it with the percent-encoded password from its read-only config", async () => {
    expect(await execOk("zfs-sync-staging-postgres", ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+70\s+70\s+70\s+70$/m);
    await assertSecretFile(s, "zfs-sync-staging-postgres", "/run/secrets/postgres_password", "postgres_password", "0444", "70:70");
    expect((await execOk("zfs-sync-staging-postgres", ["stat", "-c", "%a %u", "/var/lib/postgresql/data/pgdata"])).trim()).toBe("700 70");
    const config = await execOk("zfs-sync-staging-app", ["cat", "/app/config/zfs_sync.yaml"]);
    expect(config).toContain(`postgresql://zfssync:${encodeURIComponent(s.secrets.postgres_password)}@postgres:5432/zfssync`);
    await assertReadOnly("zfs-sync-staging-app", "/app/config");
    await assertReadOnly("zfs-sync-staging-postgres", "/run/secrets");
  });

  step("the proxy (101) reads its certificate and key (0444) and is the only way in: public 443 forwards to the app, which reaches the database", async () => {
    await assertSecretFile(s, "zfs-sync-staging-proxy", "/run/secrets/tls_certificate", "tls_certificate", "0444", "101:101");
    await assertSecretFile(s, "zfs-sync-staging-proxy", "/run/secrets/tls_private_key", "tls_private_key", "0444", "101:101");
    const ready = await http("http://127.0.0.1:443/api/v1/health/ready");
    expect(ready?.status).toBe(200);
    expect(JSON.parse(ready!.body).database).toBe("postgres");
    await assertPublishedPorts(s, loadConfig().externalAddress);
    // Network segmentation: the proxy never sees the database network.
    expect((await exec("zfs-sync-staging-proxy", ["nc", "-w", "2", "postgres", "5432"])).code).not.toBe(0);
    expect((await exec("zfs-sync-staging-app", ["pg_isready", "-h", "postgres"])).code).toBe(0);
    await assertSecretsNotInInspect(s);
  });

  step("re-plan right after apply: no changes", async () => assertConverged(s, "apply"));

  step("fault: PostgreSQL crashes (SIGKILL); it restarts, the app's readiness recovers through the proxy", async () => {
    await faultKillMainProcess(s, "zfs-sync-staging-postgres", "host-kill");
    await waitFor("readiness through the proxy", async () => (await http("http://127.0.0.1:443/api/v1/health/ready"))?.status === 200, { timeoutMs: 60_000, intervalMs: 1000 });
    await assertConverged(s, "PostgreSQL restart");
  });

  step("fault: the app image changes (:2); the migration job runs again (now upgrading a stamped database) and the app is replaced, data kept", async () => {
    await s.tf.applyOk({ overrides: { zfs_sync_image: "z3-e2e/zfs-sync:2" } });
    await waitHealthy(["zfs-sync-staging-app", "zfs-sync-staging-proxy"], 4 * 60_000);
    expect(await logsTail("zfs-sync-staging-migrate")).toMatch(/at head \(head\); upgrading to head/);
    expect((await mustInspect("zfs-sync-staging-migrate")).State.ExitCode).toBe(0);
    expect((await mustInspect("zfs-sync-staging-app")).Config.Labels?.["org.z3-e2e.version"]).toBe("2");
    expect((await execOk("zfs-sync-staging-postgres", ["cat", "/var/lib/postgresql/data/pgdata/standin-kv/app_started"])).trim()).toBe("v2");
    await assertConverged(s, "the image change", { zfs_sync_image: "z3-e2e/zfs-sync:2" });
  });

  step("terraform destroy leaves no container, volume or network of the stack; the state in PostgreSQL is empty", async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
    expect(await s.tf.stateList()).toEqual([]);
  });
});

function assertApplied(r: RunResult): number {
  if (r.code !== 0) throw new Error(`apply failed (exit ${r.code}):\n${(r.stderr + r.stdout).split("\n").slice(-40).join("\n")}`);
  return r.code;
}
