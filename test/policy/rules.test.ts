import { Fn, TerraformLocal, TerraformVariable } from "../../lib/cdk";
import { Volume as DockerVolume, SwarmConfig } from "../../lib/docker";
import { ContainerImage, FileText, Secret, Service, ServiceProps, Volume } from "../../lib";
import { ALL_RULES, PolicyRule, SWARM_GAP_SOURCE, Suppressions } from "../../policy";
import { COMPLIANT_CONTAINER, Scratch, imageVariable, rawContainer, rawSwarmService, runRule, scratch, swarmScratch } from "./helpers";

/** A compliant `Service` (non-root, limits, health check), changed by `extra`. */
function service(s: Scratch, extra: Partial<ServiceProps> = {}, id = "App"): Service {
  return new Service(s.stack, id, {
    name: "app",
    image: s.image,
    user: "1000:1000",
    networks: [{ network: s.network }],
    resources: { memoryMiB: 256, cpus: 0.5 },
    healthCheck: { test: ["CMD", "true"], intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
    ...extra,
  });
}

/** A value known only at apply time: a Terraform variable's reference. */
const numberVariable = (s: Scratch, name: string): number => new TerraformVariable(s.stack, name, { type: "number" }).numberValue;
const stringVariable = (s: Scratch, name: string): string => new TerraformVariable(s.stack, name, { type: "string" }).stringValue;

/** A case: its name, what it builds, and (for non-compliance) what the finding must say. */
type Case = [string, (s: Scratch) => void, RegExp?];
interface RuleCases {
  readonly compliant: Case[];
  readonly nonCompliant: Case[];
}

const CASES: Record<string, RuleCases> = {
  ContainerNotPrivileged: {
    compliant: [
      ["a raw container with privileged false", (s) => rawContainer(s)],
      ["a Service (never privileged)", (s) => service(s)],
    ],
    nonCompliant: [
      ["a raw container with privileged true", (s) => rawContainer(s, { privileged: true }), /privileged is true/],
      [
        "a Service made privileged through the escape hatch",
        (s) => {
          service(s).container.privileged = true;
        },
        /privileged is true/,
      ],
    ],
  },
  ContainerCapabilitiesDropped: {
    compliant: [
      ["drop ALL, add an allowed capability", (s) => rawContainer(s)],
      ["Docker's other spellings (all, cap_chown)", (s) => rawContainer(s, { capabilities: { drop: ["all"], add: ["cap_chown"] } })],
      ["a Service with capabilities added back", (s) => service(s, { capabilities: ["CHOWN", "SETUID"] })],
    ],
    nonCompliant: [
      ["no capabilities block", (s) => rawContainer(s, { capabilities: undefined }), /drop does not include ALL/],
      ["drop without ALL", (s) => rawContainer(s, { capabilities: { drop: ["NET_RAW"] } }), /drop does not include ALL/],
      [
        "SYS_ADMIN added back",
        (s) => rawContainer(s, { capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }),
        /SYS_ADMIN, outside the allow list/,
      ],
      // With it, Docker's default seccomp profile allows open_by_handle_at ("Shocker").
      [
        "DAC_READ_SEARCH added back",
        (s) => rawContainer(s, { capabilities: { drop: ["ALL"], add: ["CAP_DAC_READ_SEARCH"] } }),
        /DAC_READ_SEARCH, outside the allow list/,
      ],
      [
        "DAC_READ_SEARCH added to a Service through the escape hatch",
        (s) => {
          service(s, { capabilities: ["DAC_OVERRIDE"] }).container.putCapabilities({
            drop: ["ALL"],
            add: ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"],
          });
        },
        /DAC_READ_SEARCH, outside the allow list/,
      ],
    ],
  },
  ContainerNoNewPrivileges: {
    compliant: [
      ["no-new-privileges:true", (s) => rawContainer(s)],
      ["bare no-new-privileges", (s) => rawContainer(s, { securityOpts: ["no-new-privileges"] })],
    ],
    nonCompliant: [
      ["no security options", (s) => rawContainer(s, { securityOpts: [] }), /no no-new-privileges/],
      ["a Service with allowPrivilegeEscalation", (s) => service(s, { allowPrivilegeEscalation: true }), /no no-new-privileges/],
    ],
  },
  ContainerSecurityProfilesEnabled: {
    compliant: [
      ["default profiles", (s) => rawContainer(s)],
      [
        "a custom seccomp profile",
        (s) => rawContainer(s, { securityOpts: ["no-new-privileges:true", "seccomp=/etc/docker/seccomp/app.json"] }),
      ],
    ],
    nonCompliant: [
      [
        "seccomp=unconfined",
        (s) => rawContainer(s, { securityOpts: ["no-new-privileges:true", "seccomp=unconfined"] }),
        /seccomp=unconfined/,
      ],
      ["apparmor:unconfined", (s) => rawContainer(s, { securityOpts: ["apparmor:unconfined"] }), /apparmor:unconfined/],
      ["label=disable", (s) => rawContainer(s, { securityOpts: ["label=disable"] }), /label=disable/],
    ],
  },
  ContainerRunsAsNonRoot: {
    compliant: [
      ["uid:gid 1000:1000", (s) => rawContainer(s)],
      ["a non-zero uid in the root group (472:0)", (s) => rawContainer(s, { user: "472:0" })],
    ],
    nonCompliant: [
      ["user not set", (s) => rawContainer(s, { user: undefined }), /user is not set/],
      ["user root", (s) => rawContainer(s, { user: "root" }), /\(root\)/],
      ["uid 0 with another group", (s) => rawContainer(s, { user: "0:1000" }), /\(root\)/],
    ],
  },
  ContainerReadOnlyRootFilesystem: {
    compliant: [
      ["read_only true", (s) => rawContainer(s)],
      ["a Service (read-only by default)", (s) => service(s)],
    ],
    nonCompliant: [
      ["read_only false", (s) => rawContainer(s, { readOnly: false }), /read_only is not true/],
      ["read_only not set", (s) => rawContainer(s, { readOnly: undefined }), /read_only is not true/],
      ["a Service with readOnlyRootFilesystem false", (s) => service(s, { readOnlyRootFilesystem: false }), /read_only is not true/],
    ],
  },
  ContainerMemoryLimited: {
    compliant: [
      ["memory set", (s) => rawContainer(s)],
      ["a Service with resources.memoryMiB", (s) => service(s)],
    ],
    nonCompliant: [
      ["memory not set", (s) => rawContainer(s, { memory: undefined }), /memory is not set/],
      [
        "memory known only at apply time",
        (s) => rawContainer(s, { memory: numberVariable(s, "memory") }),
        /could not be checked: memory is a Terraform expression/,
      ],
      ["a Service without resources", (s) => service(s, { resources: undefined }), /memory is not set/],
    ],
  },
  ContainerCpuLimited: {
    compliant: [
      ["cpus set", (s) => rawContainer(s)],
      ["cpu_quota set", (s) => rawContainer(s, { cpus: undefined, cpuQuota: 50000, cpuPeriod: 100000 })],
    ],
    nonCompliant: [
      ["neither cpus nor cpu_quota", (s) => rawContainer(s, { cpus: undefined }), /neither cpus nor cpu_quota/],
      [
        "cpus known only at apply time",
        (s) => rawContainer(s, { cpus: stringVariable(s, "cpus") }),
        /could not be checked: cpus is a Terraform expression/,
      ],
      [
        "cpu_quota known only at apply time",
        (s) => rawContainer(s, { cpus: undefined, cpuQuota: numberVariable(s, "quota"), cpuPeriod: 100000 }),
        /could not be checked/,
      ],
      ["a Service without resources", (s) => service(s, { resources: undefined }), /neither cpus nor cpu_quota/],
    ],
  },
  ContainerCpuPrioritySet: {
    compliant: [
      ["cpu_shares set", (s) => rawContainer(s)],
      ["a Service with resources.cpus (1024 per core)", (s) => service(s)],
    ],
    nonCompliant: [
      ["cpu_shares not set", (s) => rawContainer(s, { cpuShares: undefined }), /cpu_shares is not set/],
      ["a Service without resources", (s) => service(s, { resources: undefined }), /cpu_shares is not set/],
      [
        "cpu_shares known only at apply time",
        (s) => rawContainer(s, { cpuShares: numberVariable(s, "shares") }),
        /could not be checked: cpu_shares/,
      ],
    ],
  },
  ContainerPidsLimited: {
    compliant: [
      ["an nproc ulimit", (s) => rawContainer(s)],
      ["a cgroup_parent", (s) => rawContainer(s, { ulimit: undefined, cgroupParent: "limited.slice" })],
    ],
    nonCompliant: [
      ["no ulimit and no cgroup_parent", (s) => rawContainer(s, { ulimit: undefined }), /no pids limit/],
      [
        "an nproc ulimit known only at apply time",
        (s) => rawContainer(s, { ulimit: [{ name: "nproc", soft: 512, hard: numberVariable(s, "nproc") }] }),
        /could not be checked/,
      ],
      ["a Service (the L2 cannot set one with provider 4.6)", (s) => service(s), /provider 4\.6 has no pids_limit/],
    ],
  },
  ContainerHealthCheckDefined: {
    compliant: [
      ["a health check", (s) => rawContainer(s)],
      ["a one-shot Service without one (exempt)", (s) => service(s, { oneShot: true, healthCheck: undefined })],
      [
        "a raw one-shot container (must_run false) without one",
        (s) => rawContainer(s, { healthcheck: undefined, mustRun: false, restart: "no" }),
      ],
      [
        "a raw container labelled policy.one-shot",
        (s) => rawContainer(s, { healthcheck: undefined, restart: "no", labels: [{ label: "policy.one-shot", value: "true" }] }),
      ],
    ],
    nonCompliant: [
      ["no health check", (s) => rawContainer(s, { healthcheck: undefined }), /no healthcheck/],
      ["test NONE", (s) => rawContainer(s, { healthcheck: { test: ["NONE"] } }), /NONE/],
      ["a long-running Service without one", (s) => service(s, { healthCheck: undefined }), /no healthcheck/],
    ],
  },
  ContainerRestartPolicyBounded: {
    compliant: [
      ["unless-stopped", (s) => rawContainer(s)],
      ["on-failure with 3 retries", (s) => rawContainer(s, { restart: "on-failure", maxRetryCount: 3 })],
      ["a Service (unless-stopped)", (s) => service(s)],
      ["a one-shot Service (no)", (s) => service(s, { oneShot: true })],
    ],
    nonCompliant: [
      ["restart not set", (s) => rawContainer(s, { restart: undefined }), /restart is not set/],
      ["always", (s) => rawContainer(s, { restart: "always" }), /restart is always/],
      ["no on a long-running container", (s) => rawContainer(s, { restart: "no" }), /long-running/],
      ["on-failure without a retry count", (s) => rawContainer(s, { restart: "on-failure" }), /max_retry_count unset/],
      ["on-failure with 10 retries", (s) => rawContainer(s, { restart: "on-failure", maxRetryCount: 10 }), /max_retry_count 10/],
      [
        "unless-stopped on a one-shot container",
        (s) => rawContainer(s, { mustRun: false }),
        /one-shot container has restart "unless-stopped"/,
      ],
    ],
  },
  ContainerLogRotationConfigured: {
    compliant: [
      ["json-file with max-size and max-file", (s) => rawContainer(s)],
      ["journald (rotated by the journal)", (s) => rawContainer(s, { logDriver: "journald", logOpts: undefined })],
      ["a Service (rotation by default)", (s) => service(s)],
    ],
    nonCompliant: [
      ["log_driver not set", (s) => rawContainer(s, { logDriver: undefined, logOpts: undefined }), /log_driver is not set/],
      ["json-file without max-file", (s) => rawContainer(s, { logOpts: { "max-size": "10m" } }), /no max-file/],
      ["json-file without options", (s) => rawContainer(s, { logOpts: undefined }), /no max-size\n.*no max-file/],
      ["log_driver none", (s) => rawContainer(s, { logDriver: "none" }), /discarded/],
    ],
  },
  ContainerNotOnHostNetwork: {
    compliant: [
      ["bridge", (s) => rawContainer(s)],
      ["another container's namespace", (s) => rawContainer(s, { networkMode: "container:sidecar" })],
    ],
    nonCompliant: [["network_mode host", (s) => rawContainer(s, { networkMode: "host" }), /network_mode is host/]],
  },
  ContainerHostPidNamespaceNotShared: {
    compliant: [
      ["own PID namespace", (s) => rawContainer(s)],
      ["another container's PID namespace", (s) => rawContainer(s, { pidMode: "container:app" })],
    ],
    nonCompliant: [["pid_mode host", (s) => rawContainer(s, { pidMode: "host" }), /pid_mode is host/]],
  },
  ContainerHostIpcNamespaceNotShared: {
    compliant: [
      ["own IPC namespace", (s) => rawContainer(s)],
      ["private", (s) => rawContainer(s, { ipcMode: "private" })],
    ],
    nonCompliant: [["ipc_mode host", (s) => rawContainer(s, { ipcMode: "host" }), /ipc_mode is host/]],
  },
  ContainerDockerSocketNotMounted: {
    compliant: [
      ["a data directory", (s) => rawContainer(s, { volumes: [{ hostPath: "/srv/app/data", containerPath: "/data" }] })],
      [
        "a path under a variable with a literal tail",
        (s) => {
          const dir = new TerraformVariable(s.stack, "source_dir", { type: "string" });
          rawContainer(s, { volumes: [{ hostPath: `${dir.stringValue}/src`, containerPath: "/app/src" }] });
        },
      ],
    ],
    nonCompliant: [
      [
        "/var/run/docker.sock",
        (s) => rawContainer(s, { volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] }),
        /docker\.sock is mounted/,
      ],
      [
        "a bind mount of /run (contains the socket)",
        (s) => rawContainer(s, { mounts: [{ type: "bind", source: "/run/", target: "/host-run" }] }),
        /host path \/run\/ is mounted/,
      ],
      [
        "a path that is only a variable",
        (s) => {
          const dir = new TerraformVariable(s.stack, "host_dir", { type: "string" });
          rawContainer(s, { volumes: [{ hostPath: dir.stringValue, containerPath: "/host" }] });
        },
        /cannot be checked/,
      ],
    ],
  },
  ContainerHostPortsBoundToLoopback: {
    compliant: [
      ["a port on 127.0.0.1", (s) => rawContainer(s)],
      [
        "a Service port declared public",
        (s) => service(s, { ports: [{ containerPort: 8233, hostPort: 8233, kind: "p2p", public: true }] }),
      ],
      [
        "a Service port not declared public (bound to 127.0.0.1)",
        (s) => service(s, { ports: [{ containerPort: 8080, hostPort: 8080, kind: "http" }] }),
      ],
    ],
    nonCompliant: [
      [
        "a raw port without ip (every interface)",
        (s) => rawContainer(s, { ports: [{ internal: 8080, external: 8080 }] }),
        /published on 0\.0\.0\.0 without being declared public/,
      ],
      [
        "a Service port rebound to 0.0.0.0 through the escape hatch",
        (s) => {
          service(s, { ports: [{ containerPort: 8080, hostPort: 8080, kind: "http" }] }).container.putPorts([
            { internal: 8080, external: 8080, ip: "0.0.0.0" },
          ]);
        },
        /8080->8080\/tcp/,
      ],
      ["publish_all_ports", (s) => rawContainer(s, { publishAllPorts: true }), /publish_all_ports is true/],
    ],
  },
  ContainerDatabaseAndRpcPortsNotPublic: {
    compliant: [
      ["a Service RPC port on loopback", (s) => service(s, { ports: [{ containerPort: 8232, hostPort: 8232, kind: "rpc" }] })],
      ["a public P2P port", (s) => service(s, { ports: [{ containerPort: 8233, hostPort: 8233, kind: "p2p", public: true }] })],
      ["a raw PostgreSQL port on loopback", (s) => rawContainer(s, { ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }] })],
    ],
    nonCompliant: [
      [
        "a Service RPC port declared public",
        (s) => service(s, { ports: [{ containerPort: 8232, hostPort: 8232, kind: "rpc", public: true }] }),
        /rpc port 8232->8232\/tcp/,
      ],
      [
        "a Service database port declared public",
        (s) => service(s, { ports: [{ containerPort: 5432, hostPort: 5432, kind: "database", public: true }] }),
        /database port/,
      ],
      [
        "a raw PostgreSQL port on every interface",
        (s) => rawContainer(s, { ports: [{ internal: 5432, external: 15432 }] }),
        /database port 15432->5432/,
      ],
      [
        "a raw port labelled rpc",
        (s) =>
          rawContainer(s, {
            ports: [{ internal: 9000, external: 9000, ip: "0.0.0.0" }],
            labels: [{ label: "policy.port-kind.9000", value: "rpc" }],
          }),
        /rpc port 9000->9000/,
      ],
    ],
  },
  ContainerEnvironmentReadsNoSecretVariable: {
    compliant: [
      ["no variable at all", (s) => rawContainer(s)],
      [
        "a variable that is not a secret",
        (s) => rawContainer(s, { env: [`LOG_LEVEL=${new TerraformVariable(s.stack, "log_level", { type: "string" }).stringValue}`] }),
      ],
      [
        "a *_FILE variable pointing at the secret's file",
        (s) => rawContainer(s, { env: ["GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password"] }),
      ],
      [
        "a sensitive variable read by a suppressed construct (with its reason)",
        (s) => {
          const pw = new Secret(s.stack, "DbPassword", { variableName: "db_password", description: "database password" });
          Suppressions.of(rawContainer(s, { env: [`POSTGRES_PASSWORD=${pw.value}`] })).add({
            id: "ContainerEnvironmentReadsNoSecretVariable",
            reason: "the image reads it from its environment only",
          });
        },
      ],
    ],
    nonCompliant: [
      [
        "a sensitive variable in env",
        (s) =>
          rawContainer(s, {
            env: [
              `POSTGRES_PASSWORD=${new Secret(s.stack, "DbPassword", { variableName: "db_password", description: "database password" }).value}`,
            ],
          }),
        /env POSTGRES_PASSWORD reads var\.db_password \(sensitive\)/,
      ],
      [
        "a sensitive variable inside a URL, through a local",
        (s) => {
          const pw = new Secret(s.stack, "DbPassword", { variableName: "db_password", description: "database password" });
          const url = new TerraformLocal(s.stack, "db_url", `postgresql://app:${pw.value}@db:5432/app`);
          rawContainer(s, { env: [`DATABASE_URL=${url.asString}`] });
        },
        /env DATABASE_URL reads var\.db_password \(sensitive\)/,
      ],
      [
        "a sensitive variable added by an escape-hatch override",
        (s) =>
          rawContainer(s).addOverride("env", [
            `API_KEY=\${var.${new Secret(s.stack, "ApiKey", { variableName: "api_key", description: "API key" }).variable.friendlyUniqueId}}`,
          ]),
        /env API_KEY reads var\.api_key \(sensitive\)/,
      ],
    ],
  },
  ContainerEnvironmentHasNoLiteralSecrets: {
    compliant: [
      ["no credential-like names", (s) => rawContainer(s)],
      [
        "a password from a sensitive variable",
        (s) => {
          const pw = new Secret(s.stack, "DbPassword", { variableName: "db_password", description: "database password" });
          rawContainer(s, { env: [`POSTGRES_PASSWORD=${pw.value}`, `DATABASE_URL=postgresql://app:${pw.value}@db:5432/app`] });
        },
      ],
      [
        "a *_FILE variable pointing at a path",
        (s) => rawContainer(s, { env: ["GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password"] }),
      ],
      ["a public key", (s) => rawContainer(s, { env: ["SSH_PUBLIC_KEY=ssh-ed25519 AAAA"] })],
      ["an empty value", (s) => rawContainer(s, { env: ["API_TOKEN="] })],
    ],
    nonCompliant: [
      [
        "a literal POSTGRES_PASSWORD",
        (s) => rawContainer(s, { env: ["POSTGRES_PASSWORD=changeme"] }),
        /env POSTGRES_PASSWORD holds a literal value/,
      ],
      ["a camelCase apiToken", (s) => rawContainer(s, { env: ["apiToken=abc123"] }), /env apiToken holds a literal value/],
      [
        "a URL with a literal password",
        (s) => rawContainer(s, { env: ["DATABASE_URL=postgresql://app:hunter2@db:5432/app"] }),
        /DATABASE_URL holds a URL with a literal password/,
      ],
      [
        "a literal secret set on a Service's environment",
        (s) => service(s, { environment: { JWT_SECRET: "not-so-secret" } }),
        /env JWT_SECRET holds a literal value/,
      ],
    ],
  },
  ImageReferencePinned: {
    compliant: [
      ["a tag", (s) => new ContainerImage(s.stack, "Pinned", { reference: "postgres:15-alpine" })],
      ["a digest", (s) => new ContainerImage(s.stack, "Digest", { reference: `postgres@sha256:${"a".repeat(64)}` })],
      [
        "a variable defaulting to a pinned reference",
        (s) => new ContainerImage(s.stack, "FromVar", { reference: imageVariable(s, "app", "example/app:2.0") }),
      ],
      ["a raw container naming a pinned image itself", (s) => rawContainer(s, { image: "postgres:15-alpine" })],
      ["a raw container naming an image id", (s) => rawContainer(s, { image: `sha256:${"b".repeat(64)}` })],
    ],
    nonCompliant: [
      ["untagged", (s) => new ContainerImage(s.stack, "Untagged", { reference: "postgres" }), /"postgres" is not pinned/],
      ["latest", (s) => new ContainerImage(s.stack, "Latest", { reference: "postgres:latest" }), /"postgres:latest" is not pinned/],
      [
        "a variable defaulting to latest",
        (s) => new ContainerImage(s.stack, "FromVar", { reference: imageVariable(s, "app", "example/app:latest") }),
        /var\.app_image defaults to "example\/app:latest"/,
      ],
      [
        "a variable without a default",
        (s) => new ContainerImage(s.stack, "FromVar", { reference: imageVariable(s, "app") }),
        /var\.app_image, which has no default/,
      ],
      ["a raw container naming an untagged image itself", (s) => rawContainer(s, { image: "postgres" }), /"postgres" is not pinned/],
    ],
  },
  SwarmSecretsNotInConfigs: {
    compliant: [
      [
        "a Service's configuration file on the containers target (uploaded, no docker_config)",
        (s) => service(s, { configFiles: [{ containerPath: "/etc/app/app.conf", content: FileText.of("level = info\n") }] }),
      ],
      [
        "a raw docker_config with plain data",
        (s) => new SwarmConfig(s.stack, "Conf", { name: "conf", data: Fn.base64encode("level = info\n") }),
      ],
    ],
    nonCompliant: [
      [
        "a raw docker_config whose data reads a sensitive variable",
        (s) =>
          new SwarmConfig(s.stack, "Conf", {
            name: "conf",
            data: Fn.base64encode(new Secret(s.stack, "Token", { variableName: "api_token", description: "API token" }).value),
          }),
        /data reads var\.api_token \(sensitive\)/,
      ],
    ],
  },
  VolumeStatefulProtected: {
    compliant: [
      ["a stateful Volume with preventDestroy", (s) => new Volume(s.stack, "Data", { name: "data", stateful: true, preventDestroy: true })],
      ["a volume that is not stateful (not applicable)", (s) => new Volume(s.stack, "Cache", { name: "cache" })],
    ],
    nonCompliant: [
      [
        "a stateful Volume without preventDestroy",
        (s) => new Volume(s.stack, "Data", { name: "data", stateful: true }),
        /without prevent_destroy/,
      ],
      [
        "a raw volume labelled stateful",
        (s) => new DockerVolume(s.stack, "RawData", { name: "raw-data", labels: [{ label: "stateful", value: "true" }] }),
        /without prevent_destroy/,
      ],
    ],
  },
  VariableSecretSensitive: {
    compliant: [
      ["a Secret (sensitive, no default)", (s) => new Secret(s.stack, "Token", { variableName: "api_token", description: "API token" })],
      ["a variable not named like a credential", (s) => new TerraformVariable(s.stack, "log_level", { type: "string", default: "info" })],
    ],
    nonCompliant: [
      [
        "a credential-named variable that is not sensitive",
        (s) => new TerraformVariable(s.stack, "db_password", { type: "string" }),
        /db_password looks like a credential but is not sensitive/,
      ],
      [
        "a sensitive variable with a default",
        (s) => new TerraformVariable(s.stack, "signing_material", { type: "string", sensitive: true, default: "x" }),
        /has a default value/,
      ],
    ],
  },
};

/**
 * The same rules on the swarm target: a `Service` renders a `docker_service` (one-shot services stay
 * containers). `gap` cases are swarm services the rule cannot judge because swarm cannot express the
 * control: each is reported as a suppression whose reason names the gap, never as a pass or an error.
 */
interface SwarmRuleCases extends RuleCases {
  readonly gap?: Case[];
}

const dbPassword = (s: Scratch) => new Secret(s.stack, "DbPassword", { variableName: "db_password", description: "database password" });

/** A raw swarm service joining `networks` through a raw `task_spec.networks_advanced` override, as the `Service` rendering does. */
const networksOverride = (s: Scratch, networks: { id: string }[]) => {
  const svc = rawSwarmService(s, { task: { networksAdvanced: undefined } });
  svc.addOverride(
    "task_spec.networks_advanced",
    networks.map((n) => ({ ...n, aliases: [], driver_opts: [] })),
  );
  return svc;
};

const SWARM_CASES: Record<string, SwarmRuleCases> = {
  ContainerNotPrivileged: {
    compliant: [
      ["a Service (docker_service has no privileged option)", (s) => service(s)],
      ["a raw swarm service", (s) => rawSwarmService(s)],
    ],
    nonCompliant: [
      [
        "a one-shot Service (a container on the swarm target too) made privileged through the escape hatch",
        (s) => {
          service(s, { oneShot: true }).container.privileged = true;
        },
        /privileged is true/,
      ],
    ],
  },
  ContainerCapabilitiesDropped: {
    compliant: [
      ["a Service with capabilities added back", (s) => service(s, { capabilities: ["CHOWN", "SETUID"] })],
      ["a raw swarm service dropping ALL", (s) => rawSwarmService(s)],
    ],
    nonCompliant: [
      [
        "cap_drop without ALL",
        (s) => rawSwarmService(s, { containerSpec: { capDrop: ["NET_RAW"] } }),
        /task_spec\.container_spec\.cap_drop does not include ALL/,
      ],
      [
        "SYS_ADMIN in cap_add",
        (s) => rawSwarmService(s, { containerSpec: { capAdd: ["CAP_SYS_ADMIN"] } }),
        /cap_add has SYS_ADMIN, outside the allow list/,
      ],
      [
        "DAC_READ_SEARCH in cap_add",
        (s) => rawSwarmService(s, { containerSpec: { capAdd: ["CAP_DAC_READ_SEARCH"] } }),
        /cap_add has DAC_READ_SEARCH, outside the allow list/,
      ],
      [
        "a Service's cap_drop emptied through the escape hatch",
        (s) => {
          service(s).swarmService.taskSpec.containerSpec.capDrop = [];
        },
        /cap_drop does not include ALL \(got \[\]\)/,
      ],
    ],
  },
  ContainerNoNewPrivileges: {
    compliant: [["a one-shot Service (a container with no-new-privileges)", (s) => service(s, { oneShot: true })]],
    nonCompliant: [
      [
        "a one-shot Service with allowPrivilegeEscalation",
        (s) => service(s, { oneShot: true, allowPrivilegeEscalation: true }),
        /security_opts has no no-new-privileges/,
      ],
    ],
    gap: [
      ["a Service", (s) => service(s)],
      ["a raw swarm service", (s) => rawSwarmService(s)],
    ],
  },
  ContainerSecurityProfilesEnabled: {
    compliant: [
      ["a Service (the daemon's default seccomp and AppArmor profiles always apply)", (s) => service(s)],
      ["an SELinux type", (s) => rawSwarmService(s, { containerSpec: { privileges: { seLinuxContext: { type: "container_t" } } } })],
    ],
    nonCompliant: [
      [
        "SELinux labelling disabled",
        (s) => rawSwarmService(s, { containerSpec: { privileges: { seLinuxContext: { disable: true } } } }),
        /task_spec\.container_spec\.privileges has label=disable/,
      ],
    ],
  },
  ContainerRunsAsNonRoot: {
    compliant: [
      ["a Service with a non-root user", (s) => service(s)],
      ["a non-zero uid in the root group (472:0)", (s) => rawSwarmService(s, { containerSpec: { user: "472:0" } })],
    ],
    nonCompliant: [
      ["user not set", (s) => rawSwarmService(s, { containerSpec: { user: undefined } }), /task_spec\.container_spec\.user is not set/],
      [
        "a Service's user set to root through the escape hatch",
        (s) => {
          service(s).swarmService.taskSpec.containerSpec.user = "0";
        },
        /task_spec\.container_spec\.user is "0" \(root\)/,
      ],
    ],
  },
  ContainerReadOnlyRootFilesystem: {
    compliant: [["a Service (read-only by default)", (s) => service(s)]],
    nonCompliant: [
      [
        "a Service with readOnlyRootFilesystem false",
        (s) => service(s, { readOnlyRootFilesystem: false }),
        /task_spec\.container_spec\.read_only is not true/,
      ],
      ["read_only not set", (s) => rawSwarmService(s, { containerSpec: { readOnly: undefined } }), /read_only is not true/],
    ],
  },
  ContainerMemoryLimited: {
    compliant: [["a Service with resources.memoryMiB", (s) => service(s)]],
    nonCompliant: [
      ["a Service without resources", (s) => service(s, { resources: undefined }), /task_spec\.resources\.limits\.memory_bytes is not set/],
      [
        "memory known only at apply time",
        (s) => rawSwarmService(s, { task: { resources: { limits: { memoryBytes: numberVariable(s, "memory"), nanoCpus: 500_000_000 } } } }),
        /could not be checked: task_spec\.resources\.limits\.memory_bytes is a Terraform expression/,
      ],
    ],
  },
  ContainerCpuLimited: {
    compliant: [["a Service with resources.cpus", (s) => service(s)]],
    nonCompliant: [
      ["a Service without resources", (s) => service(s, { resources: undefined }), /task_spec\.resources\.limits\.nano_cpus is not set/],
      ["a memory limit only", (s) => service(s, { resources: { memoryMiB: 256 } }), /nano_cpus is not set/],
    ],
  },
  ContainerCpuPrioritySet: {
    compliant: [["a one-shot Service with resources.cpus (a container with cpu_shares)", (s) => service(s, { oneShot: true })]],
    nonCompliant: [
      ["a one-shot Service without resources", (s) => service(s, { oneShot: true, resources: undefined }), /cpu_shares is not set/],
    ],
    gap: [
      ["a Service", (s) => service(s)],
      ["a raw swarm service", (s) => rawSwarmService(s)],
    ],
  },
  ContainerPidsLimited: {
    compliant: [["a raw container on the swarm target with an nproc ulimit", (s) => rawContainer(s)]],
    nonCompliant: [
      [
        "a one-shot Service (a container: the L2 cannot set a limit with provider 4.6)",
        (s) => service(s, { oneShot: true }),
        /provider 4\.6 has no pids_limit/,
      ],
    ],
    gap: [
      ["a Service", (s) => service(s)],
      ["a raw swarm service", (s) => rawSwarmService(s)],
    ],
  },
  ContainerHealthCheckDefined: {
    compliant: [
      ["a Service with a health check", (s) => service(s)],
      [
        "a raw swarm service labelled policy.one-shot, without one",
        (s) =>
          rawSwarmService(s, {
            containerSpec: { healthcheck: undefined },
            task: { restartPolicy: { condition: "none" } },
            service: { labels: [{ label: "policy.one-shot", value: "true" }] },
          }),
      ],
    ],
    nonCompliant: [
      [
        "a long-running Service without one",
        (s) => service(s, { healthCheck: undefined }),
        /no healthcheck \(task_spec\.container_spec\.healthcheck is not set\)/,
      ],
      ["test NONE", (s) => rawSwarmService(s, { containerSpec: { healthcheck: { test: ["NONE"] } } }), /NONE/],
    ],
  },
  ContainerRestartPolicyBounded: {
    compliant: [
      ["a Service (condition any)", (s) => service(s)],
      ["a Service with on-failure and 3 attempts", (s) => service(s, { restart: "on-failure", maxRetryCount: 3 })],
    ],
    nonCompliant: [
      [
        "restart_policy not set",
        (s) => rawSwarmService(s, { task: { restartPolicy: undefined } }),
        /task_spec\.restart_policy\.condition is not set/,
      ],
      [
        "a long-running Service with restart no (condition none)",
        (s) => service(s, { restart: "no" }),
        /condition is "none" for a long-running swarm service/,
      ],
      [
        "on-failure with unlimited attempts (max_attempts 0)",
        (s) => rawSwarmService(s, { task: { restartPolicy: { condition: "on-failure", maxAttempts: 0 } } }),
        /max_attempts 0 \(unbounded/,
      ],
      ["a Service with on-failure and 10 attempts", (s) => service(s, { restart: "on-failure", maxRetryCount: 10 }), /max_attempts 10/],
      [
        "condition any on a raw swarm service labelled one-shot",
        (s) => rawSwarmService(s, { service: { labels: [{ label: "policy.one-shot", value: "true" }] } }),
        /one-shot swarm service has task_spec\.restart_policy\.condition "any"/,
      ],
    ],
  },
  ContainerLogRotationConfigured: {
    compliant: [
      ["a Service (rotation by default)", (s) => service(s)],
      ["journald", (s) => rawSwarmService(s, { task: { logDriver: { name: "journald" } } })],
    ],
    nonCompliant: [
      ["log_driver not set", (s) => rawSwarmService(s, { task: { logDriver: undefined } }), /task_spec\.log_driver\.name is not set/],
      [
        "json-file without options",
        (s) => rawSwarmService(s, { task: { logDriver: { name: "json-file" } } }),
        /json-file task_spec\.log_driver\.options has no max-size/,
      ],
      ["none", (s) => rawSwarmService(s, { task: { logDriver: { name: "none" } } }), /discarded/],
    ],
  },
  ContainerNotOnHostNetwork: {
    compliant: [
      ["a Service on its networks", (s) => service(s)],
      ["a raw swarm service on a network of this configuration", (s) => rawSwarmService(s)],
      ["a network of this configuration by id in an override", (s) => networksOverride(s, [{ id: s.network.resource.id }])],
    ],
    nonCompliant: [
      [
        "the predefined host network",
        (s) => rawSwarmService(s, { task: { networksAdvanced: [{ name: "host" }] } }),
        /task_spec\.networks_advanced attaches the predefined host network/,
      ],
      [
        "a network known only at apply time",
        (s) => rawSwarmService(s, { task: { networksAdvanced: [{ name: stringVariable(s, "net") }] } }),
        /could not be checked: network \$\{var\.net\}/,
      ],
      [
        "the predefined host network by id in an override, next to a network of this configuration",
        (s) => networksOverride(s, [{ id: s.network.resource.id }, { id: "host" }]),
        /task_spec\.networks_advanced attaches the predefined host network/,
      ],
      [
        "a network known only at apply time in an override",
        (s) => networksOverride(s, [{ id: stringVariable(s, "net") }]),
        /could not be checked: network \$\{var\.net\}/,
      ],
    ],
  },
  ContainerHostPidNamespaceNotShared: {
    compliant: [
      ["a Service (docker_service has no PID mode)", (s) => service(s)],
      ["a raw swarm service", (s) => rawSwarmService(s)],
    ],
    nonCompliant: [
      ["a raw container on the swarm target with pid_mode host", (s) => rawContainer(s, { pidMode: "host" }), /pid_mode is host/],
    ],
  },
  ContainerHostIpcNamespaceNotShared: {
    compliant: [
      ["a Service (docker_service has no IPC mode)", (s) => service(s)],
      ["a raw swarm service", (s) => rawSwarmService(s)],
    ],
    nonCompliant: [
      ["a raw container on the swarm target with ipc_mode host", (s) => rawContainer(s, { ipcMode: "host" }), /ipc_mode is host/],
    ],
  },
  ContainerDockerSocketNotMounted: {
    compliant: [
      [
        "a Service bind-mounting a data directory",
        (s) => service(s, { bindMounts: [{ hostPath: "/srv/app/data", containerPath: "/data" }] }),
      ],
    ],
    nonCompliant: [
      [
        "a Service bind-mounting /var/run/docker.sock",
        (s) => service(s, { bindMounts: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] }),
        /host path \/var\/run\/docker\.sock is mounted/,
      ],
      [
        "a raw bind mount of /run",
        (s) => rawSwarmService(s, { containerSpec: { mounts: [{ type: "bind", source: "/run", target: "/host-run" }] } }),
        /host path \/run is mounted/,
      ],
    ],
  },
  ContainerHostPortsBoundToLoopback: {
    compliant: [
      [
        "a Service port declared public (host mode)",
        (s) => service(s, { ports: [{ containerPort: 8233, hostPort: 8233, kind: "p2p", public: true }] }),
      ],
      [
        "a Service port not declared public (not published on swarm)",
        (s) => service(s, { ports: [{ containerPort: 8080, hostPort: 8080, kind: "http" }] }),
      ],
    ],
    nonCompliant: [
      [
        "a raw ingress port",
        (s) => rawSwarmService(s, { service: { endpointSpec: { ports: [{ targetPort: 8080, publishedPort: 8080 }] } } }),
        /port 8080->8080\/tcp is published on every interface of every swarm node \(publish_mode ingress\) without being declared public/,
      ],
      [
        "a Service port published through the escape hatch",
        (s) => {
          service(s, { ports: [{ containerPort: 8080, hostPort: 8080, kind: "http" }] }).swarmService.endpointSpec.putPorts([
            { targetPort: 8080, publishedPort: 8080, publishMode: "host" },
          ]);
        },
        /8080->8080\/tcp is published on every interface of the node running the task \(publish_mode host\)/,
      ],
    ],
  },
  ContainerDatabaseAndRpcPortsNotPublic: {
    compliant: [
      [
        "a Service RPC port not declared public (not published)",
        (s) => service(s, { ports: [{ containerPort: 8232, hostPort: 8232, kind: "rpc" }] }),
      ],
      ["a public P2P port", (s) => service(s, { ports: [{ containerPort: 8233, hostPort: 8233, kind: "p2p", public: true }] })],
    ],
    nonCompliant: [
      [
        "a Service RPC port declared public",
        (s) => service(s, { ports: [{ containerPort: 8232, hostPort: 8232, kind: "rpc", public: true }] }),
        /rpc port 8232->8232\/tcp is published on every interface/,
      ],
      [
        "a raw PostgreSQL port",
        (s) => rawSwarmService(s, { service: { endpointSpec: { ports: [{ targetPort: 5432, publishedPort: 15432 }] } } }),
        /database port 15432->5432/,
      ],
      [
        "a raw port labelled rpc",
        (s) =>
          rawSwarmService(s, {
            service: {
              labels: [{ label: "policy.port-kind.9000", value: "rpc" }],
              endpointSpec: { ports: [{ targetPort: 9000, publishedPort: 9000, publishMode: "host" }] },
            },
          }),
        /rpc port 9000->9000/,
      ],
    ],
  },
  ContainerEnvironmentReadsNoSecretVariable: {
    compliant: [["no secret variable", (s) => service(s, { environment: { LOG_LEVEL: "info" } })]],
    nonCompliant: [
      [
        "a sensitive variable in a swarm service's env",
        (s) => rawSwarmService(s, { containerSpec: { env: { DATABASE_URL: `postgresql://app:${dbPassword(s).value}@db:5432/app` } } }),
        /env DATABASE_URL reads var\.db_password \(sensitive\)/,
      ],
    ],
  },
  ContainerEnvironmentHasNoLiteralSecrets: {
    compliant: [
      ["no credential-like names", (s) => service(s, { environment: { LOG_LEVEL: "info" } })],
      [
        "a password from a sensitive variable",
        (s) => rawSwarmService(s, { containerSpec: { env: { DATABASE_URL: `postgresql://app:${dbPassword(s).value}@db:5432/app` } } }),
      ],
    ],
    nonCompliant: [
      [
        "a literal secret on a Service's environment",
        (s) => service(s, { environment: { JWT_SECRET: "not-so-secret" } }),
        /env JWT_SECRET holds a literal value/,
      ],
      [
        "a URL with a literal password",
        (s) => rawSwarmService(s, { containerSpec: { env: { DATABASE_URL: "postgresql://app:hunter2@db:5432/app" } } }),
        /DATABASE_URL holds a URL with a literal password/,
      ],
    ],
  },
  SwarmSecretsNotInConfigs: {
    compliant: [
      [
        "a configuration file carrying a secret (its content reads a sensitive variable: a docker_secret)",
        (s) =>
          service(s, {
            configFiles: [
              { containerPath: "/etc/app/db.conf", content: FileText.of(`url = postgresql://app:${dbPassword(s).value}@db/app\n`) },
            ],
          }),
      ],
      [
        "a configuration file reading a variable that is not a secret",
        (s) =>
          service(s, {
            configFiles: [
              {
                containerPath: "/etc/app/app.conf",
                content: FileText.of(`server_name ${new TerraformVariable(s.stack, "server_name", { type: "string" }).stringValue};\n`),
              },
            ],
          }),
      ],
    ],
    nonCompliant: [
      [
        // A Service cannot make this: a file whose content reads a secret is a docker_secret.
        "a raw docker_config reading a secret through a local",
        (s) => {
          const content = new TerraformLocal(s.stack, "db_conf", `url = postgresql://app:${dbPassword(s).value}@db/app\n`);
          new SwarmConfig(s.stack, "Conf", { name: "conf", data: Fn.base64encode(content.asString) });
        },
        /data reads var\.db_password \(sensitive\)/,
      ],
      [
        "a raw docker_config reading a credential-named variable",
        (s) => new SwarmConfig(s.stack, "Conf", { name: "conf", data: Fn.base64encode(stringVariable(s, "admin_token")) }),
        /data reads var\.admin_token \(named like a credential\)/,
      ],
    ],
  },
  ImageReferencePinned: {
    compliant: [
      ["a Service (its pinned docker_image is checked)", (s) => service(s)],
      ["a raw swarm service naming a pinned image", (s) => rawSwarmService(s, { containerSpec: { image: "postgres:15-alpine" } })],
    ],
    nonCompliant: [
      [
        "a raw swarm service naming latest",
        (s) => rawSwarmService(s, { containerSpec: { image: "postgres:latest" } }),
        /"postgres:latest" is not pinned/,
      ],
      [
        "a raw swarm service reading a variable defaulting to latest",
        (s) => rawSwarmService(s, { containerSpec: { image: imageVariable(s, "app", "example/app:latest") } }),
        /var\.app_image defaults to "example\/app:latest"/,
      ],
    ],
  },
  VolumeStatefulProtected: {
    compliant: [
      ["a stateful Volume with preventDestroy", (s) => new Volume(s.stack, "Data", { name: "data", stateful: true, preventDestroy: true })],
    ],
    nonCompliant: [
      [
        "a stateful Volume without preventDestroy",
        (s) => new Volume(s.stack, "Data", { name: "data", stateful: true }),
        /without prevent_destroy/,
      ],
    ],
  },
  VariableSecretSensitive: {
    compliant: [
      ["a Secret delivered as a docker_secret", (s) => service(s, { secretFiles: [dbPassword(s).file("/run/secrets/db_password")] })],
    ],
    nonCompliant: [
      [
        "a credential-named variable that is not sensitive, in a swarm service's file",
        (s) => service(s, { configFiles: [{ containerPath: "/run/secrets/token", content: FileText.of(stringVariable(s, "api_token")) }] }),
        /api_token looks like a credential but is not sensitive/,
      ],
    ],
  },
};

describe("the rule catalogue", () => {
  test("every rule has at least one compliant and one non-compliant case", () => {
    for (const rule of ALL_RULES) {
      expect([rule.id, (CASES[rule.id]?.compliant ?? []).length > 0, (CASES[rule.id]?.nonCompliant ?? []).length > 0]).toEqual([
        rule.id,
        true,
        true,
      ]);
    }
    expect(Object.keys(CASES).sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
  });

  test("every rule has a compliant and a non-compliant (or gap) case on the swarm target", () => {
    for (const rule of ALL_RULES) {
      const cases = SWARM_CASES[rule.id];
      expect([rule.id, (cases?.compliant ?? []).length > 0, (cases?.nonCompliant ?? []).length + (cases?.gap ?? []).length > 0]).toEqual([
        rule.id,
        true,
        true,
      ]);
    }
    expect(Object.keys(SWARM_CASES).sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
  });

  test("exactly the rules documented as gaps have gap cases, and every gap rule has one", () => {
    const documented = ALL_RULES.filter((r) => r.swarm.coverage === "gap").map((r) => r.id);
    expect(Object.keys(SWARM_CASES).filter((id) => (SWARM_CASES[id].gap ?? []).length > 0)).toEqual(documented);
    expect(documented.sort()).toEqual(["ContainerCpuPrioritySet", "ContainerNoNewPrivileges", "ContainerPidsLimited"]);
  });

  test("the compliant swarm service fixture passes every rule; the gaps are suppressed with their reasons", () => {
    for (const rule of ALL_RULES) {
      const s = swarmScratch();
      rawSwarmService(s);
      const { findings, suppressed, report } = runRule(s.stack, rule);
      expect([rule.id, findings]).toEqual([rule.id, []]);
      expect([rule.id, suppressed.map((x) => x.reason)]).toEqual([rule.id, rule.swarm.coverage === "gap" ? [rule.swarm.text] : []]);
      if (rule.id.startsWith("Container")) expect([rule.id, report.checked.docker_service]).toEqual([rule.id, 1]);
    }
  });

  test("the compliant container fixture passes every rule", () => {
    const s = scratch();
    rawContainer(s);
    for (const rule of ALL_RULES) expect([rule.id, runRule(s.stack, rule).findings]).toEqual([rule.id, []]);
    expect(COMPLIANT_CONTAINER.privileged).toBe(false);
  });
});

describe.each(ALL_RULES.map((r): [string, PolicyRule] => [r.id, r]))("%s", (id, rule) => {
  const cases = CASES[id] ?? { compliant: [], nonCompliant: [] };

  test.each(cases.compliant)("Compliance: %s", (_name, build) => {
    const s = scratch();
    build(s);
    expect(runRule(s.stack, rule).findings).toEqual([]);
  });

  test.each(cases.nonCompliant)("Noncompliance: %s", (_name, build, detail) => {
    const s = scratch();
    build(s);
    const { findings } = runRule(s.stack, rule);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.id)).toEqual(findings.map(() => `Production-${id}`));
    expect(findings[0].level).toBe(rule.levels.production);
    expect(findings.flatMap((f) => f.details).join("\n")).toMatch(detail ?? /./);
  });
});

describe.each(ALL_RULES.map((r): [string, PolicyRule] => [r.id, r]))("%s on the swarm target", (id, rule) => {
  const cases = SWARM_CASES[id] ?? { compliant: [], nonCompliant: [] };

  test.each(cases.compliant)("Compliance: %s", (_name, build) => {
    const s = swarmScratch();
    build(s);
    const { findings, suppressed } = runRule(s.stack, rule);
    expect(findings).toEqual([]);
    expect(suppressed).toEqual([]);
  });

  test.each(cases.nonCompliant)("Noncompliance: %s", (_name, build, detail) => {
    const s = swarmScratch();
    build(s);
    const { findings, suppressed } = runRule(s.stack, rule);
    expect(findings.length).toBeGreaterThan(0);
    expect(suppressed).toEqual([]);
    expect(findings.map((f) => f.id)).toEqual(findings.map(() => `Production-${id}`));
    expect(findings[0].level).toBe(rule.levels.production);
    expect(findings.flatMap((f) => f.details).join("\n")).toMatch(detail ?? /./);
  });

  if ((cases.gap ?? []).length > 0) {
    test.each(cases.gap ?? [])("Gap (recorded as a suppression with its reason, not a pass, not an error): %s", (_name, build) => {
      const s = swarmScratch();
      build(s);
      const { findings, suppressed, report } = runRule(s.stack, rule);
      expect(findings).toEqual([]);
      expect(report.summary.errors).toBe(0);
      expect(suppressed).toHaveLength(1);
      expect(suppressed[0]).toMatchObject({ id: `Production-${id}`, rule: id, source: SWARM_GAP_SOURCE, reason: rule.swarm.text });
      expect(suppressed[0].details.join("\n")).toMatch(/a swarm service cannot/);
      expect(suppressed[0].reason).toMatch(/^swarm cannot express/);
    });
  }
});
