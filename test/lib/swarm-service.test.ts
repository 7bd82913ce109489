import { Aspects, TerraformStack, TerraformVariable, Testing } from "../../lib/cdk";
import {
  Condition,
  ConstructValidationError,
  ContainerImage,
  FileText,
  Network,
  PortMapping,
  RestartPolicy,
  Secret,
  Service,
  ServiceProps,
  StandardLabels,
  Volume,
} from "../../lib";
import { placementOf } from "../../lib/resolved-service";
import { tmpfsOptions } from "../../lib/swarm-service";
import { SwarmTarget } from "../../lib/target";
import { container, DockerService, scratchStack, STAGING_SWARM, swarmService, synthJson, TfJson, TfLabel } from "../helpers";

/** The swarm rendering of `Service` (lib/swarm-service.ts), on a scratch stack whose target is a swarm. */

const MIB = 1024 * 1024;

/** A condition on a bool variable `name` (declared in a stack of its own: only its expression is read). */
const whenTrue = (name: string) =>
  Condition.whenTrue(new TerraformVariable(new TerraformStack(Testing.app(), "vars"), name, { type: "bool" }));

/** One service on a swarm scratch stack; `build` adds more children before it. */
function onSwarm(extra: Partial<ServiceProps> = {}, target: SwarmTarget = STAGING_SWARM) {
  const s = scratchStack(target);
  const service = new Service(s.stack, "App", {
    name: "app",
    image: s.image,
    user: "1000:1000",
    networks: [{ network: s.network }],
    ...extra,
  });
  const json = synthJson(s.stack);
  return { ...s, service, json, svc: json.resource.docker_service?.app };
}

/** The mount of a swarm service at `target`. */
const mountAt = (svc: DockerService, target: string) => svc.task_spec.container_spec.mounts.find((m) => m.target === target);
const labels = (list: TfLabel[] | undefined) => Object.fromEntries((list ?? []).map((l) => [l.label, l.value]));

describe("swarm Service defaults", () => {
  const { json, svc, service } = onSwarm();
  const spec = svc.task_spec.container_spec;

  test("renders one docker_service and no container, files loader or files volume", () => {
    expect(Object.keys(json.resource.docker_service)).toEqual(["app"]);
    expect(json.resource.docker_container).toBeUndefined();
    expect(json.resource.docker_volume).toBeUndefined();
    expect(service.target).toEqual(STAGING_SWARM);
    expect([service.replicas, service.fileVolumes, service.filesLoader]).toEqual([1, [], undefined]);
  });
  test("the swarmService escape hatch is the resource; container throws", () => {
    expect(service.swarmService).toBe(service.resource);
    expect(() => service.container).toThrow(/rendered as a swarm service; use swarmService/);
  });
  test("is named after the service, with the name as hostname", () => {
    expect(svc.name).toBe("app");
    expect(spec.hostname).toBe("app");
  });
  test("runs one replicated task", () => expect(svc.mode).toEqual({ replicated: { replicas: 1 } }));
  test("runs the image by registry digest when there is one, else by name (never the local image id)", () => {
    const image = Object.keys(json.resource.docker_image)[0];
    expect(spec.image).toBe(`\${docker_image.${image}.repo_digest != "" ? docker_image.${image}.repo_digest : docker_image.${image}.name}`);
  });
  test("root filesystem is read-only", () => expect(spec.read_only).toBe(true));
  test("drops every capability and adds none (an empty cap_add, as provider 4.6 reads it back)", () => {
    expect(spec.cap_drop).toEqual(["ALL"]);
    expect(spec.cap_add).toEqual([]);
  });
  test("runs as the declared user", () => expect(spec.user).toBe("1000:1000"));
  test("stop grace period defaults to 10 s", () => expect(spec.stop_grace_period).toBe("10s"));
  test("has no health check, environment or working directory unless given", () => {
    expect([spec.healthcheck, spec.env, spec.dir]).toEqual([undefined, undefined, undefined]);
  });
  test("command, args, groups and sysctl are written empty unless given (provider 4.6 reads unset ones back as empty)", () => {
    expect([spec.command, spec.args, spec.groups, spec.sysctl]).toEqual([[], [], [], {}]);
  });
  test("mounts nothing and receives no secret or config", () => {
    expect(spec.mounts).toEqual([]);
    expect([spec.secrets, spec.configs]).toEqual([[], []]);
  });
  test('restarts on any exit after 5 s, without a cap on attempts (unless-stopped) and with no window (written "0s", as provider 4.6 reads it back)', () =>
    expect(svc.task_spec.restart_policy).toEqual({ condition: "any", delay: "5s", max_attempts: 0, window: "0s" }));
  test("logs to json-file with rotation set explicitly", () =>
    expect(svc.task_spec.log_driver).toEqual({ name: "json-file", options: { "max-size": "10m", "max-file": "3" } }));
  test("has no limits and reserves nothing unless given", () => expect(svc.task_spec.resources ?? {}).toEqual({}));
  test("joins its networks by id (a name is deprecated in provider 4.6 and replaces the service on every plan) with its name as alias", () =>
    expect(svc.task_spec.networks_advanced).toEqual([{ id: "${docker_network.net.id}", aliases: ["app"], driver_opts: [] }]));
  test("labels the service and its tasks' containers with its service name", () => {
    expect(labels(svc.labels)).toEqual({ service: "app" });
    expect(labels(spec.labels)).toEqual({ service: "app" });
  });
  test("is not placed on the data node and not limited per node", () => expect(svc.task_spec.placement?.constraints ?? []).toEqual([]));
  test("publishes nothing, with the target's endpoint mode", () => expect(svc.endpoint_spec).toEqual({ mode: "dnsrr", ports: [] }));
  test("updates one task at a time, new task first, rolling back on failure", () =>
    expect(svc.update_config).toEqual({
      parallelism: 1,
      delay: "0s",
      failure_action: "rollback",
      monitor: "10s",
      max_failure_ratio: "0.0",
      order: "start-first",
    }));
  test("a failed rollback pauses instead of looping", () =>
    expect(svc.rollback_config).toEqual({
      parallelism: 1,
      delay: "0s",
      failure_action: "pause",
      monitor: "10s",
      max_failure_ratio: "0.0",
      order: "start-first",
    }));
  test("Terraform waits for convergence: 1 task × (10 s + 10 s monitor) + 60 s", () =>
    expect(svc.converge_config).toEqual({ delay: "2s", timeout: "1m20s" }));
  test("waits for its networks", () => expect(svc.depends_on).toEqual(["docker_network.net"]));
  test("terraform address is readable and stable", () => expect(Object.keys(json.resource.docker_service)).toEqual(["app"]));
});

describe("swarm Service explicit settings", () => {
  const spec = (extra: Partial<ServiceProps>) => onSwarm(extra).svc.task_spec.container_spec;
  const task = (extra: Partial<ServiceProps>) => onSwarm(extra).svc.task_spec;

  test("capabilities are added back sorted, de-duplicated and with the CAP_ prefix", () => {
    expect(spec({ capabilities: ["SETUID", "CHOWN", "SETUID"] }).cap_add).toEqual(["CAP_CHOWN", "CAP_SETUID"]);
    expect(spec({ capabilities: [] }).cap_add).toEqual([]);
  });
  test("a writable root filesystem only when asked", () => expect(spec({ readOnlyRootFilesystem: false }).read_only).toBe(false));
  test("a root service has no user", () =>
    expect(spec({ user: undefined, rootReason: "the image needs root for a good reason" }).user).toBeUndefined());
  test("health check durations in Go's spelling; start_interval is not rendered (Engine API ≤ 1.45)", () => {
    const hc = {
      test: ["CMD", "true"],
      intervalSeconds: 30,
      timeoutSeconds: 10,
      retries: 3,
      startPeriodSeconds: 90,
      startIntervalSeconds: 5,
    };
    expect(spec({ healthCheck: hc }).healthcheck).toEqual({
      test: ["CMD", "true"],
      interval: "30s",
      timeout: "10s",
      retries: 3,
      start_period: "1m30s",
    });
    expect(spec({ healthCheck: { ...hc, startPeriodSeconds: undefined, intervalSeconds: 3600 } }).healthcheck).toMatchObject({
      interval: "1h0m0s",
      start_period: "0s",
    });
  });
  test.each<[RestartPolicy | undefined, DockerService["task_spec"]["restart_policy"]]>([
    [undefined, { condition: "any", delay: "5s", max_attempts: 0, window: "0s" }],
    ["unless-stopped", { condition: "any", delay: "5s", max_attempts: 0, window: "0s" }],
    ["always", { condition: "any", delay: "5s", max_attempts: 0, window: "0s" }],
    ["no", { condition: "none", delay: "5s", max_attempts: 0, window: "0s" }],
    ["on-failure", { condition: "on-failure", delay: "5s", max_attempts: 5, window: "0s" }],
  ])("restart %s maps to the restart policy %j", (restart, policy) => expect(task({ restart }).restart_policy).toEqual(policy));
  test("on-failure takes maxRetryCount as max_attempts", () =>
    expect(task({ restart: "on-failure", maxRetryCount: 2 }).restart_policy).toEqual({
      condition: "on-failure",
      delay: "5s",
      max_attempts: 2,
      window: "0s",
    }));
  test("log rotation, compression and labels come from logging", () =>
    expect(task({ logging: { maxSizeMiB: 50, maxFiles: 5, compress: true, labels: ["service", "environment"] } }).log_driver).toEqual({
      name: "json-file",
      options: { "max-size": "50m", "max-file": "5", compress: "true", labels: "service,environment" },
    }));
  test("a memory limit in bytes is also reserved, so the scheduler never overcommits a node; CPUs in nano CPUs", () =>
    expect(task({ resources: { memoryMiB: 512, cpus: 1.5 } }).resources).toEqual({
      limits: { memory_bytes: 512 * MIB, nano_cpus: 1500000000 },
      reservation: { memory_bytes: 512 * MIB },
    }));
  test("a CPU limit alone reserves nothing (CPU is shared by weight)", () =>
    expect(task({ resources: { cpus: 0.25 } }).resources).toEqual({ limits: { nano_cpus: 250000000 } }));
  test("a memory limit alone sets no CPU limit", () =>
    expect(task({ resources: { memoryMiB: 64 } }).resources).toEqual({
      limits: { memory_bytes: 64 * MIB },
      reservation: { memory_bytes: 64 * MIB },
    }));
  test("environment is a map sorted by name", () => {
    const env = spec({ environment: { B: "2", A: "1" } }).env;
    expect(env).toEqual({ A: "1", B: "2" });
    expect(Object.keys(env)).toEqual(["A", "B"]);
  });
  test("entrypoint becomes swarm's command and command its args; workingDir its dir", () => {
    const s = spec({ entrypoint: ["/bin/sh", "-c"], command: ["echo hi"], workingDir: "/work" });
    expect([s.command, s.args, s.dir]).toEqual([["/bin/sh", "-c"], ["echo hi"], "/work"]);
  });
  test("stop grace period in Go's spelling", () => expect(spec({ stopTimeoutSeconds: 90 }).stop_grace_period).toBe("1m30s"));
  test("extra labels sit on the service and on its containers", () => {
    const { svc } = onSwarm({ labels: { tier: "web" } });
    expect(labels(svc.labels)).toEqual({ service: "app", tier: "web" });
    expect(labels(svc.task_spec.container_spec.labels)).toEqual({ service: "app", tier: "web" });
  });
  test("standard labels reach the service and its containers; a label the service sets wins", () => {
    const s = scratchStack(STAGING_SWARM);
    Aspects.of(s.stack).add(new StandardLabels({ environment: "staging", system: "test", tier: "default" }));
    new Service(s.stack, "App", { name: "app", image: s.image, user: "1000", networks: [{ network: s.network }], labels: { tier: "web" } });
    const svc = swarmService(synthJson(s.stack), "app");
    for (const list of [svc.labels, svc.task_spec.container_spec.labels])
      expect(labels(list)).toEqual({ environment: "staging", service: "app", system: "test", tier: "web" });
  });
  test("aliases are added to the service name, once each, sorted", () => {
    const s = scratchStack(STAGING_SWARM);
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network, aliases: ["zeta", "api", "app"] }],
    });
    expect(swarmService(synthJson(s.stack), "app").task_spec.networks_advanced).toEqual([
      { id: "${docker_network.net.id}", aliases: ["api", "app", "zeta"], driver_opts: [] },
    ]);
  });
  test("dependencies are kept (services and containers alike)", () => {
    const s = scratchStack(STAGING_SWARM);
    const init = new Service(s.stack, "Init", {
      name: "init",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      oneShot: true,
    });
    const db = new Service(s.stack, "Db", { name: "db", image: s.image, user: "1000", networks: [{ network: s.network }] });
    new Service(s.stack, "App", { name: "app", image: s.image, user: "1000", networks: [{ network: s.network }], dependsOn: [init, db] });
    expect(swarmService(synthJson(s.stack), "app").depends_on).toEqual([
      "docker_network.net",
      "docker_container.init",
      "docker_service.db",
    ]);
  });
  test("tmpfs mounts are sorted by path and writable, with size and mode parsed from the option string (mode 0 when none)", () => {
    expect(spec({ tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/run": "size=1m,mode=0755" } }).mounts).toEqual([
      { type: "tmpfs", target: "/run", read_only: false, tmpfs_options: { size_bytes: MIB, mode: 0o755 } },
      { type: "tmpfs", target: "/tmp", read_only: false, tmpfs_options: { size_bytes: 64 * MIB, mode: 0 } },
    ]);
  });
});

describe("tmpfsOptions", () => {
  test.each([
    ["rw,noexec,nosuid,size=64m", { sizeBytes: 64 * MIB, mode: 0 }],
    ["size=1g", { sizeBytes: 1024 * MIB, mode: 0 }],
    ["size=512k", { sizeBytes: 512 * 1024, mode: 0 }],
    ["size=4096", { sizeBytes: 4096, mode: 0 }],
    ["size=16M", { sizeBytes: 16 * MIB, mode: 0 }],
    ["mode=1777", { mode: 0o1777 }],
    ["size=1m,mode=0700", { sizeBytes: MIB, mode: 0o700 }],
    ["rw,noexec,nosuid", { mode: 0 }],
    ["size=", { mode: 0 }],
    ["size=big", { mode: 0 }],
    ["", { mode: 0 }],
  ])("%j → %j", (options, parsed) => expect(tmpfsOptions(options)).toEqual(parsed));
});

describe("swarm placement", () => {
  const s = scratchStack(STAGING_SWARM);
  const nodeLocal = new Volume(s.stack, "Data", { name: "data" });
  const perNode = new Volume(s.stack, "Cache", { name: "cache", perNode: true });

  test.each([
    ["nothing mounted", {}, { pinned: false, singleWriter: false }],
    ["a per-node volume, read-write", { volumes: [perNode.mount("/cache")] }, { pinned: false, singleWriter: false }],
    ["a node-local volume, read-only", { volumes: [nodeLocal.mount("/data", { readOnly: true })] }, { pinned: true, singleWriter: false }],
    ["a node-local volume, read-write", { volumes: [nodeLocal.mount("/data")] }, { pinned: true, singleWriter: true }],
    [
      "a host path, read-only (the default)",
      { bindMounts: [{ hostPath: "/srv", containerPath: "/srv" }] },
      { pinned: true, singleWriter: false },
    ],
    [
      "a host path, read-write",
      { bindMounts: [{ hostPath: "/srv", containerPath: "/srv", readOnly: false }] },
      { pinned: true, singleWriter: true },
    ],
  ])("placementOf: %s", (_what, props, placement) => expect(placementOf(props)).toEqual(placement));

  function rendered(
    mount: (v: { nodeLocal: Volume; perNode: Volume }) => Record<string, unknown>,
    extra: Partial<ServiceProps> = {},
    target: SwarmTarget = STAGING_SWARM,
  ) {
    const t = scratchStack(target);
    const volumes = {
      nodeLocal: new Volume(t.stack, "Data", { name: "data" }),
      perNode: new Volume(t.stack, "Cache", { name: "cache", perNode: true }),
    };
    new Service(t.stack, "App", {
      name: "app",
      image: t.image,
      user: "1000",
      networks: [{ network: t.network }],
      ...mount(volumes),
      ...extra,
    });
    const json = synthJson(t.stack);
    return { json, svc: swarmService(json, "app") };
  }

  test("a per-node volume is an anonymous task volume: no docker_volume, not pinned, new task first", () => {
    const { json, svc } = rendered((v) => ({ volumes: [v.perNode.mount("/cache")] }));
    expect(mountAt(svc, "/cache")).toEqual({ type: "volume", target: "/cache", read_only: false });
    expect(Object.keys(json.resource.docker_volume)).toEqual(["data"]);
    expect(svc.task_spec.placement?.constraints).toBeUndefined();
    expect([svc.update_config.order, svc.rollback_config.order]).toEqual(["start-first", "start-first"]);
    expect(svc.depends_on).not.toContain("docker_volume.cache");
  });
  test("a read-only node-local volume pins the tasks to the data node, but two tasks may overlap (start-first)", () => {
    const { svc } = rendered((v) => ({ volumes: [v.nodeLocal.mount("/data", { readOnly: true })] }));
    expect(mountAt(svc, "/data")).toEqual({ type: "volume", source: "data", target: "/data", read_only: true });
    expect(svc.task_spec.placement.constraints).toEqual(["node.labels.z3-infra.data==true"]);
    expect([svc.update_config.order, svc.rollback_config.order]).toEqual(["start-first", "start-first"]);
    expect(svc.depends_on).toContain("docker_volume.data");
  });
  test("a read-write node-local volume pins the task and stops the old writer before the new one starts", () => {
    const { svc } = rendered((v) => ({ volumes: [v.nodeLocal.mount("/data")] }));
    expect(mountAt(svc, "/data")).toEqual({ type: "volume", source: "data", target: "/data", read_only: false });
    expect(svc.task_spec.placement.constraints).toEqual(["node.labels.z3-infra.data==true"]);
    expect([svc.update_config.order, svc.rollback_config.order]).toEqual(["stop-first", "stop-first"]);
  });
  test("a read-write host path pins the task and stops first", () => {
    const { svc } = rendered(() => ({ bindMounts: [{ hostPath: "/srv/data", containerPath: "/data", readOnly: false }] }));
    expect(mountAt(svc, "/data")).toEqual({ type: "bind", source: "/srv/data", target: "/data", read_only: false });
    expect(svc.task_spec.placement.constraints).toEqual(["node.labels.z3-infra.data==true"]);
    expect(svc.update_config.order).toBe("stop-first");
  });
  test("the constraint uses the target's data node label", () => {
    const { svc } = rendered(
      (v) => ({ volumes: [v.nodeLocal.mount("/data", { readOnly: true })] }),
      {},
      { ...STAGING_SWARM, dataNodeLabel: "storage" },
    );
    expect(svc.task_spec.placement.constraints).toEqual(["node.labels.storage==true"]);
  });
  test("a pinned service with a host-mode port stops first (the port is bound once on the data node)", () => {
    const { svc } = rendered((v) => ({ volumes: [v.nodeLocal.mount("/data", { readOnly: true })] }), {
      ports: [{ containerPort: 8443, hostPort: 443, kind: "https", public: true }],
    });
    expect(svc.update_config.order).toBe("stop-first");
    expect(svc.task_spec.placement).toEqual({ constraints: ["node.labels.z3-infra.data==true"], max_replicas: 1 });
  });
  test("a pinned service with an ingress port starts first (the routing mesh holds the port)", () => {
    const { svc } = rendered(
      (v) => ({ volumes: [v.nodeLocal.mount("/data", { readOnly: true })] }),
      { ports: [{ containerPort: 8443, hostPort: 443, kind: "https", public: true }] },
      { ...STAGING_SWARM, endpointMode: "vip" },
    );
    expect(svc.update_config.order).toBe("start-first");
    expect(svc.task_spec.placement).toEqual({ constraints: ["node.labels.z3-infra.data==true"] });
  });
});

describe("swarm ports", () => {
  const ports: PortMapping[] = [
    { containerPort: 8443, hostPort: 443, kind: "https", public: true },
    { containerPort: 9090, hostPort: 19090, kind: "metrics" },
  ];
  test("dnsrr: public ports are published in host mode, at most one task per node; loopback-only ports are not published", () => {
    const { svc } = onSwarm({ ports, replicas: 2 });
    expect(svc.endpoint_spec).toEqual({
      mode: "dnsrr",
      ports: [{ target_port: 8443, published_port: 443, protocol: "tcp", publish_mode: "host" }],
    });
    expect(svc.task_spec.placement).toEqual({ max_replicas: 1 });
  });
  test("vip: public ports are published on the ingress routing mesh, any number of tasks per node", () => {
    const { svc } = onSwarm({ ports, replicas: 2 }, { ...STAGING_SWARM, endpointMode: "vip" });
    expect(svc.endpoint_spec).toEqual({
      mode: "vip",
      ports: [{ target_port: 8443, published_port: 443, protocol: "tcp", publish_mode: "ingress" }],
    });
    expect(svc.task_spec.placement?.max_replicas).toBeUndefined();
  });
  test("vip: a P2P port is still published in host mode (the ingress mesh would hide the peer's address), one task per node", () => {
    const { svc } = onSwarm(
      { ports: [{ containerPort: 8233, hostPort: 8233, kind: "p2p", public: true }] },
      { ...STAGING_SWARM, endpointMode: "vip" },
    );
    expect(svc.endpoint_spec).toEqual({
      mode: "vip",
      ports: [{ target_port: 8233, published_port: 8233, protocol: "tcp", publish_mode: "host" }],
    });
    expect(svc.task_spec.placement.max_replicas).toBe(1);
  });
  test("udp is kept", () => {
    const { svc } = onSwarm({ ports: [{ containerPort: 53, hostPort: 53, kind: "p2p", protocol: "udp", public: true }] });
    expect(svc.endpoint_spec.ports).toEqual([{ target_port: 53, published_port: 53, protocol: "udp", publish_mode: "host" }]);
  });
  test("only loopback ports: nothing published and no per-node limit", () => {
    const { svc } = onSwarm({ ports: [ports[1]], replicas: 3 });
    expect(svc.endpoint_spec.ports).toEqual([]);
    expect(svc.task_spec.placement?.max_replicas).toBeUndefined();
  });
  test("the Service model keeps every declared port (policy rules read them)", () =>
    expect(onSwarm({ ports }).service.ports).toEqual(ports));
});

describe("swarm replicas and convergence", () => {
  const hc = { test: ["CMD", "true"], intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 40 };
  test("replicas set the replicated mode", () => {
    const { svc, service } = onSwarm({ replicas: 3 });
    expect(svc.mode).toEqual({ replicated: { replicas: 3 } });
    expect(service.replicas).toBe(3);
  });
  test("with a health check, swarm monitors each task for one interval", () => {
    const { svc } = onSwarm({ healthCheck: hc });
    expect([svc.update_config.monitor, svc.rollback_config.monitor]).toEqual(["30s", "30s"]);
    expect(onSwarm({ healthCheck: { ...hc, intervalSeconds: 5 } }).svc.update_config.monitor).toBe("10s");
  });
  test("the convergence timeout covers every task turning healthy one after another", () => {
    // (40 + 30 × 4 + 10) s to turn healthy + 30 s monitored, per task, + 60 s.
    expect(onSwarm({ healthCheck: hc }).svc.converge_config).toEqual({ delay: "2s", timeout: "4m20s" });
    expect(onSwarm({ healthCheck: hc, replicas: 2 }).svc.converge_config).toEqual({ delay: "2s", timeout: "7m40s" });
  });
  test("a longer waitForHealthySeconds wins", () =>
    expect(onSwarm({ healthCheck: hc, waitForHealthySeconds: 3600 }).svc.converge_config).toEqual({ delay: "2s", timeout: "1h0m0s" }));
});

describe("swarm files", () => {
  function withFiles(extra: Partial<ServiceProps> = {}, files: Partial<ServiceProps> = {}) {
    const s = scratchStack(STAGING_SWARM);
    const secret = new Secret(s.stack, "Token", { variableName: "api_token", description: "token" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      secretFiles: [secret.file("/run/secrets/api_token")],
      configFiles: [{ containerPath: "/etc/app/app.toml", content: FileText.of('x = "1"\n') }],
      ...files,
      ...extra,
    });
    const json = synthJson(s.stack);
    return { json, svc: swarmService(json, "app"), spec: swarmService(json, "app").task_spec.container_spec };
  }

  test("no files loader and no files volumes: swarm delivers the files itself", () => {
    const { json } = withFiles();
    expect(json.resource.docker_container).toBeUndefined();
    expect(json.resource.docker_volume).toBeUndefined();
  });
  test("a secret file is a docker_secret from a local that holds the variable reference", () => {
    const { json } = withFiles();
    expect(json.locals!.app_run_secrets_api_token_content).toBe("${var.api_token}");
    expect(json.resource.docker_secret.app_run_secrets_api_token).toEqual({
      name: "app-token-${substr(terraform_data.app_run_secrets_api_token_version.id, 0, 8)}",
      data: "${base64encode(local.app_run_secrets_api_token_content)}",
      lifecycle: { create_before_destroy: true },
      // Created only after the secret's length check passed (a targeted plan checks it too).
      depends_on: ["terraform_data.api_token_length"],
    });
  });
  test("a secret's name carries the id of a terraform_data replaced when the content changes, never a hash of the secret", () => {
    const { json } = withFiles();
    expect(json.resource.terraform_data.app_run_secrets_api_token_version).toEqual({
      triggers_replace: { content: "${local.app_run_secrets_api_token_content}" },
      lifecycle: { create_before_destroy: true },
    });
    for (const s of Object.values(json.resource.docker_secret)) expect(s.name).not.toMatch(/sha|md5|hash/);
  });
  test("a changed file that carries a secret changes only the terraform_data trigger: names and references stay as they are", () => {
    const sensitiveConfig = (host: string) =>
      withFiles(
        {},
        {
          secretFiles: [],
          configFiles: [
            { containerPath: "/etc/app/db.url", content: FileText.fromTemplate(`postgresql://u:\${var.api_token}@${host}/app`) },
          ],
        },
      ).json;
    const a = sensitiveConfig("db-old");
    const b = sensitiveConfig("db-new");
    // The content lives in a local only; the trigger reads the local, the secret's name reads the trigger's id.
    expect({ ...a, locals: undefined }).toEqual({ ...b, locals: undefined });
    expect([a.locals!.app_etc_app_db_url_content, b.locals!.app_etc_app_db_url_content]).toEqual([
      "postgresql://u:${var.api_token}@db-old/app",
      "postgresql://u:${var.api_token}@db-new/app",
    ]);
    expect(a.resource.terraform_data.app_etc_app_db_url_version.triggers_replace).toEqual({
      content: "${local.app_etc_app_db_url_content}",
    });
    expect(a.resource.docker_secret.app_etc_app_db_url.name).toBe("app-url-${substr(terraform_data.app_etc_app_db_url_version.id, 0, 8)}");
  });
  test("secrets are mounted where the program reads them, owned by the user, 0400", () => {
    expect(withFiles().spec.secrets).toEqual([
      {
        secret_id: "${docker_secret.app_run_secrets_api_token.id}",
        secret_name: "${docker_secret.app_run_secrets_api_token.name}",
        file_name: "/run/secrets/api_token",
        file_uid: "1000",
        file_gid: "1000",
        file_mode: 0o400,
      },
    ]);
  });
  test("a configuration file is a docker_config named by a sha256 of its content", () => {
    const { json, spec } = withFiles();
    expect(json.locals!.app_etc_app_app_toml_content).toBe('x = "1"\n');
    expect(json.resource.docker_config.app_etc_app_app_toml).toEqual({
      // "aea5": the first 4 hex digits of the 32-bit FNV-1a hash of "/etc/app/app.toml" (0xaea56832).
      name: "app-toml-aea5${substr(sha256(local.app_etc_app_app_toml_content), 0, 12)}",
      data: "${base64encode(local.app_etc_app_app_toml_content)}",
      lifecycle: { create_before_destroy: true },
    });
    expect(spec.configs).toEqual([
      {
        config_id: "${docker_config.app_etc_app_app_toml.id}",
        config_name: "${docker_config.app_etc_app_app_toml.name}",
        file_name: "/etc/app/app.toml",
        file_uid: "1000",
        file_gid: "1000",
        file_mode: 0o444,
      },
    ]);
  });
  test("a configuration file keeps its mode", () =>
    expect(
      withFiles({ configFiles: [{ containerPath: "/etc/app/app.toml", content: FileText.of("x"), mode: "0440" }] }).spec.configs[0]
        .file_mode,
    ).toBe(0o440));
  test("a configuration file whose content reads a sensitive variable is a docker_secret, 0400, never a docker_config", () => {
    const { json, spec } = withFiles({
      configFiles: [{ containerPath: "/etc/app/db.url", content: FileText.fromTemplate("postgresql://u:${var.api_token}@db/app") }],
    });
    expect(json.resource.docker_config).toBeUndefined();
    expect(Object.keys(json.resource.docker_secret).sort()).toEqual(["app_etc_app_db_url", "app_run_secrets_api_token"]);
    expect(json.resource.docker_secret.app_etc_app_db_url).toMatchObject({
      name: "app-url-${substr(terraform_data.app_etc_app_db_url_version.id, 0, 8)}",
      depends_on: ["terraform_data.api_token_length"],
    });
    expect(spec.secrets.find((s) => s.file_name === "/etc/app/db.url")).toMatchObject({
      file_mode: 0o400,
      file_uid: "1000",
      file_gid: "1000",
    });
    expect(spec.configs).toEqual([]);
  });
  test("a configuration file reading a variable that is not sensitive stays a docker_config", () => {
    const s = scratchStack(STAGING_SWARM);
    const serverName = new TerraformVariable(s.stack, "server_name", { type: "string" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      configFiles: [{ containerPath: "/etc/app/app.conf", content: FileText.of(`server_name ${serverName.stringValue};`) }],
    });
    const json = synthJson(s.stack);
    expect(Object.keys(json.resource.docker_config)).toEqual(["app_etc_app_app_conf"]);
    expect(json.resource.docker_secret).toBeUndefined();
  });
  test("files are owned by the user the image drops to", () => {
    const { spec } = withFiles({ user: undefined, rootReason: "the entrypoint chowns data, then drops privileges", dropsToUser: "70:70" });
    expect([...spec.secrets, ...spec.configs].map((f) => `${f.file_uid}:${f.file_gid}`)).toEqual(["70:70", "70:70"]);
  });
  test("files are owned by root for a root service, and a bare uid is also the gid", () => {
    expect(withFiles({ user: undefined, rootReason: "the image needs root for a good reason" }).spec.secrets[0]).toMatchObject({
      file_uid: "0",
      file_gid: "0",
    });
    expect(withFiles({ user: "1234" }).spec.secrets[0]).toMatchObject({ file_uid: "1234", file_gid: "1234" });
  });
  test("the service waits for its secrets, their versions and its configs", () =>
    expect(withFiles().svc.depends_on).toEqual([
      "terraform_data.app_run_secrets_api_token_version",
      "docker_secret.app_run_secrets_api_token",
      "docker_config.app_etc_app_app_toml",
      "docker_network.net",
    ]));
  test("the variable is read only by the local and its length check", () => {
    const { json } = withFiles();
    const { api_token_length: check, ...otherData } = json.resource.terraform_data;
    expect(check.lifecycle.precondition[0].condition).toBe("${length(var.api_token) >= 16}");
    const text = JSON.stringify({
      ...json,
      locals: undefined,
      variable: undefined,
      resource: { ...json.resource, terraform_data: otherData },
    });
    expect(text).not.toContain("var.api_token");
  });
});

describe("one-shot services on swarm", () => {
  test("render a docker_container that Terraform waits for, on the node it talks to", () => {
    const { json } = onSwarm({ oneShot: true });
    expect(json.resource.docker_service).toBeUndefined();
    const c = container(json, "app");
    expect(c).toMatchObject({ must_run: false, attach: true, restart: "no", read_only: true, security_opts: ["no-new-privileges:true"] });
    expect(c.lifecycle.postcondition[0].condition).toBe("${self.exit_code == 0}");
    // An attachable overlay network, joined by name like a bridge.
    expect(c.networks_advanced).toEqual([{ name: "test-net", aliases: ["app"] }]);
    expect(json.resource.docker_network.net).toMatchObject({ driver: "overlay", attachable: true });
  });
  test("receive their files through a files loader, as on the containers target", () => {
    const s = scratchStack(STAGING_SWARM);
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      oneShot: true,
      configFiles: [{ containerPath: "/etc/app/app.toml", content: FileText.of("x") }],
    });
    const json = synthJson(s.stack);
    expect(container(json, "app_files").upload).toEqual([{ file: "/etc/app/app.toml", content: "x", permissions: "0444" }]);
    expect(json.resource.docker_config).toBeUndefined();
  });
  test("may be conditional", () =>
    expect(container(onSwarm({ oneShot: true, enabledWhen: whenTrue("on") }).json, "app").count).toBe("${var.on ? 1 : 0}"));
});

describe("swarm images", () => {
  test("a counted image is referenced by its single instance", () => {
    const s = scratchStack(STAGING_SWARM);
    const image = new ContainerImage(s.stack, "Counted", { reference: "example/app:1.0", enabledWhen: whenTrue("on") });
    const address = `docker_image.${image.resource.friendlyUniqueId}[0]`;
    expect(image.swarmReference).toBe(`\${${address}.repo_digest != "" ? ${address}.repo_digest : ${address}.name}`);
  });
});

describe("swarm Service validation", () => {
  const expectInvalid = (build: () => unknown, ...fragments: string[]) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructValidationError);
    for (const f of fragments) expect((error as Error).message).toContain(f);
    expect((error as Error).message).toContain("test/App");
  };
  const publicPort: PortMapping = { containerPort: 8443, hostPort: 443, kind: "https", public: true };
  function withVolume(
    target: SwarmTarget | undefined,
    mount: (v: Volume) => NonNullable<ServiceProps["volumes"]>[number],
    extra: Partial<ServiceProps> = {},
  ) {
    const s = scratchStack(target);
    const v = new Volume(s.stack, "Data", { name: "data" });
    return new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      volumes: [mount(v)],
      ...extra,
    });
  }

  test("fails when replicas > 1 on the containers target", () =>
    expectInvalid(() => minimalOn(undefined, { replicas: 2 }), "replicas: got 2; allowed: 1 on the containers target"));
  test("fails when replicas > 1 for a single writer of a node-local volume", () =>
    expectInvalid(
      () => withVolume(STAGING_SWARM, (v) => v.mount("/data"), { replicas: 2 }),
      "replicas: got 2; allowed: 1 for a service that writes a node-local volume or host path",
    ));
  test("fails when replicas > 1 for a single writer of a host path", () =>
    expectInvalid(
      () => minimalOn(STAGING_SWARM, { replicas: 2, bindMounts: [{ hostPath: "/srv", containerPath: "/srv", readOnly: false }] }),
      "1 for a service that writes a node-local volume or host path",
    ));
  test("fails when replicas > 1 for a pinned service with a public port on dnsrr", () =>
    expectInvalid(
      () => withVolume(STAGING_SWARM, (v) => v.mount("/data", { readOnly: true }), { replicas: 2, ports: [publicPort] }),
      'replicas: got 2; allowed: 1 for a service pinned to the data node that publishes a host-mode port (endpointMode "dnsrr"',
    ));
  test("replicas of a pinned reader with a public port are fine on vip (the routing mesh holds the port)", () =>
    expect(() =>
      withVolume({ ...STAGING_SWARM, endpointMode: "vip" }, (v) => v.mount("/data", { readOnly: true }), {
        replicas: 2,
        ports: [publicPort],
      }),
    ).not.toThrow());
  test("replicas of a pinned reader without a public port are fine on dnsrr", () =>
    expect(() => withVolume(STAGING_SWARM, (v) => v.mount("/data", { readOnly: true }), { replicas: 2 })).not.toThrow());
  test("fails when replicas > 1 for a one-shot service", () =>
    expectInvalid(() => minimalOn(STAGING_SWARM, { replicas: 2, oneShot: true }), "replicas: got 2; allowed: 1 for a one-shot service"));
  test.each([0, -1, 1.5])("fails when replicas is %p", (replicas) =>
    expectInvalid(() => minimalOn(STAGING_SWARM, { replicas }), `replicas: got ${replicas}; allowed: a positive integer`),
  );
  test("fails when a long-running service has enabledWhen on swarm", () =>
    expectInvalid(
      () => minimalOn(STAGING_SWARM, { enabledWhen: whenTrue("on") }),
      'enabledWhen: got "var.on"; allowed: unset on the swarm target',
    ));
  test("lists every swarm problem at once", () =>
    expectInvalid(
      () => withVolume(STAGING_SWARM, (v) => v.mount("/data"), { replicas: 2, enabledWhen: whenTrue("on") }),
      "replicas: got 2",
      "enabledWhen",
    ));
});

describe("Volume on swarm", () => {
  test("fails when a per-node volume is stateful", () => {
    const { stack } = scratchStack(STAGING_SWARM);
    expect(() => new Volume(stack, "Data", { name: "data", perNode: true, stateful: true })).toThrow(
      /perNode: got true; allowed: false for a stateful or protected volume/,
    );
  });
  test("fails when a per-node volume is protected", () => {
    const { stack } = scratchStack();
    expect(() => new Volume(stack, "Data", { name: "data", perNode: true, preventDestroy: true })).toThrow(ConstructValidationError);
  });
  test("a per-node volume has no docker_volume on swarm and one on the containers target", () => {
    const swarm = scratchStack(STAGING_SWARM);
    const onSwarmVolume = new Volume(swarm.stack, "Cache", { name: "cache", perNode: true });
    const containers = scratchStack();
    const onContainersVolume = new Volume(containers.stack, "Cache", { name: "cache", perNode: true });
    expect([onSwarmVolume.perNode, onSwarmVolume.resource]).toEqual([true, undefined]);
    expect(synthJson(swarm.stack).resource.docker_volume).toBeUndefined();
    expect(onContainersVolume.resource).toBeDefined();
    expect(synthJson(containers.stack).resource.docker_volume.cache).toMatchObject({ name: "cache", driver: "local" });
  });
  test("a node-local volume is a docker_volume on swarm (on the node docker_host points at)", () => {
    const { stack } = scratchStack(STAGING_SWARM);
    new Volume(stack, "Data", { name: "data", stateful: true });
    expect(synthJson(stack).resource.docker_volume.data).toMatchObject({
      name: "data",
      driver: "local",
      labels: [{ label: "stateful", value: "true" }],
    });
  });
});

describe("Network on swarm", () => {
  const networks = (target: SwarmTarget): TfJson["resource"][string] => {
    const { stack } = scratchStack(target);
    new Network(stack, "Backend", { name: "backend" });
    return synthJson(stack).resource.docker_network;
  };
  test("is an attachable overlay (one-shot containers on the data node join it), internal by default", () =>
    expect(networks(STAGING_SWARM).backend).toEqual({ name: "backend", driver: "overlay", attachable: true, internal: true, labels: [] }));
  test("is encrypted when the swarm settings say so", () =>
    expect(networks({ ...STAGING_SWARM, encryptOverlay: true }).backend.options).toEqual({ encrypted: "" }));
  test("keeps a non-internal network non-internal", () =>
    expect(networks(STAGING_SWARM).net).toMatchObject({ driver: "overlay", internal: false }));
  test("is a bridge without attachable or options on the containers target", () => {
    const { stack } = scratchStack();
    const n = synthJson(stack).resource.docker_network.net;
    expect([n.driver, n.attachable, n.options]).toEqual(["bridge", undefined, undefined]);
  });
});

describe("Service on the containers target", () => {
  test("renders a container; the swarmService escape hatch throws", () => {
    const s = scratchStack();
    const service = new Service(s.stack, "App", { name: "app", image: s.image, user: "1000", networks: [{ network: s.network }] });
    expect(service.target).toEqual({ kind: "containers" });
    expect(service.container).toBe(service.resource);
    expect(() => service.swarmService).toThrow(/rendered as a container; use container/);
    expect(synthJson(s.stack).resource.docker_service).toBeUndefined();
  });
  test("accepts replicas of 1", () => {
    const s = scratchStack();
    const service = new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      replicas: 1,
    });
    expect(service.replicas).toBe(1);
    expect(Object.keys(synthJson(s.stack).resource.docker_container)).toEqual(["app"]);
  });
});

function minimalOn(target: SwarmTarget | undefined, extra: Partial<ServiceProps>) {
  const s = scratchStack(target);
  return new Service(s.stack, "App", {
    name: "app",
    image: s.image,
    user: "1000:1000",
    networks: [{ network: s.network }],
    ...extra,
  });
}
