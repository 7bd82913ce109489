/**
 * The `Service` model: what a service is (props, health check, ports, limits, logging), independent of
 * where it runs. `service.ts` renders it as a container on one host, `swarm-service.ts` as a swarm service.
 */
import type { TerraformResource, TerraformVariable } from "./cdk";
import type { Condition } from "./condition";
import type { FileText } from "./file-text";
import type { ContainerImage } from "./image";
import type { Network } from "./network";
import type { SecretFile } from "./secret";
import type { VolumeMount } from "./volume";

/** Something a service can wait for: another service (its primary resource). */
export interface Dependency {
  readonly resource: TerraformResource;
}

/**
 * Linux capabilities a service may add back after `cap_drop: ALL`: members of Docker's default set
 * only. Never DAC_READ_SEARCH: with it, Docker's default seccomp profile allows `open_by_handle_at`,
 * the container escape known as "Shocker" (DAC_OVERRIDE reads files of any owner without it).
 */
export type Capability = "CHOWN" | "DAC_OVERRIDE" | "FOWNER" | "FSETID" | "KILL" | "NET_BIND_SERVICE" | "SETGID" | "SETUID";

export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";

/** What a published port carries; policy rules refuse public database and RPC ports. */
export type PortKind = "p2p" | "rpc" | "grpc" | "http" | "https" | "metrics" | "database" | "ui";

export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly kind: PortKind;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
  /**
   * Bind on every host interface instead of loopback.
   * @default false - bound to 127.0.0.1
   */
  readonly public?: boolean;
}

export interface HealthCheck {
  /** Docker healthcheck test, e.g. `["CMD", "curl", "-sf", "http://127.0.0.1:8080/ready"]` or `["CMD-SHELL", "…"]`. */
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** @default 0 */
  readonly startPeriodSeconds?: number;
  /**
   * Needs Docker Engine 25 or later (API 1.44): older daemons (Debian 12's docker.io 20.10) refuse
   * to create the container.
   * @default - Docker's default (5s)
   */
  readonly startIntervalSeconds?: number;
}

export interface MetricsEndpoint {
  readonly port: number;
  /** @default "/metrics" */
  readonly path?: string;
}

/** json-file log rotation of one container; environment settings use this same shape. */
export interface Logging {
  /** json-file `max-size`, in MiB. */
  readonly maxSizeMiB: number;
  /** json-file `max-file`. */
  readonly maxFiles: number;
  /** @default false */
  readonly compress?: boolean;
  /**
   * Container labels json-file copies into every log record (`labels` log option), e.g.
   * `["service", "environment"]` as compose files write `labels: service,environment`.
   * @default - none: records carry no labels
   */
  readonly labels?: readonly string[];
}

/** Docker's smallest memory limit, in MiB. */
export const MIN_MEMORY_MIB = 6;
/**
 * The largest memory limit accepted, in MiB: 4 TiB, more than any one host this runs on has (the
 * largest CPU limit is 256 cores). A limit in bytes stays an exact integer far below 2^53.
 */
export const MAX_MEMORY_MIB = 4 * 1024 * 1024;
/** The largest CPU limit accepted, in cores. */
export const MAX_CPUS = 256;
/** What a memory limit may be (settings and `Service` report the same text). */
export const MEMORY_LIMIT_ALLOWED = `an integer from ${MIN_MEMORY_MIB} (Docker's minimum) to ${MAX_MEMORY_MIB} (4 TiB)`;
/** What a CPU limit may be. */
export const CPU_LIMIT_ALLOWED = `a number of cores above 0 and at most ${MAX_CPUS}`;

/** Resource limits of one container; environment settings use this same shape. */
export interface Resources {
  /** Memory limit in MiB. @default - no limit (environment settings require one in production) */
  readonly memoryMiB?: number;
  /** CPU limit in cores, e.g. 1.5. @default - no limit (environment settings require one in production) */
  readonly cpus?: number;
}

export interface NetworkAttachment {
  readonly network: Network;
  /** @default - the service's `hostname` alias only */
  readonly aliases?: readonly string[];
}

export interface BindMount {
  /** Host path on the Docker host (not the machine running Terraform). */
  readonly hostPath: string;
  readonly containerPath: string;
  /** @default true */
  readonly readOnly?: boolean;
}

/**
 * A file written into the container before it starts (configuration). Whether it carries a secret is
 * read from its content, never declared: a content that reads a sensitive variable (for example a
 * database URL with its password, through `Secret.value`), directly or through a local, makes the file
 * sensitive. A sensitive file is delivered as a secret file is: on swarm a `docker_secret`, never a
 * `docker_config` (whose data anyone with API access can read); on one host an upload with a secret
 * file's permissions.
 */
export interface ConfigFile {
  readonly containerPath: string;
  /** Written by a serializer (`tomlFile`, `yamlFile`) or `FileText.of`, which escape it for Terraform. */
  readonly content: FileText;
  /**
   * Not for a file that carries a secret: it gets a secret file's mode.
   * @default "0444"
   */
  readonly mode?: string;
}

/** A configuration file as a `Service` delivers it: sensitive when its content reads a secret. */
export interface DeliveredConfigFile extends ConfigFile {
  readonly sensitive: boolean;
  /** The sensitive variables its content reads (directly or through locals), as found when the service was created. */
  readonly secrets: readonly TerraformVariable[];
}

export interface ServiceProps {
  /** Container name; also the DNS alias other services use on shared networks. */
  readonly name: string;
  readonly image: ContainerImage;
  /**
   * `user` (`uid:gid`) the main process runs as.
   * @default - the image's user; then `rootReason` must say why the image needs root
   */
  readonly user?: string;
  /**
   * Required when `user` is not set: why this image must start as root (for example an entrypoint
   * that chowns its data directory and drops privileges itself).
   * @default - none: a service without `user` fails validation
   */
  readonly rootReason?: string;
  /**
   * The user an image's own entrypoint drops to after starting as root (e.g. with `setpriv`);
   * secret files are made readable for it.
   * @default - the process keeps the user it starts as
   */
  readonly dropsToUser?: string;
  /** @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** tmpfs mounts, path → mount options. @default - none */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** Capabilities added back after dropping ALL. @default - none */
  readonly capabilities?: readonly Capability[];
  /** Lets setuid binaries raise privileges (`no-new-privileges` off). @default false */
  readonly allowPrivilegeEscalation?: boolean;
  /** @default "unless-stopped" (long-running) or "no" (one-shot) */
  readonly restart?: RestartPolicy;
  /** With restart "on-failure". @default 5 */
  readonly maxRetryCount?: number;
  /** json-file logging with rotation, always explicit (daemon defaults cause provider drift). @default 10 MiB × 3 files */
  readonly logging?: Logging;
  readonly resources?: Resources;
  /** @default - no health check (long-running services should have one) */
  readonly healthCheck?: HealthCheck;
  /**
   * A Prometheus metrics endpoint inside the container; monitoring derives its scrape targets from it.
   * @default - no metrics endpoint
   */
  readonly metrics?: MetricsEndpoint;
  /**
   * Make Terraform wait until the container is healthy before creating what depends on it
   * (provider `wait`; checked at creation only).
   * @default - do not wait
   */
  readonly waitForHealthySeconds?: number;
  /** @default - no host ports */
  readonly ports?: readonly PortMapping[];
  readonly networks: readonly NetworkAttachment[];
  /** Plain (non-secret) environment. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - the image's command */
  readonly command?: readonly string[];
  /** @default - the image's entrypoint */
  readonly entrypoint?: readonly string[];
  /** @default - the image's working directory */
  readonly workingDir?: string;
  /** Seconds Docker waits after the stop signal before killing (compose `stop_grace_period`). @default 10 */
  readonly stopTimeoutSeconds?: number;
  /** @default - none */
  readonly volumes?: readonly VolumeMount[];
  /** Host bind mounts (dev only, e.g. source trees for hot reload). @default - none */
  readonly bindMounts?: readonly BindMount[];
  /** Secrets as files. @default - none */
  readonly secretFiles?: readonly SecretFile[];
  /**
   * Configuration files. One whose content reads a sensitive variable is delivered as a secret file
   * is (`ConfigFile`). @default - none
   */
  readonly configFiles?: readonly ConfigFile[];
  /** Created only after these exist (and, with `waitForHealthySeconds` on them, are healthy). @default - none */
  readonly dependsOn?: readonly (Dependency | TerraformResource)[];
  /** Runs once to completion instead of staying up (init, migrations, tests). @default false */
  readonly oneShot?: boolean;
  /**
   * For one-shot services: Terraform waits for the container to exit (provider `attach`) and a
   * postcondition fails the apply on a non-zero exit code, so dependants are never created after a
   * failed run.
   * @default true
   */
  readonly waitForExit?: boolean;
  /**
   * Labels besides `service` (the container's name). The stack adds `environment` and `system` to
   * every container (`StandardLabels`).
   * @default - only the standard labels
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Tasks of the service on a swarm. Only for services that keep nothing on a node: a service that
   * writes a node-local volume (or bind-mounts a host path) runs once, on the data node.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * A container on the host `docker_host` names even on the swarm target (there: the data node), for a
   * job that reads the data node's volumes directly (the backup runner). It may join overlay networks.
   * @default false - a swarm service on the swarm target
   */
  readonly hostLocal?: boolean;
  /**
   * The container exists only while this holds (`count`). A service whose image has an `enabledWhen`
   * must have the same one. Containers target (and one-shot or host-local services on swarm) only.
   * @default - always deployed
   */
  readonly enabledWhen?: Condition;
}

export const DEFAULT_LOGGING: Logging = { maxSizeMiB: 10, maxFiles: 3 };
/** Docker's default CFS period (`cpu_period`), in microseconds: a CPU limit is a quota over it. */
export const CPU_PERIOD_MICROSECONDS = 100000;
/** Bytes in a MiB: memory limits are set in MiB and read (swarm, policy) in bytes. */
export const BYTES_PER_MIB = 1024 * 1024;
/**
 * Whole seconds as Go's time.Duration prints them ("90s" -> "1m30s", "3600s" -> "1h0m0s"): provider
 * 4.6 reads health-check durations back in that form, so "90s" would plan an in-place update on
 * every run (00-provider-behaviour).
 */
export const DURATION = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
};

/** json-file log options for a rotation setting (containers and swarm services alike). */
export function jsonFileOptions(logging: Logging): Record<string, string> {
  return {
    "max-size": `${logging.maxSizeMiB}m`,
    "max-file": String(logging.maxFiles),
    ...(logging.compress ? { compress: "true" } : {}),
    ...(logging.labels && logging.labels.length > 0 ? { labels: logging.labels.join(",") } : {}),
  };
}

/**
 * A health check's test and timings as provider 4.6 reads them back (Go duration spelling); the
 * container rendering adds `start_interval`, which a swarm service cannot set.
 */
export function healthCheckTimings(hc: HealthCheck) {
  return {
    test: [...hc.test],
    interval: DURATION(hc.intervalSeconds),
    timeout: DURATION(hc.timeoutSeconds),
    retries: hc.retries,
    startPeriod: DURATION(hc.startPeriodSeconds ?? 0),
  };
}

/** Added capabilities as Docker stores them (with the CAP_ prefix, once each, sorted). */
export function addedCapabilities(capabilities: readonly Capability[] | undefined): string[] {
  return [...new Set(capabilities ?? [])].sort().map((c) => `CAP_${c}`);
}

/** The CPU weight for a limit of `cores`: 1024 per core, at least 2 (the kernel's minimum). */
export function cpuShares(cores: number): number {
  return Math.max(2, Math.round(cores * 1024));
}

/** Short, deterministic digest for labels (synthesis must not depend on the clock or randomness). */
export function labelDigest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
