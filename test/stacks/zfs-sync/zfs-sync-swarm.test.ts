import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { settingsProblems } from "../../../config/settings";
import { ZfsSyncStack } from "../../../stacks/zfs-sync/zfs-sync-stack";
import { container, envMap, labelMap, onContainers, swarmService, synthJson, TfJson } from "../../helpers";
import type { DockerService, TfLabel } from "../../tf-json";
import { readYaml, renderTemplates } from "../../real-readers";

/** zfs-sync-staging as shipped: the app, the proxy and PostgreSQL as swarm services, the migration job a container. */
const staging: TfJson = synthJson(new ZfsSyncStack(Testing.app(), ENVIRONMENTS.staging));
const MIB = 1024 * 1024;
const SENSITIVE = ["postgres_password", "tls_certificate", "tls_private_key"];
const DATA_NODE = "node.labels.z3-infra.data==true";

const app = swarmService(staging, "zfs_sync_app");
const proxy = swarmService(staging, "zfs_sync_proxy");
const postgres = swarmService(staging, "zfs_sync_postgres");
const spec = (svc: DockerService) => svc.task_spec.container_spec;
const labels = (list: TfLabel[] | undefined) => Object.fromEntries((list ?? []).map((l) => [l.label, l.value]));
/** target → "<source or anonymous>:ro|rw" for volume and bind mounts; tmpfs → "tmpfs:<bytes>". */
const mounts = (svc: DockerService) =>
  Object.fromEntries(
    spec(svc).mounts.map((m) => [
      m.target,
      m.type === "tmpfs" ? `tmpfs:${m.tmpfs_options.size_bytes}` : `${m.source ?? "(anonymous)"}:${m.read_only ? "ro" : "rw"}`,
    ]),
  );
/** networks by id (a resource reference) → aliases, as rendered (sorted); no entry sets driver options. */
const networks = (svc: DockerService) =>
  Object.fromEntries(
    svc.task_spec.networks_advanced.map((n) => {
      expect(n.driver_opts).toEqual([]);
      return [n.id, n.aliases];
    }),
  );
/** The secret mounted at `file` in a service's containers. */
const secretFile = (svc: DockerService, file: string) => {
  const ref = spec(svc).secrets.find((s) => s.file_name === file);
  if (!ref) throw new Error(`no secret at ${file} in ${svc.name}`);
  return ref;
};
/** The config mounted at `file` in a service's containers. */
const configFile = (svc: DockerService, file: string) => {
  const ref = spec(svc).configs.find((c) => c.file_name === file);
  if (!ref) throw new Error(`no config at ${file} in ${svc.name}`);
  return ref;
};
/** `docker_secret.<address>` behind a mounted secret. */
const secretAddress = (ref: { secret_id: string }) => /^\$\{docker_secret\.(\w+)\.id\}$/.exec(ref.secret_id)![1];
const seconds = (d: string) => {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$/.exec(d)!;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
};

describe("zfs-sync-staging on the swarm", () => {
  test("synthesizes with construct validations run", () => {
    // A failed validation throws; with them run, synthesis gives the same stack the other tests read.
    expect(JSON.parse(Testing.synth(new ZfsSyncStack(Testing.app(), ENVIRONMENTS.staging), true))).toEqual(staging);
  });
  test("the same settings on the containers target are valid too (the containers tests render them)", () => {
    expect(settingsProblems(onContainers(ENVIRONMENTS.staging, "zfsSync"))).toEqual([]);
  });
  test("app, proxy and PostgreSQL are swarm services; of ZFS Sync only the migration job (and its files loader) is a container; the backup runner stays one", () => {
    expect(Object.keys(staging.resource.docker_service).sort()).toEqual(["zfs_sync_app", "zfs_sync_postgres", "zfs_sync_proxy"]);
    // The backup runner is a container on docker_host (the data node) on the swarm target too (hostLocal).
    expect(Object.keys(staging.resource.docker_container).sort()).toEqual([
      "backup_runner",
      "backup_runner_files",
      "zfs_sync_migrate",
      "zfs_sync_migrate_files",
    ]);
  });
  test("swarm objects, volumes and networks are named zfs-sync-staging-*", () => {
    for (const type of ["docker_service", "docker_container", "docker_volume", "docker_network", "docker_secret", "docker_config"]) {
      for (const r of Object.values(staging.resource[type] ?? {}))
        expect([type, r.name]).toEqual([type, expect.stringMatching(/^zfs-sync-staging-/)]);
    }
  });
  test("the state backend is unchanged; docker_host is a manager labelled as the data node", () => {
    expect(staging.terraform.backend).toEqual({ pg: { schema_name: "zfs_sync_staging" } });
    expect(staging.variable!.docker_host.description).toContain("a swarm manager labelled as the data node");
    expect(staging.variable!.docker_host.default).toBeUndefined();
  });
  test("outputs name the API behind the proxy and the app service", () => {
    expect(staging.output!.api_url.value).toBe("https://${var.server_name}/api/v1");
    expect(staging.output!.app_container.value).toBe("${docker_service.zfs_sync_app.name}");
  });
  test("every service runs its image by registry digest (or loaded name), never by local image id", () => {
    for (const svc of [app, proxy, postgres])
      expect(spec(svc).image).toMatch(
        /^\$\{docker_image\.(\w+)\.repo_digest != "" \? docker_image\.\1\.repo_digest : docker_image\.\1\.name\}$/,
      );
    expect(spec(app).image).not.toBe(spec(proxy).image);
    // The migration job runs the app's image, as a container.
    expect(container(staging, "zfs_sync_migrate").image).toBe("${docker_image.zfs_sync_app_image.image_id}");
  });
  test("services and their containers carry the environment, system and service labels", () => {
    for (const svc of [app, proxy, postgres]) {
      const expected = { environment: "staging", system: "zfs-sync", service: svc.name };
      expect(labels(svc.labels)).toEqual(expected);
      expect(labels(spec(svc).labels)).toEqual(expected);
    }
  });
  test("every service updates one task at a time, rolls back a failed update, and Terraform waits for convergence", () => {
    for (const svc of [app, proxy, postgres]) {
      expect([svc.name, svc.update_config.parallelism, svc.update_config.failure_action, svc.rollback_config.failure_action]).toEqual([
        svc.name,
        1,
        "rollback",
        "pause",
      ]);
      expect(svc.update_config.order).toBe(svc.rollback_config.order);
      expect(svc.converge_config.delay).toBe("2s");
    }
    // Never shorter than the container target's health waits.
    expect(seconds(app.converge_config.timeout)).toBeGreaterThanOrEqual(150);
    expect(seconds(proxy.converge_config.timeout)).toBeGreaterThanOrEqual(180);
    expect(seconds(postgres.converge_config.timeout)).toBeGreaterThanOrEqual(120);
  });
  test("dnsrr endpoints everywhere (no IPVS needed)", () => {
    for (const svc of [app, proxy, postgres]) expect([svc.name, svc.endpoint_spec.mode]).toEqual([svc.name, "dnsrr"]);
  });
});

describe("networks on the swarm", () => {
  test("attachable overlays, internal as on the containers target, not encrypted in staging", () => {
    expect(
      Object.values(staging.resource.docker_network)
        .map((n) => `${n.name}:${n.driver}:${n.attachable}:${n.internal}:${JSON.stringify(n.options)}`)
        .sort(),
    ).toEqual([
      // The backup runner's egress to the SFTP destination (only while backup_repository is set).
      "zfs-sync-staging-backup-egress:overlay:true:false:undefined",
      "zfs-sync-staging-edge:overlay:true:false:undefined",
      "zfs-sync-staging-frontend:overlay:true:true:undefined",
      "zfs-sync-staging-network:overlay:true:true:undefined",
    ]);
  });
  test("services join networks by id; app and postgres share the internal network, only the proxy touches the edge", () => {
    expect(networks(app)).toEqual({
      "${docker_network.zfs_sync_network.id}": ["zfs-sync", "zfs-sync-staging-app"],
      "${docker_network.zfs_sync_frontend_network.id}": ["zfs-sync", "zfs-sync-staging-app"],
    });
    expect(networks(postgres)).toEqual({ "${docker_network.zfs_sync_network.id}": ["postgres", "zfs-sync-staging-postgres"] });
    expect(networks(proxy)).toEqual({
      "${docker_network.zfs_sync_edge_network.id}": ["zfs-sync-staging-proxy"],
      "${docker_network.zfs_sync_frontend_network.id}": ["zfs-sync-staging-proxy"],
    });
  });
  test("the migration job joins the attachable app network by name, like a bridge", () => {
    expect(container(staging, "zfs_sync_migrate").networks_advanced).toEqual([
      { name: "zfs-sync-staging-network", aliases: ["zfs-sync-staging-migrate"] },
    ]);
    expect(staging.resource.docker_network.zfs_sync_network).toMatchObject({ driver: "overlay", attachable: true, internal: true });
  });
});

describe("app service", () => {
  test("two tasks on any nodes, the new task started before the old one stops", () => {
    expect(app.mode).toEqual({ replicated: { replicas: 2 } });
    expect(app.task_spec.placement?.constraints).toBeUndefined();
    expect([app.update_config.order, app.rollback_config.order]).toEqual(["start-first", "start-first"]);
  });
  test("the logs volume is an anonymous volume per task; Terraform manages no logs volume", () => {
    expect(mounts(app)).toEqual({ "/logs": "(anonymous):rw", "/app/static": `tmpfs:${MIB}`, "/tmp": `tmpfs:${64 * MIB}` });
    expect(staging.resource.docker_volume.zfs_sync_logs_volume).toBeUndefined();
    expect(app.depends_on.filter((d: string) => d.startsWith("docker_volume."))).toEqual([]);
  });
  test("runs as UID 1001 on a read-only root with everything dropped, publishing nothing", () => {
    expect(spec(app)).toMatchObject({ user: "1001:1001", read_only: true, cap_drop: ["ALL"] });
    expect(spec(app).cap_add).toEqual([]);
    expect(app.endpoint_spec.ports).toEqual([]);
  });
  test("upstream's environment and health check; never the database URL in the environment", () => {
    const env = spec(app).env;
    expect([
      env.ZFS_SYNC_HOST,
      env.ZFS_SYNC_PORT,
      env.ZFS_SYNC_LOG_LEVEL,
      env.ZFS_SYNC_DEBUG,
      env.ZFS_SYNC_LOG_DIR,
      env.FORWARDED_ALLOW_IPS,
    ]).toEqual(["0.0.0.0", "8000", "INFO", "false", "/logs", "*"]);
    expect(Object.keys(env).filter((k) => /DATABASE_URL|PASSWORD/.test(k))).toEqual([]);
    expect(spec(app).healthcheck).toEqual({
      test: ["CMD", "curl", "-f", "http://localhost:8000/api/v1/health"],
      interval: "30s",
      timeout: "10s",
      retries: 3,
      start_period: "40s",
    });
  });
  test("the config file carries the database password: a docker_secret owned by the app's user, 0400, never a docker_config", () => {
    const ref = secretFile(app, "/app/config/zfs_sync.yaml");
    expect(ref).toMatchObject({ file_uid: "1001", file_gid: "1001", file_mode: 0o400 });
    expect(spec(app).configs).toEqual([]);
    const secret = staging.resource.docker_secret[secretAddress(ref)];
    expect(secret.data).toBe("${base64encode(local.zfs_sync_app_app_config_zfs_sync_yaml_content)}");
    const file = renderTemplates(
      { f: staging.locals!.zfs_sync_app_app_config_zfs_sync_yaml_content },
      { postgres_password: "pa$$ word" },
    ).f;
    expect(readYaml(file)).toEqual({ database_url: "postgresql://zfssync:pa%24%24+word@postgres:5432/zfssync" });
    for (const c of Object.values(staging.resource.docker_config ?? {})) expect(c.name).not.toMatch(/yaml/);
  });
  test("starts after PostgreSQL has converged and the migration job has exited", () =>
    expect(app.depends_on).toEqual(expect.arrayContaining(["docker_service.zfs_sync_postgres", "docker_container.zfs_sync_migrate"])));
  test("production override limits (2 CPUs / 1 GiB, reserved) and logs (50m × 5, compressed)", () => {
    expect(app.task_spec.resources).toEqual({
      limits: { memory_bytes: 1024 * MIB, nano_cpus: 2e9 },
      reservation: { memory_bytes: 1024 * MIB },
    });
    expect(app.task_spec.log_driver).toEqual({ name: "json-file", options: { "max-size": "50m", "max-file": "5", compress: "true" } });
  });
});

describe("proxy service", () => {
  test("two tasks, 443 published in host mode on each node that runs one (at most one per node)", () => {
    expect(proxy.mode).toEqual({ replicated: { replicas: 2 } });
    expect(proxy.endpoint_spec).toEqual({
      mode: "dnsrr",
      ports: [{ target_port: 8443, published_port: 443, protocol: "tcp", publish_mode: "host" }],
    });
    expect(proxy.task_spec.placement).toEqual({ max_replicas: 1 });
  });
  test("not pinned to the data node; its host-mode port is bound once per node, so a task stops before its replacement starts", () => {
    expect(proxy.task_spec.placement.constraints).toBeUndefined();
    expect([proxy.update_config.order, proxy.rollback_config.order]).toEqual(["stop-first", "stop-first"]);
  });
  test("nginx-unprivileged as UID 101, read-only with a /tmp tmpfs, after the app; the image's entrypoint is kept (an empty command)", () => {
    expect(spec(proxy)).toMatchObject({
      user: "101:101",
      read_only: true,
      cap_drop: ["ALL"],
      args: ["nginx", "-c", "/etc/nginx/zfs-sync/nginx.conf"],
    });
    expect(spec(proxy).command).toEqual([]);
    expect(mounts(proxy)).toEqual({ "/tmp": `tmpfs:${64 * MIB}` });
    expect(proxy.depends_on).toContain("docker_service.zfs_sync_app");
  });
  test("reads the certificate and key as docker_secrets owned by UID 101, 0400, from the sensitive variables", () => {
    for (const name of ["tls_certificate", "tls_private_key"]) {
      const ref = secretFile(proxy, `/run/secrets/${name}`);
      expect([name, ref.file_uid, ref.file_gid, ref.file_mode]).toEqual([name, "101", "101", 256]);
      const secret = staging.resource.docker_secret[secretAddress(ref)];
      const local = /^\$\{base64encode\(local\.(\w+)\)\}$/.exec(secret.data)![1];
      expect(staging.locals![local]).toBe(`\${var.${name}}`);
    }
  });
  test("nginx.conf is a docker_config, 0444, owned by UID 101, named by a hash of its content", () => {
    const ref = configFile(proxy, "/etc/nginx/zfs-sync/nginx.conf");
    expect([ref.file_uid, ref.file_gid, ref.file_mode]).toEqual(["101", "101", 0o444]);
    const config = staging.resource.docker_config.zfs_sync_proxy_etc_nginx_zfs_sync_nginx_conf;
    expect(ref.config_id).toBe("${docker_config.zfs_sync_proxy_etc_nginx_zfs_sync_nginx_conf.id}");
    expect(config.name).toBe(
      // 60ba: the first four hex digits of the 32-bit FNV-1a hash of the file's path (0x60ba4be8).
      `zfs-sync-staging-proxy-conf-60ba\${substr(sha256(local.zfs_sync_proxy_etc_nginx_zfs_sync_nginx_conf_content), 0, 12)}`,
    );
    expect(config.lifecycle).toEqual({ create_before_destroy: true });
    const conf = renderTemplates(
      { c: staging.locals!.zfs_sync_proxy_etc_nginx_zfs_sync_nginx_conf_content },
      { server_name: "zfs-sync.example.org" },
    ).c;
    expect(conf).toContain('server_name "zfs-sync.example.org";');
    expect(conf).toContain('add_header Strict-Transport-Security "max-age=86400" always;');
    expect(conf).toContain('ssl_certificate "/run/secrets/tls_certificate";');
  });
  test("health check through TLS to the app's readiness endpoint", () =>
    expect(spec(proxy).healthcheck.test).toEqual(["CMD", "curl", "-fsk", "-o", "/dev/null", "https://127.0.0.1:8443/api/v1/health/ready"]));
  test("limits (0.5 CPU / 128 MiB, reserved) and logs (50m × 5, compressed)", () => {
    expect(proxy.task_spec.resources).toEqual({
      limits: { memory_bytes: 128 * MIB, nano_cpus: 5e8 },
      reservation: { memory_bytes: 128 * MIB },
    });
    expect(proxy.task_spec.log_driver.options).toEqual({ "max-size": "50m", "max-file": "5", compress: "true" });
  });
});

describe("postgres service", () => {
  test("one task, pinned to the data node where its volume is, the old task stopped first", () => {
    expect(postgres.mode).toEqual({ replicated: { replicas: 1 } });
    expect(postgres.task_spec.placement).toEqual({ constraints: [DATA_NODE] });
    expect([postgres.update_config.order, postgres.rollback_config.order]).toEqual(["stop-first", "stop-first"]);
  });
  test("mounts the stateful data volume read-write, publishes nothing", () => {
    expect(mounts(postgres)).toEqual({
      "/var/lib/postgresql/data": "zfs-sync-staging-postgres-data:rw",
      "/tmp": `tmpfs:${64 * MIB}`,
      "/var/run/postgresql": `tmpfs:${MIB}`,
    });
    expect(staging.resource.docker_volume.zfs_sync_postgres_volume).toMatchObject({
      name: "zfs-sync-staging-postgres-data",
      labels: [{ label: "stateful", value: "true" }],
    });
    expect(staging.resource.docker_volume.zfs_sync_postgres_volume.lifecycle).toBeUndefined();
    expect(postgres.depends_on).toContain("docker_volume.zfs_sync_postgres_volume");
    expect(postgres.endpoint_spec.ports).toEqual([]);
  });
  test("the password is a docker_secret owned by the postgres user (70), 0400", () => {
    const ref = secretFile(postgres, "/run/secrets/postgres_password");
    expect([ref.file_uid, ref.file_gid, ref.file_mode]).toEqual(["70", "70", 256]);
    expect(spec(postgres).env).toEqual({
      POSTGRES_USER: "zfssync",
      POSTGRES_DB: "zfssync",
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres_password",
      PGDATA: "/var/lib/postgresql/data/pgdata",
    });
  });
  test("starts as root with just the capabilities to chown and drop to postgres; 30 s to stop", () => {
    expect(spec(postgres).user).toBeUndefined();
    expect(spec(postgres).cap_add).toEqual(["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"]);
    expect([spec(postgres).read_only, spec(postgres).stop_grace_period]).toEqual([true, "30s"]);
  });
  test("pg_isready health check and upstream limits (1 CPU / 512 MiB) and logs", () => {
    expect(spec(postgres).healthcheck).toEqual({
      test: ["CMD-SHELL", "pg_isready -U zfssync -d zfssync -h 127.0.0.1"],
      interval: "10s",
      timeout: "5s",
      retries: 5,
      start_period: "30s",
    });
    expect(postgres.task_spec.resources).toEqual({
      limits: { memory_bytes: 512 * MIB, nano_cpus: 1e9 },
      reservation: { memory_bytes: 512 * MIB },
    });
    expect(postgres.task_spec.log_driver.options).toEqual({ "max-size": "10m", "max-file": "3" });
  });
});

describe("migration job on the swarm", () => {
  const migrate = container(staging, "zfs_sync_migrate");
  test("stays a one-shot container that Terraform waits for, after PostgreSQL has converged", () => {
    expect(migrate).toMatchObject({
      name: "zfs-sync-staging-migrate",
      restart: "no",
      must_run: false,
      attach: true,
      user: "1001:1001",
      read_only: true,
    });
    expect(migrate.lifecycle.postcondition[0].condition).toBe("${self.exit_code == 0}");
    expect(migrate.depends_on).toContain("docker_service.zfs_sync_postgres");
    expect(migrate.command[2]).toContain("exec alembic upgrade head");
  });
  test("reads the app's config file through its files loader (a container on the data node)", () => {
    const upload = container(staging, "zfs_sync_migrate_files").upload;
    expect(upload.map((u) => u.file)).toEqual(["/app/config/zfs_sync.yaml"]);
    expect(upload[0].content).toBe(staging.locals!.zfs_sync_app_app_config_zfs_sync_yaml_content);
    expect(labelMap(container(staging, "zfs_sync_migrate_files")).role).toBe("files-loader");
    expect(envMap(migrate).ZFS_SYNC_LOG_DIR).toBe("/tmp");
  });
});

describe("secrets in the synthesized JSON", () => {
  /** Every string in the JSON, with its path. */
  const strings = (value: unknown, path: string[] = []): [string, string][] => {
    if (typeof value === "string") return [[path.join("."), value]];
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  };
  const readers = (name: string) =>
    strings(staging)
      .filter(([, s]) => new RegExp(`\\bvar\\.${name}\\b`).test(s))
      .map(([p]) => p);

  test("the secrets are sensitive variables with no default", () => {
    for (const name of SENSITIVE)
      expect([name, staging.variable![name].sensitive, staging.variable![name].default]).toEqual([name, true, undefined]);
  });
  test("a sensitive variable is read only by its length check, the locals of the secrets, and the files loaders of the migration job and the backup runner (pg_dump)", () => {
    expect(readers("postgres_password")).toEqual([
      "locals.zfs_sync_app_app_config_zfs_sync_yaml_content",
      "locals.zfs_sync_postgres_run_secrets_postgres_password_content",
      "resource.docker_container.backup_runner_files.upload.2.content",
      "resource.docker_container.zfs_sync_migrate_files.upload.0.content",
      "resource.terraform_data.postgres_password_length.lifecycle.precondition.0.condition",
    ]);
    for (const name of ["tls_certificate", "tls_private_key"]) {
      expect(readers(name)).toEqual([
        `locals.zfs_sync_proxy_run_secrets_${name}_content`,
        `resource.terraform_data.${name}_length.lifecycle.precondition.0.condition`,
      ]);
    }
  });
  test("no service, config, output or trigger reads a sensitive variable directly", () => {
    const triggers = Object.values(staging.resource.terraform_data).map((d) => [d.input, d.triggers_replace]);
    const text = JSON.stringify([staging.resource.docker_service, staging.resource.docker_config, triggers, staging.output]);
    for (const name of SENSITIVE) expect([name, text.includes(`var.${name}`)]).toEqual([name, false]);
  });
  test("a local that holds a secret feeds only docker_secrets and their version triggers, never a docker_config", () => {
    const secretLocals = Object.entries<string>(staging.locals!)
      .filter(([, content]) => SENSITIVE.some((name) => content.includes(`var.${name}`)))
      .map(([name]) => name);
    expect(secretLocals.length).toBe(4);
    for (const local of secretLocals) {
      const users = strings(staging.resource)
        .filter(([, s]) => s.includes(`local.${local}`))
        .map(([p]) => p.split(".").slice(0, 2).join("."));
      expect([local, [...new Set(users)].sort()]).toEqual([
        local,
        ["docker_secret." + local.replace(/_content$/, ""), "terraform_data." + local.replace(/_content$/, "_version")].sort(),
      ]);
    }
  });
  test("every docker_secret is named by a terraform_data version (never a hash of the secret) and replaced before the old one goes", () => {
    for (const [address, secret] of Object.entries(staging.resource.docker_secret)) {
      expect(secret.name).toMatch(
        new RegExp(`^zfs-sync-staging-[a-z]+-[a-z]+-\\$\\{substr\\(terraform_data\\.${address}_version\\.id, 0, 8\\)\\}$`),
      );
      expect(secret.lifecycle).toEqual({ create_before_destroy: true });
      expect(staging.resource.terraform_data[`${address}_version`]).toEqual({
        triggers_replace: { content: `\${local.${address}_content}` },
        lifecycle: { create_before_destroy: true },
      });
    }
    expect(Object.keys(staging.resource.docker_secret).sort()).toEqual([
      "zfs_sync_app_app_config_zfs_sync_yaml",
      "zfs_sync_postgres_run_secrets_postgres_password",
      "zfs_sync_proxy_run_secrets_tls_certificate",
      "zfs_sync_proxy_run_secrets_tls_private_key",
    ]);
  });
});
