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
import { BYTES_PER_MIB, CPU_PERIOD_MICROSECONDS, PortKind, Service } from "../lib/service";
import { serviceOf } from "./facts";
import { JsonObject, Subject, block, flag, isExpression, list, notCheckable, num, text } from "./subject";

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
    'swarm cannot express no-new-privileges: the docker_service container spec of provider 4.6 has no such option (its `privileges` block carries `credential_spec` and `se_linux_context` only) and the swarm container spec of Engine 26.1 (API 1.45) has no such field; tasks run without it unless every node\'s daemon sets `"no-new-privileges": true` in daemon.json',
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
function labelMap(labels: unknown): Record<string, string> {
  if (!Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const l of labels as { label?: unknown; value?: unknown }[]) {
    if (typeof l?.label === "string" && typeof l.value === "string" && !isExpression(l.label)) out[l.label] = l.value;
  }
  return out;
}

/** A list of strings; a readable error when the list or an entry is an expression. */
function strings(value: unknown, what: string): string[] {
  const items = list(value, what);
  if (items.some((i) => typeof i !== "string" || isExpression(i))) throw notCheckable(what);
  return items as string[];
}

/**
 * The normalized view. Every fact is read when asked for (a rule that needs one fact is not broken by
 * an expression in another) and throws a readable error for a value only known at apply time, which
 * the pack reports as "could not be checked", never as a pass.
 */
export abstract class Workload {
  /** The `Service` L2 whose primary resource this is, if any. */
  readonly service: Service | undefined;

  constructor(readonly subject: Subject) {
    this.service = subject.construct ? serviceOf(subject.construct) : undefined;
  }

  /** The attributes as Terraform will see them. */
  protected get attrs(): JsonObject {
    return this.subject.attrs;
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
  protected portFacts(
    containerPort: number,
    hostPort: number | undefined,
    protocol: string,
  ): Pick<PublishedPort, "kind" | "declaredPublic"> {
    const declared = this.service?.ports.find((d) => d.hostPort === hostPort && (d.protocol ?? "tcp") === protocol);
    const kind =
      declared?.kind ??
      this.labels()[`${PORT_KIND_LABEL_PREFIX}${containerPort}`] ??
      (WELL_KNOWN_DATABASE_PORTS[containerPort] ? "database" : undefined);
    return { kind, declaredPublic: declared?.public === true };
  }
}

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

  get started(): boolean {
    return this.attrs.start !== false && this.attrs.start !== "false";
  }
  labels() {
    return labelMap(this.attrs.labels);
  }
  protected kindOneShot() {
    return this.attrs.must_run === false || this.attrs.must_run === "false";
  }
  user() {
    return text(this.attrs.user, "user")?.trim() || undefined;
  }
  readOnlyRootFilesystem() {
    return flag(this.attrs.read_only, "read_only");
  }
  privileged() {
    return flag(this.attrs.privileged, "privileged");
  }
  capabilities() {
    const caps = block(this.attrs.capabilities, "capabilities");
    return { drop: strings(caps?.drop, "capabilities.drop"), add: strings(caps?.add, "capabilities.add") };
  }
  securityOpts() {
    return strings(this.attrs.security_opts, "security_opts").map((o) => o.trim());
  }
  noNewPrivileges() {
    return this.securityOpts().some((o) => /^no-new-privileges([:=]true)?$/.test(o));
  }
  memoryLimitBytes() {
    const memory = num(this.attrs.memory, "memory");
    return memory !== undefined && memory > 0 ? memory * BYTES_PER_MIB : undefined;
  }
  cpuLimitCores() {
    const cpus = num(this.attrs.cpus, "cpus");
    const quota = num(this.attrs.cpu_quota, "cpu_quota");
    const period = num(this.attrs.cpu_period, "cpu_period");
    if (cpus !== undefined && cpus > 0) return cpus;
    if (quota !== undefined && quota > 0) return quota / (period !== undefined && period > 0 ? period : CPU_PERIOD_MICROSECONDS);
    return undefined;
  }
  cpuShares() {
    const shares = num(this.attrs.cpu_shares, "cpu_shares");
    return shares !== undefined && shares > 0 ? shares : undefined;
  }
  processLimits() {
    const parent = text(this.attrs.cgroup_parent, "cgroup_parent");
    const nproc = list(this.attrs.ulimit, "ulimit").find((u) => (u as JsonObject)?.name === "nproc") as JsonObject | undefined;
    return { cgroupParent: parent || undefined, nproc: nproc ? num(nproc.hard, "the nproc ulimit") : undefined };
  }
  healthcheckTest() {
    return strings(block(this.attrs.healthcheck, "healthcheck")?.test, "healthcheck.test");
  }
  restartPolicy() {
    return { condition: text(this.attrs.restart, "restart"), maxRetries: num(this.attrs.max_retry_count, "max_retry_count") };
  }
  logging() {
    return { driver: text(this.attrs.log_driver, "log_driver") || undefined, options: stringMap(this.attrs.log_opts, "log_opts") };
  }
  networkMode() {
    return text(this.attrs.network_mode, "network_mode");
  }
  pidMode() {
    return text(this.attrs.pid_mode, "pid_mode");
  }
  ipcMode() {
    return text(this.attrs.ipc_mode, "ipc_mode");
  }
  publishAllPorts() {
    return flag(this.attrs.publish_all_ports, "publish_all_ports") === true;
  }
  publishedPorts(): PublishedPort[] {
    return list(this.attrs.ports, "ports").map((entry) => {
      const p = entry as JsonObject;
      const internal = num(p.internal, "ports.internal") ?? 0;
      const external = num(p.external, "ports.external");
      const protocol = text(p.protocol, "ports.protocol") ?? "tcp";
      const ip = text(p.ip, "ports.ip") ?? "0.0.0.0";
      return { containerPort: internal, hostPort: external, protocol, ip, where: ip, ...this.portFacts(internal, external, protocol) };
    });
  }
  hostPaths() {
    return [
      ...list(this.attrs.volumes, "volumes").map((v) => (v as JsonObject)?.host_path),
      ...list(this.attrs.mounts, "mounts")
        .filter((m) => (m as JsonObject)?.type === "bind")
        .map((m) => (m as JsonObject).source),
    ].flatMap((p) => (p === undefined || p === null || p === "" ? [] : [String(p)]));
  }
  environment() {
    return list(this.attrs.env, "env").flatMap((entry) => {
      if (typeof entry !== "string") return [];
      const eq = entry.indexOf("=");
      return [{ name: eq < 0 ? entry : entry.slice(0, eq), value: eq < 0 ? "" : entry.slice(eq + 1) }];
    });
  }
  image() {
    return String(this.attrs.image ?? "");
  }
}

/** A map of strings (log options, a swarm env); a readable error for an expression. */
function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw notCheckable(what);
  return Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, String(v)]));
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

  private get task(): JsonObject {
    return block(this.attrs.task_spec, "task_spec") ?? {};
  }
  private get spec(): JsonObject {
    return block(this.task.container_spec, "task_spec.container_spec") ?? {};
  }

  get started(): boolean {
    return true;
  }
  labels() {
    return { ...labelMap(this.spec.labels), ...labelMap(this.attrs.labels) };
  }
  protected kindOneShot() {
    return false;
  }
  user() {
    return text(this.spec.user, this.attributes.user)?.trim() || undefined;
  }
  readOnlyRootFilesystem() {
    return flag(this.spec.read_only, this.attributes.readOnly);
  }
  privileged() {
    return false;
  }
  capabilities() {
    return { drop: strings(this.spec.cap_drop, this.attributes.capDrop), add: strings(this.spec.cap_add, this.attributes.capAdd) };
  }
  securityOpts() {
    const selinux = block(
      block(this.spec.privileges, "task_spec.container_spec.privileges")?.se_linux_context,
      "privileges.se_linux_context",
    );
    if (!selinux) return [];
    if (flag(selinux.disable, "privileges.se_linux_context.disable") === true) return ["label=disable"];
    return (["user", "role", "type", "level"] as const).flatMap((k) => (selinux[k] ? [`label=${k}:${String(selinux[k])}`] : []));
  }
  noNewPrivileges() {
    return SWARM_GAPS.noNewPrivileges;
  }
  private limits(): JsonObject {
    return block(block(this.task.resources, "task_spec.resources")?.limits, "task_spec.resources.limits") ?? {};
  }
  memoryLimitBytes() {
    const bytes = num(this.limits().memory_bytes, this.attributes.memory);
    return bytes !== undefined && bytes > 0 ? bytes : undefined;
  }
  cpuLimitCores() {
    const nano = num(this.limits().nano_cpus, this.attributes.cpuLimit);
    return nano !== undefined && nano > 0 ? nano / 1e9 : undefined;
  }
  cpuShares() {
    return SWARM_GAPS.cpuShares;
  }
  processLimits() {
    return SWARM_GAPS.pidsLimit;
  }
  healthcheckTest() {
    return strings(block(this.spec.healthcheck, this.attributes.healthcheck)?.test, `${this.attributes.healthcheck}.test`);
  }
  restartPolicy() {
    const policy = block(this.task.restart_policy, "task_spec.restart_policy") ?? {};
    return { condition: text(policy.condition, this.attributes.restart), maxRetries: num(policy.max_attempts, this.attributes.maxRetries) };
  }
  logging() {
    const driver = block(this.task.log_driver, "task_spec.log_driver") ?? {};
    return {
      driver: text(driver.name, this.attributes.logDriver) || undefined,
      options: stringMap(driver.options, this.attributes.logOpts),
    };
  }
  /**
   * `host` when a network is the predefined host network (swarm then runs the task in the host's
   * network namespace). A reference to a network this configuration creates is never that network.
   */
  networkMode() {
    for (const entry of list(this.task.networks_advanced, this.attributes.networkMode)) {
      for (const ref of [(entry as JsonObject)?.id, (entry as JsonObject)?.name]) {
        if (ref === undefined || ref === null) continue;
        const name = String(ref);
        if (name === HOST_NETWORK) return HOST_NETWORK;
        if (isExpression(name) && !/^\$\{docker_network\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.(id|name)\}$/.test(name)) {
          throw new Error(`network ${name} is a Terraform expression, which cannot be checked at synth time`);
        }
      }
    }
    return undefined;
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
    const endpoint = block(this.attrs.endpoint_spec, "endpoint_spec");
    return list(endpoint?.ports, "endpoint_spec.ports").map((entry) => {
      const p = entry as JsonObject;
      const target = num(p.target_port, "endpoint_spec.ports.target_port") ?? 0;
      const published = num(p.published_port, "endpoint_spec.ports.published_port");
      const protocol = text(p.protocol, "endpoint_spec.ports.protocol") ?? "tcp";
      const mode = text(p.publish_mode, "endpoint_spec.ports.publish_mode") ?? "ingress";
      const where =
        mode === "host"
          ? "every interface of the node running the task (publish_mode host)"
          : "every interface of every swarm node (publish_mode ingress)";
      return { containerPort: target, hostPort: published, protocol, ip: "0.0.0.0", where, ...this.portFacts(target, published, protocol) };
    });
  }
  hostPaths() {
    return list(this.spec.mounts, "task_spec.container_spec.mounts")
      .filter((m) => (m as JsonObject)?.type === "bind")
      .flatMap((m) => {
        const source = (m as JsonObject).source;
        return source === undefined || source === null || source === "" ? [] : [String(source)];
      });
  }
  environment() {
    return Object.entries(stringMap(this.spec.env, "task_spec.container_spec.env")).map(([name, value]) => ({ name, value }));
  }
  image() {
    return String(this.spec.image ?? "");
  }
}

/** The view of a `docker_container` or `docker_service` subject; undefined for anything else. */
export function workloadOf(subject: Subject): Workload | undefined {
  if (subject.type === "docker_container") return new ContainerWorkload(subject);
  if (subject.type === "docker_service") return new SwarmServiceWorkload(subject);
  return undefined;
}
