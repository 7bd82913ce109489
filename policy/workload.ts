/**
 * One read-only view over the two provider resources that run a service's processes: a
 * `docker_container` (containers target, and one-shot services on either target) and a
 * `docker_service` (swarm target). Rules ask the view for a fact (user, limits, ports, mounts, …) and
 * never look at the resource kind; the view knows where each kind keeps the fact and what Terraform
 * calls it, so findings name the attribute a reader will find in `cdk.tf.json`.
 *
 * A fact a swarm service cannot express at all comes back as an `Unexpressible` value carrying the
 * reason (the gap); rules report it as a finding that the rule itself records as a suppression with
 * that reason (`unexpressibleOnSwarm` in rule.ts), so the exception is listed, never silent.
 */
import { IConstruct } from "../lib/cdk";
import { Container, SwarmService } from "../lib/docker";
import { PortKind, Service } from "../lib/service";
import { booleanInput, isUnresolved, listInput, resolved, serviceOf } from "./facts";

/** Label marking a container or swarm service created without the `Service` L2 as one-shot (`"true"`). */
export const ONE_SHOT_LABEL = "policy.one-shot";
/** Label prefix declaring a port's kind on a resource created without the `Service` L2: `policy.port-kind.<containerPort>`. */
export const PORT_KIND_LABEL_PREFIX = "policy.port-kind.";

/** A control a resource kind cannot express, with the finding and the reason the report prints. */
export class Unexpressible {
  constructor(
    /** Short finding, e.g. "a swarm service cannot set cpu_shares". */
    readonly finding: string,
    /** Why, naming the gap and what to do on the hosts instead; recorded as the suppression's reason. */
    readonly reason: string,
  ) {}
}

/**
 * Controls a `docker_service` cannot express with kreuzwerker/docker 4.6 against Docker Engine 26.1
 * (API 1.45). RULES.md quotes these reasons per rule.
 */
export const SWARM_GAPS = {
  noNewPrivileges: new Unexpressible(
    "a swarm service cannot set no-new-privileges",
    "swarm cannot express no-new-privileges: the docker_service container spec of provider 4.6 has no such option (its `privileges` block carries `credential_spec` and `se_linux_context` only) and the swarm container spec of Engine 26.1 (API 1.45) has no such field; tasks run without it unless every node's daemon sets `\"no-new-privileges\": true` in daemon.json",
  ),
  pidsLimit: new Unexpressible(
    "a swarm service cannot limit its processes",
    "swarm cannot express a pids limit here: docker_service in provider 4.6 has no pids limit (the engine's `--limit-pids` is not exposed), no `ulimit` and no `cgroup_parent`; limit processes on every node instead (daemon.json `default-ulimits` nproc, or a TasksMax on the daemon's cgroup parent)",
  ),
  cpuShares: new Unexpressible(
    "a swarm service cannot set cpu_shares",
    "swarm cannot express CPU priority: a swarm task spec has CPU limits and reservations but no CPU shares (a reservation only steers placement), so every task runs at Docker's default weight 1024; its CPU limit still caps it (ContainerCpuLimited)",
  ),
} as const;

/** One published port, with what the L2 (or a label) declares about it. */
export interface PublishedPort {
  readonly containerPort: number;
  /** @default - Docker (or swarm) picks a free host port */
  readonly hostPort?: number;
  readonly protocol: string;
  /** Host interface: a container's `ip` (the provider's default is every interface); `0.0.0.0` for a swarm port. */
  readonly ip: string;
  /** Where the port listens, for findings: the `ip`, or which interfaces a swarm publish mode binds. */
  readonly where: string;
  /** From `Service.ports[].kind`, a `policy.port-kind.<port>` label, or a well-known database port. */
  readonly kind?: PortKind | string;
  /** The `Service` L2 declared this port `public: true`. */
  readonly declaredPublic: boolean;
}

/** An environment variable as Terraform will see it (`${var.x}` for an expression). */
export interface EnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/** Restart behaviour in the resource's own vocabulary (`restart` or `restart_policy.condition`). */
export interface RestartPolicyFact {
  /** Container: `no`, `on-failure`, `always`, `unless-stopped`; swarm: `none`, `on-failure`, `any`. */
  readonly condition?: string;
  /** Container `max_retry_count`, swarm `max_attempts` (0 means unlimited on swarm). */
  readonly maxRetries?: number;
}

/** Terraform attribute paths of the facts, as findings name them. */
export interface WorkloadAttributes {
  readonly user: string;
  readonly readOnly: string;
  readonly capDrop: string;
  readonly capAdd: string;
  readonly securityOpts: string;
  readonly memory: string;
  readonly cpuLimit: string;
  readonly cpuShares: string;
  readonly healthcheck: string;
  readonly restart: string;
  readonly maxRetries: string;
  readonly logDriver: string;
  readonly logOpts: string;
  readonly networkMode: string;
}

/** Container ports of database servers, used when neither an L2 nor a label says what a port carries. */
const WELL_KNOWN_DATABASE_PORTS: Readonly<Record<number, string>> = {
  1433: "SQL Server",
  1521: "Oracle",
  3306: "MySQL/MariaDB",
  5432: "PostgreSQL",
  5984: "CouchDB",
  6379: "Redis",
  9042: "Cassandra",
  11211: "memcached",
  27017: "MongoDB",
};

/** Labels as a map (labels whose key or value is an expression are skipped). */
function labelMap(labels: readonly { label: string; value: string }[] | object | undefined): Record<string, string> {
  if (!Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const l of labels as { label: unknown; value: unknown }[]) {
    if (typeof l.label === "string" && typeof l.value === "string" && !isUnresolved(l.label)) out[l.label] = l.value;
  }
  return out;
}

function notCheckable(what: string): Error {
  return new Error(`${what} is a Terraform expression, which cannot be checked at synth time`);
}

/** A string input, or a readable error for an expression. */
function text(value: string | undefined, what: string): string | undefined {
  if (isUnresolved(value)) throw notCheckable(what);
  return value;
}

/** A number input, or a readable error for an expression. */
function count(value: number | undefined, what: string): number | undefined {
  if (isUnresolved(value)) throw notCheckable(what);
  return value;
}

/**
 * The normalized view. Every fact is read when asked for (a rule that needs one fact is not broken by
 * an expression in another) and throws a readable error for a value only known at apply time, which
 * the pack reports as "could not be checked", never as a pass.
 */
export abstract class Workload {
  /** The `Service` L2 whose primary resource this is, if any. */
  readonly service: Service | undefined;

  protected constructor(readonly resource: Container | SwarmService) {
    this.service = serviceOf(resource);
  }

  /** `container` or `swarm-service`. */
  abstract readonly kind: "container" | "swarm-service";
  /** `container` or `swarm service`, for findings. */
  abstract readonly noun: string;
  /** Terraform attribute paths, for findings. */
  abstract readonly attributes: WorkloadAttributes;

  /** False for a container that is created but never started (`start = false`, a files loader). */
  abstract get started(): boolean;
  /** Labels (a swarm service's own labels over its container labels). */
  abstract labels(): Record<string, string>;
  /** `user`, trimmed; undefined when not set. */
  abstract user(): string | undefined;
  /** Read-only root filesystem. */
  abstract readOnlyRootFilesystem(): boolean | undefined;
  /** Privileged. A swarm service cannot be privileged (docker_service has no such option): false. */
  abstract privileged(): boolean | undefined;
  /** Capabilities dropped and added, as written. */
  abstract capabilities(): { readonly drop: readonly string[]; readonly add: readonly string[] };
  /**
   * Security options as `docker run --security-opt` spells them. A swarm service can only express
   * SELinux labels (`privileges.se_linux_context`), given here as `label=…`.
   */
  abstract securityOpts(): readonly string[];
  /** `no-new-privileges` is set. */
  abstract noNewPrivileges(): boolean | Unexpressible;
  /** Memory limit in bytes. */
  abstract memoryLimitBytes(): number | undefined;
  /** CPU limit in cores. */
  abstract cpuLimitCores(): number | undefined;
  /** CPU weight (`cpu_shares`). */
  abstract cpuShares(): number | undefined | Unexpressible;
  /** The partial process limits a container can have (a `cgroup_parent`, an `nproc` ulimit's hard value). */
  abstract processLimits(): { readonly cgroupParent?: string; readonly nproc?: number } | Unexpressible;
  /** Health-check test; empty when there is none. */
  abstract healthcheckTest(): readonly string[];
  abstract restartPolicy(): RestartPolicyFact;
  /** Log driver and its options. */
  abstract logging(): { readonly driver?: string; readonly options: Readonly<Record<string, string>> };
  /** `host` when the workload shares the host's network namespace, else the mode as written (or undefined). */
  abstract networkMode(): string | undefined;
  /** `pid_mode`; a swarm service cannot share the host's PID namespace: undefined. */
  abstract pidMode(): string | undefined;
  /** `ipc_mode`; a swarm service cannot share the host's IPC namespace: undefined. */
  abstract ipcMode(): string | undefined;
  /** `publish_all_ports`; a swarm service has no such option: false. */
  abstract publishAllPorts(): boolean;
  /** Every published port. */
  abstract publishedPorts(): PublishedPort[];
  /** Host paths bind-mounted into the workload, as written (may contain expressions). */
  abstract hostPaths(): string[];
  /** Environment variables, rendered as Terraform sees them. */
  abstract environment(): EnvironmentVariable[];
  /** The image reference as Terraform sees it (`${…}` for an expression). */
  abstract image(): string;

  /**
   * Runs once to completion (init, migration, test): `Service.oneShot`, else the `policy.one-shot`
   * label, else (containers) `must_run = false`, since a long-running container is expected to run.
   */
  oneShot(): boolean {
    if (this.service) return this.service.oneShot;
    if (this.labels()[ONE_SHOT_LABEL] === "true") return true;
    return this.kindOneShot();
  }

  protected abstract kindOneShot(): boolean;

  /** The kind of a published port: declared on the L2, a label, or a well-known database port. */
  protected portFacts(containerPort: number, hostPort: number | undefined, protocol: string): Pick<PublishedPort, "kind" | "declaredPublic"> {
    const declared = this.service?.ports.find((d) => d.hostPort === hostPort && (d.protocol ?? "tcp") === protocol);
    const kind = declared?.kind ?? this.labels()[`${PORT_KIND_LABEL_PREFIX}${containerPort}`] ?? (WELL_KNOWN_DATABASE_PORTS[containerPort] ? "database" : undefined);
    return { kind, declaredPublic: declared?.public === true };
  }
}

const MIB = 1024 * 1024;
const DEFAULT_CPU_PERIOD = 100000;

class ContainerWorkload extends Workload {
  readonly kind = "container" as const;
  readonly noun = "container";
  readonly attributes: WorkloadAttributes = {
    user: "user",
    readOnly: "read_only",
    capDrop: "capabilities.drop",
    capAdd: "capabilities.add",
    securityOpts: "security_opts",
    memory: "memory",
    cpuLimit: "cpus or cpu_quota",
    cpuShares: "cpu_shares",
    healthcheck: "healthcheck",
    restart: "restart",
    maxRetries: "max_retry_count",
    logDriver: "log_driver",
    logOpts: "log_opts",
    networkMode: "network_mode",
  };

  constructor(private readonly c: Container) {
    super(c);
  }

  get started(): boolean {
    return this.c.startInput !== false;
  }
  labels() {
    return labelMap(this.c.labelsInput);
  }
  protected kindOneShot() {
    return this.c.mustRunInput === false;
  }
  user() {
    return text(this.c.userInput, "user")?.trim() || undefined;
  }
  readOnlyRootFilesystem() {
    return booleanInput(this.c.readOnlyInput, "read_only");
  }
  privileged() {
    return booleanInput(this.c.privilegedInput, "privileged");
  }
  capabilities() {
    const caps = this.c.capabilitiesInput;
    const drop = caps?.drop ?? [];
    const add = caps?.add ?? [];
    if ([...drop, ...add].some(isUnresolved)) throw new Error("capabilities contain a Terraform expression, which cannot be checked at synth time");
    return { drop, add };
  }
  securityOpts() {
    const opts = this.c.securityOptsInput ?? [];
    if (opts.some(isUnresolved)) throw new Error("security_opts contain a Terraform expression, which cannot be checked at synth time");
    return opts.map((o) => o.trim());
  }
  noNewPrivileges() {
    return this.securityOpts().some((o) => /^no-new-privileges([:=]true)?$/.test(o));
  }
  memoryLimitBytes() {
    const memory = count(this.c.memoryInput, "memory");
    return memory !== undefined && memory > 0 ? memory * MIB : undefined;
  }
  cpuLimitCores() {
    const cpus = this.c.cpusInput;
    const quota = this.c.cpuQuotaInput;
    const period = this.c.cpuPeriodInput;
    if (isUnresolved(cpus) || isUnresolved(quota) || isUnresolved(period)) throw notCheckable("the CPU limit");
    if (cpus !== undefined && Number(cpus) > 0) return Number(cpus);
    if (quota !== undefined && quota > 0) return quota / (period !== undefined && period > 0 ? period : DEFAULT_CPU_PERIOD);
    return undefined;
  }
  cpuShares() {
    return count(this.c.cpuSharesInput, "cpu_shares");
  }
  processLimits() {
    const parent = text(this.c.cgroupParentInput, "cgroup_parent");
    const nproc = listInput(this.c.ulimitInput, "ulimit").find((u) => u.name === "nproc");
    if (nproc && isUnresolved(nproc.hard)) throw notCheckable("the nproc ulimit");
    return { cgroupParent: parent || undefined, nproc: nproc?.hard };
  }
  healthcheckTest() {
    return this.c.healthcheckInput?.test ?? [];
  }
  restartPolicy() {
    return { condition: text(this.c.restartInput, "restart"), maxRetries: count(this.c.maxRetryCountInput, "max_retry_count") };
  }
  logging() {
    return { driver: text(this.c.logDriverInput, "log_driver") || undefined, options: (this.c.logOptsInput ?? {}) as Record<string, string> };
  }
  networkMode() {
    return this.c.networkModeInput;
  }
  pidMode() {
    return this.c.pidModeInput;
  }
  ipcMode() {
    return this.c.ipcModeInput;
  }
  publishAllPorts() {
    return booleanInput(this.c.publishAllPortsInput, "publish_all_ports") === true;
  }
  publishedPorts(): PublishedPort[] {
    return listInput(this.c.portsInput, "ports").map((p) => {
      if (isUnresolved(p.internal) || isUnresolved(p.external) || isUnresolved(p.ip)) {
        throw new Error("a ports entry is a Terraform expression, which cannot be checked at synth time");
      }
      const protocol = p.protocol ?? "tcp";
      const ip = p.ip ?? "0.0.0.0";
      return { containerPort: p.internal, hostPort: p.external, protocol, ip, where: ip, ...this.portFacts(p.internal, p.external, protocol) };
    });
  }
  hostPaths() {
    return [
      ...listInput(this.c.volumesInput, "volumes").map((v) => v.hostPath),
      ...listInput(this.c.mountsInput, "mounts")
        .filter((m) => m.type === "bind")
        .map((m) => m.source),
    ].filter((p): p is string => p !== undefined);
  }
  environment() {
    return (this.c.envInput ?? []).flatMap((entry) => {
      const rendered = resolved(this.c, entry);
      if (typeof rendered !== "string") return [];
      const eq = rendered.indexOf("=");
      return [{ name: eq < 0 ? rendered : rendered.slice(0, eq), value: eq < 0 ? "" : rendered.slice(eq + 1) }];
    });
  }
  image() {
    return String(resolved(this.c, this.c.imageInput));
  }
}

/** The predefined swarm network that puts a task in the host's network namespace. */
const HOST_NETWORK = "host";

class SwarmServiceWorkload extends Workload {
  readonly kind = "swarm-service" as const;
  readonly noun = "swarm service";
  readonly attributes: WorkloadAttributes = {
    user: "task_spec.container_spec.user",
    readOnly: "task_spec.container_spec.read_only",
    capDrop: "task_spec.container_spec.cap_drop",
    capAdd: "task_spec.container_spec.cap_add",
    securityOpts: "task_spec.container_spec.privileges",
    memory: "task_spec.resources.limits.memory_bytes",
    cpuLimit: "task_spec.resources.limits.nano_cpus",
    cpuShares: "cpu_shares",
    healthcheck: "task_spec.container_spec.healthcheck",
    restart: "task_spec.restart_policy.condition",
    maxRetries: "task_spec.restart_policy.max_attempts",
    logDriver: "task_spec.log_driver.name",
    logOpts: "task_spec.log_driver.options",
    networkMode: "task_spec.networks_advanced",
  };

  constructor(private readonly s: SwarmService) {
    super(s);
  }

  private get task() {
    return this.s.taskSpecInput;
  }
  private get spec() {
    return this.task?.containerSpec;
  }

  get started(): boolean {
    return true;
  }
  labels() {
    return { ...labelMap(this.spec?.labels), ...labelMap(this.s.labelsInput) };
  }
  protected kindOneShot() {
    return false;
  }
  user() {
    return text(this.spec?.user, this.attributes.user)?.trim() || undefined;
  }
  readOnlyRootFilesystem() {
    return booleanInput(this.spec?.readOnly, this.attributes.readOnly);
  }
  privileged() {
    return false;
  }
  capabilities() {
    const drop = this.spec?.capDrop ?? [];
    const add = this.spec?.capAdd ?? [];
    if ([...drop, ...add].some(isUnresolved)) throw new Error("cap_drop or cap_add contain a Terraform expression, which cannot be checked at synth time");
    return { drop, add };
  }
  securityOpts() {
    const selinux = this.spec?.privileges?.seLinuxContext;
    if (!selinux) return [];
    if (booleanInput(selinux.disable, "privileges.se_linux_context.disable") === true) return ["label=disable"];
    return (["user", "role", "type", "level"] as const).flatMap((k) => (selinux[k] ? [`label=${k}:${selinux[k]}`] : []));
  }
  noNewPrivileges() {
    return SWARM_GAPS.noNewPrivileges;
  }
  memoryLimitBytes() {
    const bytes = count(this.task?.resources?.limits?.memoryBytes, this.attributes.memory);
    return bytes !== undefined && bytes > 0 ? bytes : undefined;
  }
  cpuLimitCores() {
    const nano = count(this.task?.resources?.limits?.nanoCpus, this.attributes.cpuLimit);
    return nano !== undefined && nano > 0 ? nano / 1e9 : undefined;
  }
  cpuShares() {
    return SWARM_GAPS.cpuShares;
  }
  processLimits() {
    return SWARM_GAPS.pidsLimit;
  }
  healthcheckTest() {
    return this.spec?.healthcheck?.test ?? [];
  }
  restartPolicy() {
    const policy = this.task?.restartPolicy;
    return { condition: text(policy?.condition, this.attributes.restart), maxRetries: count(policy?.maxAttempts, this.attributes.maxRetries) };
  }
  logging() {
    const driver = this.task?.logDriver;
    return { driver: text(driver?.name, this.attributes.logDriver) || undefined, options: (driver?.options ?? {}) as Record<string, string> };
  }
  /**
   * `host` when a network is the predefined host network (swarm then runs the task in the host's
   * network namespace). A reference to a network this configuration creates is never that network.
   */
  networkMode() {
    for (const name of this.networkReferences()) {
      if (name === HOST_NETWORK) return HOST_NETWORK;
      if (name.includes("${") && !/^\$\{docker_network\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.(id|name)\}$/.test(name)) {
        throw new Error(`network ${name} is a Terraform expression, which cannot be checked at synth time`);
      }
    }
    return undefined;
  }
  /**
   * Each network's `id` and `name` in `task_spec.networks_advanced` as Terraform will see it: the
   * bindings' input and any raw override (the swarm rendering of `Service` writes the list as an
   * override to join networks by `id`, which the provider bindings do not know).
   */
  private networkReferences(): string[] {
    type Rendered = { resource?: Record<string, Record<string, { task_spec?: { networks_advanced?: unknown } }>> };
    const rendered = (this.s.toTerraform() as Rendered).resource?.[this.s.terraformResourceType]?.[this.s.friendlyUniqueId];
    const networks = resolved(this.s, rendered?.task_spec?.networks_advanced);
    if (networks === undefined || networks === null) return [];
    if (!Array.isArray(networks)) throw notCheckable(this.attributes.networkMode);
    return networks.flatMap((n: { id?: unknown; name?: unknown }) => [n?.id, n?.name]).flatMap((ref) => (ref === undefined || ref === null ? [] : [String(ref)]));
  }
  pidMode() {
    return undefined;
  }
  ipcMode() {
    return undefined;
  }
  publishAllPorts() {
    return false;
  }
  /** Swarm publishes on every interface: of the node running the task (`host`) or of every node (`ingress`). */
  publishedPorts(): PublishedPort[] {
    return listInput(this.s.endpointSpecInput?.ports, "endpoint_spec.ports").map((p) => {
      if (isUnresolved(p.targetPort) || isUnresolved(p.publishedPort) || isUnresolved(p.publishMode)) {
        throw new Error("an endpoint_spec.ports entry is a Terraform expression, which cannot be checked at synth time");
      }
      const protocol = p.protocol ?? "tcp";
      const mode = p.publishMode ?? "ingress";
      const where = mode === "host" ? "every interface of the node running the task (publish_mode host)" : "every interface of every swarm node (publish_mode ingress)";
      return { containerPort: p.targetPort, hostPort: p.publishedPort, protocol, ip: "0.0.0.0", where, ...this.portFacts(p.targetPort, p.publishedPort, protocol) };
    });
  }
  hostPaths() {
    return listInput(this.spec?.mounts, "task_spec.container_spec.mounts")
      .filter((m) => m.type === "bind")
      .map((m) => m.source)
      .filter((p): p is string => p !== undefined);
  }
  environment() {
    const env = this.spec?.env;
    if (env === undefined) return [];
    if (isUnresolved(env)) throw notCheckable("task_spec.container_spec.env");
    return Object.entries(env).map(([name, value]) => ({ name, value: String(resolved(this.s, value)) }));
  }
  image() {
    return String(resolved(this.s, this.spec?.image));
  }
}

/** The view of a `docker_container` or `docker_service`; undefined for any other construct. */
export function workloadOf(node: IConstruct): Workload | undefined {
  if (node instanceof Container) return new ContainerWorkload(node);
  if (node instanceof SwarmService) return new SwarmServiceWorkload(node);
  return undefined;
}
