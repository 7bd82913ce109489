import { TerraformStack, TerraformVariable, Testing } from "../../../lib/cdk";
import { ZFS_SYNC_SETTINGS } from "../../../config/zfs-sync/environments";
import type { ZfsSyncSettings } from "../../../config/zfs-sync/schema";
import { ZfsSync, ZfsSyncDeployment } from "../../../stacks/zfs-sync/zfs-sync";
import { container, DockerContainer, envMap, synthJson, TfJson } from "../../helpers";

const PRODUCTION = ZFS_SYNC_SETTINGS.production;

/** The construct on its own, with settings and deployment varied around the shipped production settings. */
function build(
  settings: Partial<ZfsSyncSettings>,
  deployment: Partial<ZfsSyncDeployment> | ((stack: TerraformStack) => Partial<ZfsSyncDeployment>) = {},
): TfJson {
  const stack = new TerraformStack(Testing.app(), "test");
  const given = typeof deployment === "function" ? deployment(stack) : deployment;
  new ZfsSync(stack, "ZfsSync", { ...PRODUCTION, ...settings }, { namePrefix: "zfs-sync-test", protectData: false, ...given });
  return synthJson(stack);
}
const mounts = (c: DockerContainer) =>
  c.volumes.map((v) => `${v.volume_name ?? v.host_path}:${v.container_path}:${v.read_only ? "ro" : "rw"}`);
/** Containers a container waits for, other than its own files loader (`<id>_files`). */
const containerDeps = (c: DockerContainer, id: string) =>
  c.depends_on.filter((d) => d.startsWith("docker_container.") && d !== `docker_container.${id}_files`);
/** The proxy's nginx.conf: uploaded through its files loader, never into the proxy itself. */
const nginxConf = (json: TfJson): string => {
  expect(container(json, "zfs_sync_proxy").upload).toBeUndefined();
  return container(json, "zfs_sync_proxy_files").upload.find((u) => u.file.endsWith("nginx.conf"))!.content;
};

describe("ZfsSync construct", () => {
  test("migrations off: no migration job, and the app depends on postgres only", () => {
    const json = build({ migrations: false });
    expect(json.resource.docker_container.zfs_sync_migrate).toBeUndefined();
    const app = container(json, "zfs_sync_app");
    expect(containerDeps(app, "zfs_sync_app")).toEqual(["docker_container.zfs_sync_postgres"]);
    expect(app.depends_on).toContain("docker_container.zfs_sync_app_files");
  });
  test("SQLite on a host path: a read-write bind mount at /data and no data volume", () => {
    const json = build({ database: { kind: "sqlite", hostPath: "/var/lib/zfs-sync" }, proxy: undefined, appHostPort: 8000 });
    expect(mounts(container(json, "zfs_sync_app"))).toContain("/var/lib/zfs-sync:/data:rw");
    expect(json.resource.docker_volume.zfs_sync_data_volume).toBeUndefined();
    expect(json.resource.docker_container.zfs_sync_postgres).toBeUndefined();
    expect(json.variable?.postgres_password).toBeUndefined();
  });
  test("SQLite with migrations: the job mounts the same data and waits for no database container", () => {
    const json = build({ database: { kind: "sqlite" }, migrations: true, proxy: undefined, appHostPort: 8000 });
    const job = container(json, "zfs_sync_migrate");
    expect(mounts(job)).toContain("zfs-sync-test-data:/data:rw");
    expect(containerDeps(job, "zfs_sync_migrate")).toEqual([]);
    expect(job.depends_on).toContain("docker_container.zfs_sync_migrate_files");
    expect(mounts(job)).toContain("zfs-sync-test-migrate-files-app-config:/app/config:ro");
    expect(container(json, "zfs_sync_app").depends_on).toContain("docker_container.zfs_sync_migrate");
  });
  test("an app without a proxy or host port stays on the internal network only (no edge network)", () => {
    const json = build({ proxy: undefined });
    expect(Object.values(json.resource.docker_network).map((n) => n.name)).toEqual(["zfs-sync-test-network"]);
    expect(container(json, "zfs_sync_app").ports).toEqual([]);
  });
  test("without a server name the proxy answers for any name", () => {
    const json = build({});
    expect(nginxConf(json)).toContain('server_name "_";');
  });
  test("a server name from the deployment (a Terraform variable) reaches nginx, quoted by Terraform", () => {
    const json = build({}, (stack) => ({ serverName: new TerraformVariable(stack, "server_name", { type: "string" }).stringValue }));
    expect(nginxConf(json)).toContain('server_name ${replace(jsonencode(var.server_name), "\\u007f", "\\\\u007f")};');
  });
  test("images default to the settings' references; the deployment overrides each one it gives", () => {
    const names = (json: TfJson) =>
      Object.values(json.resource.docker_image)
        .map((i) => i.name)
        .sort();
    expect(names(build({}))).toEqual([PRODUCTION.images.app, PRODUCTION.images.postgres, PRODUCTION.images.proxy].sort());
    expect(names(build({}, { images: { app: "${var.zfs_sync_image}" } }))).toEqual(
      ["${var.zfs_sync_image}", PRODUCTION.images.postgres, PRODUCTION.images.proxy].sort(),
    );
  });
  test("the proxy port, rate and body size follow the settings", () => {
    const json = build({ proxy: { ...PRODUCTION.proxy!, httpsPort: 8443, requestsPerSecond: 3, burst: 7, maxRequestBodyMiB: 2 } });
    const proxy = container(json, "zfs_sync_proxy");
    expect(proxy.ports).toEqual([{ internal: 8443, external: 8443, ip: "0.0.0.0", protocol: "tcp" }]);
    const conf = nginxConf(json);
    expect(conf).toContain("rate=3r/s;");
    expect(conf).toContain("burst=7 nodelay;");
    expect(conf).toContain("client_max_body_size 2m;");
  });
  test("log level and debug reach upstream's variables", () => {
    const json = build({ logLevel: "DEBUG", debug: true });
    expect(envMap(container(json, "zfs_sync_app"))).toMatchObject({ ZFS_SYNC_LOG_LEVEL: "DEBUG", ZFS_SYNC_DEBUG: "true" });
  });
  test("protectData protects the database volume", () => {
    expect(build({}, { protectData: true }).resource.docker_volume.zfs_sync_postgres_volume.lifecycle).toEqual({ prevent_destroy: true });
    expect(build({}, { protectData: false }).resource.docker_volume.zfs_sync_postgres_volume.lifecycle).toBeUndefined();
  });
});
