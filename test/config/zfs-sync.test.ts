import { ENVIRONMENTS } from "../../config/environments";
import { EnvironmentSettings, settingsProblems } from "../../config/settings";
import { ZFS_SYNC_SETTINGS } from "../../config/zfs-sync/environments";
import { synthesize } from "../../app";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clone, problems, put, remove } from "./settings-helpers";
import { APP_BUILDS_WITHOUT_ALEMBIC } from "../../config/zfs-sync/schema";

/** Problems in the ZFS Sync part of one environment's settings, as `path=value`. */
function problemsOf(env: EnvironmentSettings): string[] {
  return settingsProblems(env)
    .filter((p) => p.path.startsWith("zfsSync"))
    .map((p) => `${p.path}=${JSON.stringify(p.value)}`);
}

describe("shipped ZFS Sync settings", () => {
  test("are valid in every environment", () => {
    for (const env of Object.values(ENVIRONMENTS)) expect([env.name, problemsOf(env)]).toEqual([env.name, []]);
  });
  test("each environment reads its own entry", () => {
    expect(ENVIRONMENTS.dev.zfsSync).toBe(ZFS_SYNC_SETTINGS.dev);
    expect(ENVIRONMENTS.staging.zfsSync).toBe(ZFS_SYNC_SETTINGS.staging);
    expect(ENVIRONMENTS.production.zfsSync).toBe(ZFS_SYNC_SETTINGS.production);
  });
  test("dev is upstream's base stack; staging and production its production override behind the proxy", () => {
    expect(ZFS_SYNC_SETTINGS.dev).toMatchObject({ database: { kind: "sqlite" }, appHostPort: 8000, migrations: false });
    expect(ZFS_SYNC_SETTINGS.dev.proxy).toBeUndefined();
    for (const z of [ZFS_SYNC_SETTINGS.staging, ZFS_SYNC_SETTINGS.production]) {
      expect(z).toMatchObject({ database: { kind: "postgres" }, migrations: true, proxy: { httpsPort: 443 } });
      expect(z.appHostPort).toBeUndefined();
    }
  });
});

describe("ZFS Sync settings validation", () => {
  test("fails when staging or production runs SQLite", () => {
    const all = clone();
    all.production.zfsSync.database = { kind: "sqlite" };
    all.staging.zfsSync.database = { kind: "sqlite" };
    expect(problemsOf(all.production)).toEqual(['zfsSync.database.kind="sqlite"']);
    // Staging's two app tasks on the swarm would also share the SQLite file (swarm-settings.test.ts).
    expect(problemsOf(all.staging)).toEqual(['zfsSync.database.kind="sqlite"', "zfsSync.deployment.replicas.app=2"]);
  });
  test("fails when the database kind is unknown", () => {
    const all = clone();
    put(all.dev.zfsSync, { database: { kind: "mysql" } });
    expect(problemsOf(all.dev)).toEqual(['zfsSync.database.kind="mysql"']);
  });
  test("fails when the SQLite host path is relative, the root, or climbs with '..'", () => {
    for (const bad of ["var/lib/zfs-sync", "/", "/var/lib/../etc", "/data dir"]) {
      const all = clone();
      all.dev.zfsSync.database = { kind: "sqlite", hostPath: bad };
      expect(problemsOf(all.dev)).toEqual([`zfsSync.database.hostPath=${JSON.stringify(bad)}`]);
    }
    const all = clone();
    all.dev.zfsSync.database = { kind: "sqlite", hostPath: "/var/lib/zfs-sync" };
    expect(problemsOf(all.dev)).toEqual([]);
  });
  test("fails when Terraform would wait less than 10 s for PostgreSQL", () => {
    const all = clone();
    all.production.zfsSync.database = { kind: "postgres", waitForHealthySeconds: 5 };
    expect(problemsOf(all.production)).toEqual(["zfsSync.database.waitForHealthySeconds=5"]);
  });
  test("fails when migrations is not a boolean", () => {
    const all = clone();
    put(all.staging.zfsSync, { migrations: "yes" });
    expect(problemsOf(all.staging)).toEqual(['zfsSync.migrations="yes"']);
  });
  test("fails when the log level is not one upstream accepts", () => {
    const all = clone();
    put(all.dev.zfsSync, { logLevel: "info" });
    expect(problemsOf(all.dev)).toEqual(['zfsSync.logLevel="info"']);
  });
  test("fails when production turns debug on (dev may)", () => {
    const all = clone();
    all.production.zfsSync.debug = true;
    all.dev.zfsSync.debug = true;
    expect(problemsOf(all.production)).toEqual(["zfsSync.debug=true"]);
    expect(problemsOf(all.dev)).toEqual([]);
  });
  test("fails when the app host port is out of range", () => {
    const all = clone();
    all.dev.zfsSync.appHostPort = 70000;
    expect(problemsOf(all.dev)).toEqual(["zfsSync.appHostPort=70000"]);
  });
  test("fails when the app publishes a port although a proxy fronts it", () => {
    const all = clone();
    all.production.zfsSync.appHostPort = 8000;
    expect(problemsOf(all.production)).toEqual(["zfsSync.appHostPort=8000"]);
  });
  test("fails when the API would be unreachable (no proxy, no host port)", () => {
    const all = clone();
    delete all.dev.zfsSync.appHostPort;
    expect(problemsOf(all.dev)).toEqual(["zfsSync.proxy=undefined"]);
  });
  test("fails when staging or production has no TLS proxy", () => {
    const all = clone();
    delete all.staging.zfsSync.proxy;
    all.staging.zfsSync.appHostPort = 8000;
    expect(problemsOf(all.staging)).toEqual(["zfsSync.proxy=undefined"]);
  });
  test("fails when a proxy setting is out of range, naming each one", () => {
    const all = clone();
    all.production.zfsSync.proxy = {
      httpsPort: 0,
      requestsPerSecond: 0,
      burst: -1,
      maxRequestBodyMiB: 0,
      hstsMaxAgeSeconds: -1,
      waitForHealthySeconds: 5,
    };
    expect(problemsOf(all.production)).toEqual([
      "zfsSync.proxy.httpsPort=0",
      "zfsSync.proxy.requestsPerSecond=0",
      "zfsSync.proxy.burst=-1",
      "zfsSync.proxy.maxRequestBodyMiB=0",
      "zfsSync.proxy.hstsMaxAgeSeconds=-1",
      "zfsSync.proxy.waitForHealthySeconds=5",
    ]);
  });
  test("fails when the app wait is below 10 s", () => {
    const all = clone();
    all.staging.zfsSync.appWaitForHealthySeconds = 3;
    expect(problemsOf(all.staging)).toEqual(["zfsSync.appWaitForHealthySeconds=3"]);
  });
  test("fails when production uses an unpinned image (dev accepts latest)", () => {
    const all = clone();
    all.production.zfsSync.images.proxy = "nginxinc/nginx-unprivileged:latest";
    all.dev.zfsSync.images.app = "zfs-sync:latest";
    expect(problemsOf(all.production)).toEqual(['zfsSync.images.proxy="nginxinc/nginx-unprivileged:latest"']);
    expect(problemsOf(all.dev)).toEqual([]);
  });
  test("fails when a deployed production service has no limits; undeployed services need none", () => {
    const all = clone();
    delete all.production.zfsSync.resources.migrate;
    expect(problemsOf(all.production)).toEqual([
      "zfsSync.resources.migrate.memoryMiB=undefined",
      "zfsSync.resources.migrate.cpus=undefined",
    ]);
    all.production.zfsSync.migrations = false;
    expect(problemsOf(all.production)).toEqual([]);
  });
  test("fails when limits name an unknown service or are not sane", () => {
    const all = clone();
    put(all.dev.zfsSync.resources, { worker: { memoryMiB: 64 } });
    all.dev.zfsSync.resources.app = { memoryMiB: 2, cpus: 0 };
    expect(problemsOf(all.dev)).toEqual([
      "zfsSync.resources.app.memoryMiB=2",
      "zfsSync.resources.app.cpus=0",
      'zfsSync.resources.worker={"memoryMiB":64}',
    ]);
  });
  test("fails when a service's log rotation is incomplete or invalid, or the default is missing", () => {
    const all = clone();
    all.dev.zfsSync.logging = {
      default: all.dev.zfsSync.logging.default,
      overrides: { app: { maxSizeMiB: 0, maxFiles: 3, compress: false } },
    };
    (all.dev.zfsSync.logging.overrides as Record<string, unknown>).proxy = { maxSizeMiB: 10 };
    expect(problemsOf(all.dev)).toEqual([
      "zfsSync.logging.overrides.app.maxSizeMiB=0",
      "zfsSync.logging.overrides.proxy.maxFiles=undefined",
      "zfsSync.logging.overrides.proxy.compress=undefined",
    ]);
    delete (all.staging.zfsSync.logging as Partial<typeof all.staging.zfsSync.logging>).default;
    expect(problemsOf(all.staging)).toEqual(["zfsSync.logging.default=undefined"]);
  });
  test("fails when the ZFS Sync settings are missing altogether", () => {
    const all = clone();
    remove(all.dev, "zfsSync");
    expect(problemsOf(all.dev)).toEqual(["zfsSync=undefined"]);
  });
});

describe("npm run synth with bad ZFS Sync settings", () => {
  test("exits 1 and names every problem at once as [env] path: got X; allowed: Y", () => {
    const all = clone();
    all.production.zfsSync.database = { kind: "sqlite" };
    all.production.zfsSync.debug = true;
    all.dev.zfsSync.appHostPort = 0;
    let stderr = "";
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "zfs-sync-bad-"));
    expect(synthesize(all, { outdir: out, stderr: (t) => (stderr += t) })).toBe(1);
    expect(stderr).toContain('- [production] zfsSync.database.kind: got "sqlite"; allowed: "postgres" outside dev');
    expect(stderr).toContain("- [production] zfsSync.debug: got true; allowed: false in the production environment");
    expect(stderr).toContain("- [dev] zfsSync.appHostPort: got 0; allowed: an integer from 1 to 65535");
    expect(fs.existsSync(path.join(out, "stacks", "zfs-sync-production"))).toBe(false);
  });
});

describe("the migration job and the app image", () => {
  test("the shipped staging and production defaults run it on a build with alembic.ini", () => {
    const all = clone();
    for (const env of ["staging", "production"] as const) {
      expect(all[env].zfsSync.migrations).toBe(true);
      expect(APP_BUILDS_WITHOUT_ALEMBIC).not.toContain(all[env].zfsSync.images.app.split(":").pop());
    }
  });
  test("settings refuse the migration job with a build that has no alembic.ini, before anything is deployed", () => {
    const all = clone();
    all.production.zfsSync.images.app = "zfs-sync:0.2.0";
    expect(problems(all)).toEqual([
      '[production] zfsSync.migrations: got true; allowed: false with images.app "zfs-sync:0.2.0": that build has no alembic.ini, so the migration job would fail; or an app image built from upstream b1961a5 or later (docs/zfs-sync.md)',
    ]);
    // Pinned by digest too, the tag still names the build.
    all.production.zfsSync.images.app = `zfs-sync:0.2.0@sha256:${"c".repeat(64)}`;
    expect(problems(all)).toEqual([
      expect.stringMatching(
        /^\[production\] zfsSync\.migrations: got true; allowed: false with images\.app "zfs-sync:0\.2\.0@sha256:c+": that build has no alembic\.ini/,
      ),
    ]);
    all.production.zfsSync.migrations = false;
    expect(problems(all)).toEqual([]);
  });
});
