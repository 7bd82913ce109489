import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { EnvironmentName } from "../../../config/common";
import { ZfsSyncStack } from "../../../stacks/zfs-sync/zfs-sync-stack";
import { container, cpusOf, DockerContainer, envMap, labelMap, lengthCheck, onContainers, synthJson, TfJson } from "../../helpers";
import { readYaml, renderTemplates } from "../../real-readers";

/**
 * The containers rendering (one `docker_container` per service). The shipped staging environment runs
 * ZFS Sync on the swarm (zfs-sync-swarm.test.ts); here it is rendered from the same settings on the
 * containers target, so every container assertion still covers staging's shape (its HSTS age, its names).
 */
const synth = (env: EnvironmentName): TfJson => synthJson(new ZfsSyncStack(Testing.app(), ENVIRONMENTS[env]));
const dev = synth("dev");
const staging = synthJson(new ZfsSyncStack(Testing.app(), onContainers(ENVIRONMENTS.staging, "zfsSync")));
const prod = synth("production");
const all: [EnvironmentName, TfJson][] = [
  ["dev", dev],
  ["staging", staging],
  ["production", prod],
];
const withPostgres: [EnvironmentName, TfJson][] = [
  ["staging", staging],
  ["production", prod],
];

const ports = (c: DockerContainer) => c.ports.map((p) => `${p.ip}:${p.external}->${p.internal}/${p.protocol}`);
const mounts = (c: DockerContainer) =>
  Object.fromEntries(c.volumes.map((v) => [v.container_path, `${v.volume_name ?? v.host_path}${v.read_only ? ":ro" : ":rw"}`]));
const networks = (c: DockerContainer) => Object.fromEntries(c.networks_advanced.map((n) => [n.name, [...n.aliases].sort()]));
/** The never-started container that receives a service's uploaded files (`<id>_files`). */
const filesLoader = (json: TfJson, id: string) => container(json, `${id}_files`);
const isFilesLoader = (c: DockerContainer) => labelMap(c).role === "files-loader";
/** A file uploaded for service `id`: carried by its files loader, never by the service container itself. */
const upload = (json: TfJson, id: string, file: string) => {
  expect(container(json, id).upload).toBeUndefined();
  const c = filesLoader(json, id);
  const u = (c.upload ?? []).find((x) => x.file === file);
  if (!u) throw new Error(`no upload ${file}; have ${(c.upload ?? []).map((x) => x.file).join(", ")}`);
  return u;
};
const network = (json: TfJson, name: string) => Object.values(json.resource.docker_network).find((n) => n.name === name);

describe("stack wiring", () => {
  test("stacks are zfs-sync-<env> with a per-stack pg schema outside dev", () => {
    expect(dev.terraform.backend).toEqual({ local: { path: "../../../terraform.zfs-sync-dev.tfstate" } });
    expect(staging.terraform.backend).toEqual({ pg: { schema_name: "zfs_sync_staging" } });
    expect(prod.terraform.backend).toEqual({ pg: { schema_name: "zfs_sync_production" } });
  });
  test("dev runs the app alone; staging and production add postgres, the migration job and the proxy", () => {
    // Every service here has files (config or secrets), so each comes with its files loader; so does the
    // backup runner every environment has (its program, restic settings and keys).
    expect(Object.keys(dev.resource.docker_container).sort()).toEqual([
      "backup_runner",
      "backup_runner_files",
      "zfs_sync_app",
      "zfs_sync_app_files",
    ]);
    for (const [, json] of withPostgres) {
      expect(Object.keys(json.resource.docker_container).sort()).toEqual([
        "backup_runner",
        "backup_runner_files",
        "zfs_sync_app",
        "zfs_sync_app_files",
        "zfs_sync_migrate",
        "zfs_sync_migrate_files",
        "zfs_sync_postgres",
        "zfs_sync_postgres_files",
        "zfs_sync_proxy",
        "zfs_sync_proxy_files",
      ]);
    }
  });
  test("container, volume and network names carry zfs-sync-<env>- and never collide across environments", () => {
    const names: string[] = [];
    for (const [env, json] of all) {
      for (const type of ["docker_container", "docker_volume", "docker_network"] as const) {
        for (const r of Object.values(json.resource[type] ?? {})) {
          expect(r.name).toMatch(new RegExp(`^zfs-sync-${env}-`));
          names.push(r.name);
        }
      }
    }
    expect(new Set(names).size).toBe(names.length);
  });
  test("every container references a docker_image by id; the app and migration job share one image", () => {
    for (const [, json] of all)
      // A conditional container (the backup runner outside production) reads its conditional image by instance.
      for (const c of Object.values(json.resource.docker_container))
        expect(c.image).toMatch(c.count === undefined ? /^\$\{docker_image\.\w+\.image_id\}$/ : /^\$\{docker_image\.\w+\[0\]\.image_id\}$/);
    expect(container(prod, "zfs_sync_migrate").image).toBe(container(prod, "zfs_sync_app").image);
  });
  test("image variables per stack default to the settings; staging and production reject latest", () => {
    expect(
      Object.keys(dev.variable!)
        .filter((v) => v.endsWith("_image"))
        .sort(),
    ).toEqual(["backup_image", "zfs_sync_image"]);
    expect(dev.variable!.zfs_sync_image.default).toBe("zfs-sync:0.2.0");
    // The backup runner's image, from the environment's backup settings (dev's need not be pinned).
    expect(dev.variable!.backup_image.default).toBe("z3-infra/backup:1");
    expect(prod.variable!.backup_image.default).toBe("z3-infra/backup:1.0.0");
    expect(prod.variable!.backup_image.validation[0].condition).toContain('!endswith(var.backup_image, ":latest")');
    for (const [, json] of withPostgres) {
      // Built from upstream 8569323: the migration job needs its alembic.ini.
      expect(json.variable!.zfs_sync_image.default).toBe("zfs-sync:8569323");
      expect(json.variable!.postgres_image.default).toBe("postgres:15-alpine");
      expect(json.variable!.proxy_image.default).toBe("nginxinc/nginx-unprivileged:1.28.0-alpine");
      expect(json.variable!.zfs_sync_image.validation[0].condition).toContain('!endswith(var.zfs_sync_image, ":latest")');
    }
  });
  test("secrets are sensitive variables with no default and a length check; dev has none but the optional backup ones", () => {
    expect(Object.keys(dev.variable!).sort()).toEqual([
      "backup_image",
      "backup_known_hosts",
      "backup_password",
      "backup_repository",
      "backup_ssh_key",
      "docker_cert_path",
      "docker_host",
      "docker_ssh_opts",
      "registry_address",
      "registry_password",
      "registry_username",
      "zfs_sync_image",
    ]);
    // dev's backups are optional: its only secrets default to "" (empty: no backups) and are length-checked only when set.
    for (const [name, min] of [
      ["backup_password", 16],
      ["backup_ssh_key", 64],
    ] as const) {
      const v = dev.variable![name];
      expect([name, v.sensitive, v.default, v.nullable]).toEqual([name, true, "", false]);
      expect(lengthCheck(dev, name)).toBe(`\${var.${name} == "" || length(var.${name}) >= ${min}}`);
      // Production requires backups: no default, the plain length check.
      expect([name, prod.variable![name].default, lengthCheck(prod, name)]).toEqual([name, undefined, `\${length(var.${name}) >= ${min}}`]);
    }
    for (const [, json] of withPostgres) {
      for (const [name, min] of [
        ["postgres_password", 16],
        ["tls_certificate", 64],
        ["tls_private_key", 64],
      ] as const) {
        const v = json.variable![name];
        expect([name, v.sensitive, v.default, v.nullable]).toEqual([name, true, undefined, false]);
        expect(lengthCheck(json, name)).toBe(`\${length(var.${name}) >= ${min}}`);
      }
    }
  });
  test("server_name is required outside dev and validated as a DNS name", () => {
    expect(dev.variable!.server_name).toBeUndefined();
    const v = prod.variable!.server_name;
    expect(v.default).toBeUndefined();
    expect(v.sensitive).toBeUndefined();
    // The Terraform regex, unescaped from its HCL string literal, as Terraform evaluates it.
    const literal = /regex\("((?:[^"\\]|\\.)*)", var\.server_name\)/.exec(v.validation[0].condition)![1];
    const pattern = new RegExp(JSON.parse(`"${literal}"`));
    expect(["zfs-sync.example.org", "api", "a-1.b-2.example"].map((n) => pattern.test(n))).toEqual([true, true, true]);
    expect(["-bad.example", "zfs sync.example", "x;return 444;", "a..b", "evil.example;"].map((n) => pattern.test(n))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
  test("outputs name the API's base URL", () => {
    expect(dev.output!.api_url.value).toBe("http://127.0.0.1:8000/api/v1");
    expect(prod.output!.api_url.value).toBe("https://${var.server_name}/api/v1");
    expect(staging.output!.app_container.value).toBe("${docker_container.zfs_sync_app.name}");
  });
});

describe("networks", () => {
  test("dev: the app is on the internal app network and on a non-internal edge network for its published port", () => {
    // Plus the backup runner's own non-internal egress network (no ZFS Sync service joins it).
    expect(
      Object.values(dev.resource.docker_network)
        .map((n) => `${n.name}:${n.internal}`)
        .sort(),
    ).toEqual(["zfs-sync-dev-backup-egress:false", "zfs-sync-dev-edge:false", "zfs-sync-dev-network:true"]);
    expect(networks(container(dev, "zfs_sync_app"))).toEqual({
      "zfs-sync-dev-network": ["zfs-sync", "zfs-sync-dev-app"],
      "zfs-sync-dev-edge": ["zfs-sync", "zfs-sync-dev-app"],
    });
  });
  test.each(withPostgres)("%s: app and postgres share one internal network; only the proxy touches the non-internal edge", (env, json) => {
    expect(
      Object.values(json.resource.docker_network)
        .map((n) => `${n.name}:${n.internal}`)
        .sort(),
    ).toEqual([
      `zfs-sync-${env}-backup-egress:false`,
      `zfs-sync-${env}-edge:false`,
      `zfs-sync-${env}-frontend:true`,
      `zfs-sync-${env}-network:true`,
    ]);
    expect(networks(container(json, "zfs_sync_app"))).toEqual({
      [`zfs-sync-${env}-network`]: ["zfs-sync", `zfs-sync-${env}-app`],
      [`zfs-sync-${env}-frontend`]: ["zfs-sync", `zfs-sync-${env}-app`],
    });
    expect(networks(container(json, "zfs_sync_postgres"))).toEqual({
      [`zfs-sync-${env}-network`]: ["postgres", `zfs-sync-${env}-postgres`],
    });
    expect(networks(container(json, "zfs_sync_migrate"))).toEqual({ [`zfs-sync-${env}-network`]: [`zfs-sync-${env}-migrate`] });
    expect(networks(container(json, "zfs_sync_proxy"))).toEqual({
      [`zfs-sync-${env}-edge`]: [`zfs-sync-${env}-proxy`],
      [`zfs-sync-${env}-frontend`]: [`zfs-sync-${env}-proxy`],
    });
    // The backup runner reaches PostgreSQL on the internal network (pg_dump) and the destination through its egress network.
    expect(networks(container(json, "backup_runner"))).toEqual({
      [`zfs-sync-${env}-backup-egress`]: [`zfs-sync-${env}-backup`],
      [`zfs-sync-${env}-network`]: [`zfs-sync-${env}-backup`],
    });
    // Files loaders are on no network at all.
    for (const c of Object.values(json.resource.docker_container).filter(isFilesLoader))
      expect([c.name, c.network_mode, c.networks_advanced, c.ports]).toEqual([c.name, "none", undefined, undefined]);
  });
  test.each(withPostgres)("%s: every published port sits on a container with a non-internal network", (_env, json) => {
    for (const c of Object.values(json.resource.docker_container)) {
      if ((c.ports ?? []).length === 0) continue;
      expect([c.name, c.networks_advanced.some((n) => network(json, n.name)?.internal === false)]).toEqual([c.name, true]);
    }
  });
});

describe("app", () => {
  test("runs as UID 1001 on a read-only root with everything dropped", () => {
    for (const [, json] of all) {
      const c = container(json, "zfs_sync_app");
      expect(c).toMatchObject({
        user: "1001:1001",
        read_only: true,
        privileged: false,
        security_opts: ["no-new-privileges:true"],
        restart: "unless-stopped",
        must_run: true,
      });
      expect(c.capabilities).toEqual({ add: [], drop: ["ALL"] });
      // app.py creates /app/static at import; nothing else under /app is written.
      expect(c.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=64m", "/app/static": "rw,noexec,nosuid,size=1m" });
    }
  });
  test("upstream health check: curl -f /api/v1/health, 30s / 10s / 3 retries / 40s start", () => {
    for (const [, json] of all) {
      expect(container(json, "zfs_sync_app").healthcheck).toEqual({
        test: ["CMD", "curl", "-f", "http://localhost:8000/api/v1/health"],
        interval: "30s",
        timeout: "10s",
        retries: 3,
        start_period: "40s",
      });
    }
  });
  test("keeps upstream's ZFS_SYNC_* variables and never carries the database URL in the environment", () => {
    for (const [env, json] of all) {
      const e = envMap(container(json, "zfs_sync_app"));
      expect([env, e.ZFS_SYNC_HOST, e.ZFS_SYNC_PORT, e.ZFS_SYNC_LOG_LEVEL, e.ZFS_SYNC_DEBUG, e.ZFS_SYNC_LOG_DIR]).toEqual([
        env,
        "0.0.0.0",
        "8000",
        "INFO",
        "false",
        "/logs",
      ]);
      expect(Object.keys(e).filter((k) => /DATABASE_URL|PASSWORD/.test(k))).toEqual([]);
    }
  });
  test("trusts X-Forwarded-* only behind the proxy", () => {
    expect(envMap(container(dev, "zfs_sync_app")).FORWARDED_ALLOW_IPS).toBeUndefined();
    for (const [, json] of withPostgres) expect(envMap(container(json, "zfs_sync_app")).FORWARDED_ALLOW_IPS).toBe("*");
  });
  test("dev: SQLite URL in the config file the app searches, data on a named volume, port 8000 on loopback", () => {
    const c = container(dev, "zfs_sync_app");
    const cfg = upload(dev, "zfs_sync_app", "/app/config/zfs_sync.yaml");
    expect(readYaml(cfg.content)).toEqual({ database_url: "sqlite:////data/zfs_sync.db" });
    expect(cfg.permissions).toBe("0444");
    // The config directory is a volume the loader writes and the app mounts read-only.
    expect(mounts(c)).toEqual({
      "/data": "zfs-sync-dev-data:rw",
      "/logs": "zfs-sync-dev-logs:rw",
      "/app/config": "zfs-sync-dev-app-files-app-config:ro",
    });
    expect(mounts(filesLoader(dev, "zfs_sync_app"))).toEqual({ "/app/config": "zfs-sync-dev-app-files-app-config:rw" });
    expect(c.lifecycle.replace_triggered_by).toEqual(["docker_container.zfs_sync_app_files"]);
    expect(ports(c)).toEqual(["127.0.0.1:8000->8000/tcp"]);
  });
  test.each(withPostgres)("%s: PostgreSQL URL with the URL-encoded sensitive password, no host port", (env, json) => {
    const c = container(json, "zfs_sync_app");
    // As Terraform writes the file and upstream's loader (PyYAML) reads it, with a password that needs encoding.
    const file = renderTemplates(
      { f: upload(json, "zfs_sync_app", "/app/config/zfs_sync.yaml").content },
      { postgres_password: 'p@ss/w"rd:\n' },
    ).f;
    expect(readYaml(file)).toEqual({ database_url: "postgresql://zfssync:p%40ss%2Fw%22rd%3A%0A@postgres:5432/zfssync" });
    expect(c.ports).toEqual([]);
    expect(mounts(c)).toEqual({ "/logs": `zfs-sync-${env}-logs:rw`, "/app/config": `zfs-sync-${env}-app-files-app-config:ro` });
    expect(mounts(filesLoader(json, "zfs_sync_app"))).toEqual({ "/app/config": `zfs-sync-${env}-app-files-app-config:rw` });
  });
  test("starts after postgres is healthy and the migration job has exited; Terraform waits for it outside dev", () => {
    const d = container(dev, "zfs_sync_app");
    // In dev the only container it waits for is its own files loader.
    expect(d.depends_on.filter((x: string) => x.startsWith("docker_container."))).toEqual(["docker_container.zfs_sync_app_files"]);
    expect(d.wait).toBeUndefined();
    for (const [, json] of withPostgres) {
      const c = container(json, "zfs_sync_app");
      expect(c.depends_on).toEqual(expect.arrayContaining(["docker_container.zfs_sync_postgres", "docker_container.zfs_sync_migrate"]));
      expect([c.wait, c.wait_timeout]).toEqual([true, 150]);
    }
  });
  test("limits and logs: upstream base in dev, upstream production override in staging and production", () => {
    expect(container(dev, "zfs_sync_app")).toMatchObject({
      cpu_period: 100000,
      cpu_quota: 100000,
      memory: 512,
      memory_swap: 512,
      log_driver: "json-file",
      log_opts: { "max-size": "10m", "max-file": "3" },
    });
    expect([cpusOf(container(dev, "zfs_sync_app")), labelMap(container(dev, "zfs_sync_app"))["cpu-limit"]]).toEqual([1, "1"]);
    expect(container(dev, "zfs_sync_app").log_opts.compress).toBeUndefined();
    for (const [, json] of withPostgres) {
      expect(container(json, "zfs_sync_app")).toMatchObject({
        cpu_period: 100000,
        cpu_quota: 200000,
        memory: 1024,
        memory_swap: 1024,
        log_driver: "json-file",
        log_opts: { "max-size": "50m", "max-file": "5", compress: "true" },
      });
      expect([cpusOf(container(json, "zfs_sync_app")), labelMap(container(json, "zfs_sync_app"))["cpu-limit"]]).toEqual([2, "2"]);
    }
    for (const [, json] of all)
      for (const c of Object.values(json.resource.docker_container)) expect([c.name, c.cpus]).toEqual([c.name, undefined]);
  });
  test("labels name the service and environment", () => {
    expect(labelMap(container(prod, "zfs_sync_app"))).toMatchObject({ service: "zfs-sync-production-app", environment: "production" });
  });
});

describe("postgres", () => {
  test.each(withPostgres)("%s: postgres:15-alpine, upstream role and database, password only from a file", (env, json) => {
    const c = container(json, "zfs_sync_postgres");
    expect(c.name).toBe(`zfs-sync-${env}-postgres`);
    expect(envMap(c)).toEqual({
      POSTGRES_USER: "zfssync",
      POSTGRES_DB: "zfssync",
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres_password",
      PGDATA: "/var/lib/postgresql/data/pgdata",
    });
    const secret = upload(json, "zfs_sync_postgres", "/run/secrets/postgres_password");
    expect(secret.content).toBe("${var.postgres_password}");
    // The entrypoint re-reads the file as UID 70 after dropping privileges: it must be readable by others.
    expect(secret.permissions).toBe("0444");
  });
  test.each(withPostgres)("%s: data volume, no host port, pg_isready health check, Terraform waits for healthy", (env, json) => {
    const c = container(json, "zfs_sync_postgres");
    expect(mounts(c)).toEqual({
      "/var/lib/postgresql/data": `zfs-sync-${env}-postgres-data:rw`,
      "/run/secrets": `zfs-sync-${env}-postgres-files-run-secrets:ro`,
    });
    // Only the secret's volume goes to the files loader, never the data volume.
    expect(mounts(filesLoader(json, "zfs_sync_postgres"))).toEqual({ "/run/secrets": `zfs-sync-${env}-postgres-files-run-secrets:rw` });
    expect(c.ports).toEqual([]);
    expect(c.healthcheck).toEqual({
      test: ["CMD-SHELL", "pg_isready -U zfssync -d zfssync -h 127.0.0.1"],
      interval: "10s",
      timeout: "5s",
      retries: 5,
      start_period: "30s",
    });
    expect([c.wait, c.wait_timeout]).toEqual([true, 120]);
  });
  test("starts as root only to chown and drop to postgres, with just the capabilities for that", () => {
    const c = container(prod, "zfs_sync_postgres");
    expect(c.user).toBeUndefined();
    expect(c.capabilities).toEqual({ add: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"], drop: ["ALL"] });
    expect(c).toMatchObject({ read_only: true, security_opts: ["no-new-privileges:true"], stop_timeout: 30 });
    expect(c.tmpfs).toEqual({ "/var/run/postgresql": "rw,noexec,nosuid,size=1m", "/tmp": "rw,noexec,nosuid,size=64m" });
  });
  test("upstream limits (1.0 CPU / 512M) and logs (10m × 3) in every environment that runs it", () => {
    for (const [, json] of withPostgres) {
      expect(container(json, "zfs_sync_postgres")).toMatchObject({
        cpu_period: 100000,
        cpu_quota: 100000,
        memory: 512,
        memory_swap: 512,
        log_opts: { "max-size": "10m", "max-file": "3" },
      });
      expect([cpusOf(container(json, "zfs_sync_postgres")), labelMap(container(json, "zfs_sync_postgres"))["cpu-limit"]]).toEqual([1, "1"]);
      expect(container(json, "zfs_sync_postgres").log_opts.compress).toBeUndefined();
    }
  });
});

describe("files loaders", () => {
  const services = (json: TfJson) => Object.keys(json.resource.docker_container).filter((id) => !isFilesLoader(container(json, id)));
  test.each(all)("%s: every service's files go through a never-started loader of the same image, on no network", (env, json) => {
    for (const id of services(json)) {
      const c = container(json, id);
      const loader = filesLoader(json, id);
      expect([id, c.upload]).toEqual([id, undefined]);
      expect(loader).toMatchObject({
        name: `${c.name}-files`,
        image: c.image,
        start: false,
        must_run: false,
        read_only: false,
        network_mode: "none",
        restart: "no",
        capabilities: { drop: ["ALL"], add: [] },
        security_opts: ["no-new-privileges:true"],
      });
      expect(labelMap(loader)).toEqual({ service: c.name, environment: env, system: "zfs-sync", role: "files-loader" });
      expect(loader.upload.length).toBeGreaterThan(0);
    }
  });
  test.each(all)("%s: the loader mounts the files volumes read-write; the service mounts them read-only", (_env, json) => {
    for (const id of services(json)) {
      const c = container(json, id);
      const loader = filesLoader(json, id);
      const loaderMounts = mounts(loader);
      expect(Object.values(loaderMounts).every((m) => (m as string).endsWith(":rw"))).toBe(true);
      for (const [path, m] of Object.entries(loaderMounts))
        expect([id, path, mounts(c)[path]]).toEqual([id, path, (m as string).replace(/:rw$/, ":ro")]);
      // Every uploaded file lands on one of those volumes.
      for (const u of loader.upload)
        expect([id, u.file, Object.keys(loaderMounts).some((p) => u.file.startsWith(p + "/"))]).toEqual([id, u.file, true]);
    }
  });
  test.each(all)("%s: the service starts after its loader and is replaced with it", (_env, json) => {
    for (const id of services(json)) {
      const c = container(json, id);
      expect(c.depends_on).toContain(`docker_container.${id}_files`);
      // A conditional service (the backup runner outside production) is replaced with its loader's instance.
      expect([id, c.lifecycle.replace_triggered_by]).toEqual([
        id,
        [`docker_container.${id}_files${c.count === undefined ? "" : "[count.index]"}`],
      ]);
    }
  });
});

describe("stateful volumes (renaming an address destroys data)", () => {
  const stateful = (json: TfJson) =>
    Object.entries(json.resource.docker_volume)
      .filter(([, v]) => (v.labels ?? []).some((l) => l.label === "stateful"))
      .map(([address, v]) => `${address}=${v.name}:${v.lifecycle?.prevent_destroy === true ? "protected" : "unprotected"}`);
  test("addresses and protection per environment", () => {
    expect(stateful(dev)).toEqual(["zfs_sync_data_volume=zfs-sync-dev-data:unprotected"]);
    expect(stateful(staging)).toEqual(["zfs_sync_postgres_volume=zfs-sync-staging-postgres-data:unprotected"]);
    expect(stateful(prod)).toEqual(["zfs_sync_postgres_volume=zfs-sync-production-postgres-data:protected"]);
  });
  test("the logs volume is not stateful and never protected", () => {
    for (const [env, json] of all) {
      expect(json.resource.docker_volume.zfs_sync_logs_volume).toMatchObject({ name: `zfs-sync-${env}-logs`, labels: [] });
      expect(json.resource.docker_volume.zfs_sync_logs_volume.lifecycle).toBeUndefined();
    }
  });
});

describe("migration job", () => {
  test("dev has none", () => {
    expect(dev.resource.docker_container.zfs_sync_migrate).toBeUndefined();
  });
  test.each(withPostgres)(
    "%s: one-shot alembic upgrade head after postgres is healthy; the apply fails on a non-zero exit",
    (env, json) => {
      const c = container(json, "zfs_sync_migrate");
      expect(c.name).toBe(`zfs-sync-${env}-migrate`);
      expect(c.command.slice(0, 2)).toEqual(["sh", "-c"]);
      expect(c.command[2]).toContain("exec alembic upgrade head");
      expect(c.command[2]).toContain("[ ! -f alembic.ini ]");
      expect(c).toMatchObject({ restart: "no", must_run: false, attach: true, user: "1001:1001", read_only: true });
      expect(c.lifecycle.postcondition[0].condition).toBe("${self.exit_code == 0}");
      expect(c.depends_on).toContain("docker_container.zfs_sync_postgres");
      expect(c.healthcheck).toBeUndefined();
      expect(c.ports).toEqual([]);
    },
  );
  test("reads the same config file as the app", () => {
    expect(upload(prod, "zfs_sync_migrate", "/app/config/zfs_sync.yaml").content).toBe(
      upload(prod, "zfs_sync_app", "/app/config/zfs_sync.yaml").content,
    );
    expect(mounts(container(prod, "zfs_sync_migrate"))).toEqual({ "/app/config": "zfs-sync-production-migrate-files-app-config:ro" });
    expect(container(prod, "zfs_sync_migrate").lifecycle.replace_triggered_by).toEqual(["docker_container.zfs_sync_migrate_files"]);
  });
});

describe("proxy", () => {
  test("dev has none", () => {
    expect(dev.resource.docker_container.zfs_sync_proxy).toBeUndefined();
  });
  test.each(withPostgres)(
    "%s: nginx-unprivileged as UID 101, 443 published on every interface, read-only with a /tmp tmpfs",
    (env, json) => {
      const c = container(json, "zfs_sync_proxy");
      expect(c.name).toBe(`zfs-sync-${env}-proxy`);
      expect(ports(c)).toEqual(["0.0.0.0:443->8443/tcp"]);
      expect(c).toMatchObject({ user: "101:101", read_only: true, command: ["nginx", "-c", "/etc/nginx/zfs-sync/nginx.conf"] });
      expect(c.capabilities).toEqual({ add: [], drop: ["ALL"] });
      expect(c.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=64m" });
      expect(c.depends_on).toContain("docker_container.zfs_sync_app");
    },
  );
  test.each(withPostgres)("%s: certificate and key only from sensitive variables, as files", (env, json) => {
    expect(upload(json, "zfs_sync_proxy", "/run/secrets/tls_certificate").content).toBe("${var.tls_certificate}");
    expect(upload(json, "zfs_sync_proxy", "/run/secrets/tls_private_key").content).toBe("${var.tls_private_key}");
    expect(mounts(container(json, "zfs_sync_proxy"))).toEqual({
      "/etc/nginx/zfs-sync": `zfs-sync-${env}-proxy-files-etc-nginx-zfs-sync:ro`,
      "/run/secrets": `zfs-sync-${env}-proxy-files-run-secrets:ro`,
    });
  });
  test.each(withPostgres)("%s: health check and Terraform wait go through TLS to the app's readiness endpoint", (_env, json) => {
    const c = container(json, "zfs_sync_proxy");
    expect(c.healthcheck.test).toEqual(["CMD", "curl", "-fsk", "-o", "/dev/null", "https://127.0.0.1:8443/api/v1/health/ready"]);
    expect([c.wait, c.wait_timeout]).toEqual([true, 180]);
  });
  const template = (json: TfJson) => upload(json, "zfs_sync_proxy", "/etc/nginx/zfs-sync/nginx.conf").content as string;
  /** The file as Terraform writes it, for a server name. */
  const conf = (json: TfJson, serverName = "zfs-sync.example.org") => renderTemplates({ c: template(json) }, { server_name: serverName }).c;
  test("nginx.conf terminates TLS with the secret files and proxies to the app's upstream alias", () => {
    const c = conf(prod);
    expect(c).toContain("listen 8443 ssl default_server;");
    expect(c).toContain('server_name "zfs-sync.example.org";');
    expect(c).toContain('ssl_certificate "/run/secrets/tls_certificate";');
    expect(c).toContain('ssl_certificate_key "/run/secrets/tls_private_key";');
    expect(c).toContain("ssl_protocols TLSv1.2 TLSv1.3;");
    expect(c).toContain('set $app_upstream "http://zfs-sync:8000";');
    expect(c).toContain("proxy_set_header X-Forwarded-Proto https;");
    expect(c).toContain("resolver 127.0.0.11 valid=10s");
  });
  test("nginx.conf sets security headers and a per-client rate limit from the settings", () => {
    const c = conf(prod);
    for (const header of [
      'add_header Strict-Transport-Security "max-age=31536000" always;',
      'add_header X-Content-Type-Options "nosniff" always;',
      'add_header X-Frame-Options "DENY" always;',
      'add_header Referrer-Policy "no-referrer" always;',
    ])
      expect(c).toContain(header);
    expect(c).toContain("limit_req_zone $rate_limit_key zone=api:10m rate=10r/s;");
    expect(c).toContain("limit_req zone=api burst=40 nodelay;");
    expect(c).toContain("limit_req_status 429;");
    expect(c).toContain("client_max_body_size 16m;");
    expect(conf(staging)).toContain('add_header Strict-Transport-Security "max-age=86400" always;');
  });
  test("nginx.conf writes only under /tmp and never buffers the dashboard's event stream", () => {
    const c = conf(prod);
    expect(c).toContain("pid /tmp/nginx.pid;");
    for (const t of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) expect(c).toContain(`${t}_temp_path /tmp/`);
    expect(c).toMatch(/location "\/api\/v1\/dashboard\/events" \{\n\s+proxy_pass \$app_upstream;\n\s+proxy_buffering off;/);
    // The only Terraform expression is the server name, quoted by Terraform (jsonencode).
    expect(template(prod).match(/\$\{[^}]*\}/g)).toEqual(['${replace(jsonencode(var.server_name), "\\u007f", "\\\\u007f")}']);
  });
  test("limits and logs per environment", () => {
    for (const [, json] of withPostgres) {
      expect(container(json, "zfs_sync_proxy")).toMatchObject({
        cpu_period: 100000,
        cpu_quota: 50000,
        memory: 128,
        memory_swap: 128,
        log_opts: { "max-size": "50m", "max-file": "5", compress: "true" },
      });
      expect([cpusOf(container(json, "zfs_sync_proxy")), labelMap(container(json, "zfs_sync_proxy"))["cpu-limit"]]).toEqual([0.5, "0.5"]);
    }
  });
});
