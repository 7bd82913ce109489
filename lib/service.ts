import { Construct, TerraformResource, Token } from "./cdk";
import { Container, ContainerConfig } from "./docker";
import { ContainerImage } from "./image";
import { Network } from "./network";
import { SecretFile } from "./secret";
import { ProblemCollector, readableLogicalId } from "./validation";
import { Volume, VolumeMount } from "./volume";

/** Linux capabilities a service may add back after `cap_drop: ALL`. */
export type Capability =
  | "CHOWN"
  | "DAC_OVERRIDE"
  | "FOWNER"
  | "FSETID"
  | "KILL"
  | "NET_BIND_SERVICE"
  | "SETGID"
  | "SETUID";

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
/** The largest CPU limit accepted, in cores. */
export const MAX_CPUS = 256;
/** What a memory limit may be (settings and `Service` report the same text). */
export const MEMORY_LIMIT_ALLOWED = `an integer of at least ${MIN_MEMORY_MIB} (Docker's minimum)`;
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

/** A non-secret file written into the container before it starts (configuration). */
export interface ConfigFile {
  readonly containerPath: string;
  readonly content: string;
  /** @default "0444" */
  readonly mode?: string;
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
  /** Non-secret files. @default - none */
  readonly configFiles?: readonly ConfigFile[];
  /** Created only after these exist (and, with `waitForHealthySeconds` on them, are healthy). @default - none */
  readonly dependsOn?: readonly (Service | TerraformResource)[];
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
   * A Terraform boolean expression; the container exists only while it is true (`count`).
   * @default - always deployed
   */
  readonly enabledWhen?: string;
}

const DEFAULT_LOGGING: Logging = { maxSizeMiB: 10, maxFiles: 3 };
const CPU_PERIOD_MICROSECONDS = 100000;
/**
 * Whole seconds as Go's time.Duration prints them ("90s" -> "1m30s", "3600s" -> "1h0m0s"): provider
 * 4.6 reads health-check durations back in that form, so "90s" would plan an in-place update on
 * every run (00-provider-behaviour).
 */
const DURATION = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
};
const ROOT_USERS = new Set(["0", "root", "0:0", "root:root"]);

/**
 * A long-running (or one-shot) container with secure defaults: non-root, read-only root filesystem,
 * all capabilities dropped, `no-new-privileges`, restart policy, rotated json-file logs, no host
 * ports unless declared, declared ports on 127.0.0.1 unless declared public. Each default is
 * loosened only by an explicit prop.
 */
export class Service extends Construct {
  readonly resource: Container;
  readonly name: string;
  readonly ports: readonly PortMapping[];
  readonly volumeMounts: readonly VolumeMount[];
  readonly healthCheck?: HealthCheck;
  readonly metrics?: MetricsEndpoint;
  readonly oneShot: boolean;
  readonly runsAsRoot: boolean;
  /** Why the service runs as root (`rootReason`); policy packs list it as a suppression of `ContainerRunsAsNonRoot`. */
  readonly rootReason?: string;
  /** Volumes the service created to hold its uploaded files (mounted read-only in the service). */
  readonly fileVolumes: readonly Volume[];
  /** The never-started container that receives the uploaded files, when there are any. */
  readonly filesLoader?: Container;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    Service.validate(this, props);

    this.name = props.name;
    this.ports = [...(props.ports ?? [])];
    this.healthCheck = props.healthCheck;
    this.metrics = props.metrics;
    this.oneShot = props.oneShot ?? false;
    this.runsAsRoot = props.user === undefined || ROOT_USERS.has(props.user);
    this.rootReason = this.runsAsRoot ? props.rootReason?.trim() : undefined;
    const readerIsRoot = props.dropsToUser !== undefined ? ROOT_USERS.has(props.dropsToUser) : this.runsAsRoot;
    const readOnly = props.readOnlyRootFilesystem ?? true;

    const uploads = [
      ...(props.secretFiles ?? []).map((f) => ({
        file: f.containerPath,
        content: f.secret.value,
        // Uploaded files are owned by root: a non-root reader can only read a world-readable file. The
        // file sits in a root-owned directory on a volume mounted into this service only. Provider
        // 4.6's upload `owner` does not help on Docker Engine 26: with an owner, Docker chowns to the
        // container's user (the image's USER included), which Engine 26 resolves by name and fails for
        // numeric users (`unable to find getent command`; 00-provider-behaviour).
        permissions: readerIsRoot ? "0400" : "0444",
      })),
      ...(props.configFiles ?? []).map((f) => ({ file: f.containerPath, content: f.content, permissions: f.mode ?? "0444" })),
    ];
    // Provider 4.6 still copies uploads to "/" of the container, and Docker refuses that on a read-only
    // root filesystem even when the file's own directory is a volume. So uploaded files go through a
    // loader: a container of the same image that is created but never started (uploads happen after
    // create, before start) and mounts a small volume per directory; the service mounts those
    // volumes read-only. The loader's uploads are ForceNew, and the service is replaced with it, so a
    // changed file (a rotated secret) always reaches a new container.
    const fileVolumes: Volume[] = [];
    const loaderMounts: VolumeMount[] = [];
    const mounts: VolumeMount[] = [...(props.volumes ?? [])];
    const dirs = [...new Set(uploads.map((u) => u.file.substring(0, u.file.lastIndexOf("/")) || "/"))].sort();
    dirs.forEach((dir) => {
      // Every loader mount has a twin in `mounts` (a files volume, or the declared volume it reuses).
      const covering = mounts.find((m) => dir === m.containerPath || dir.startsWith(m.containerPath + "/"));
      if (covering) {
        if (!loaderMounts.some((m) => m.containerPath === covering.containerPath)) loaderMounts.push({ ...covering, readOnly: false });
        return;
      }
      const words = dir.split(/[^a-zA-Z0-9]+/).filter((w) => w !== "");
      // The construct id (and so the Terraform address) comes from the directory, never from a
      // counter: adding a directory that sorts earlier must not rename the others' volumes.
      const id = `Files${words.map((w) => w[0].toUpperCase() + w.slice(1)).join("")}`;
      const volume = new Volume(this, id, { name: `${props.name}-files-${words.join("-")}` });
      // Earlier releases addressed files volumes by a counter (`<service>_files`, `_files2`, …, in
      // the same sorted order): a `moved` block carries existing state over to the new address.
      const legacy = `docker_volume.${readableLogicalId(this)}_files${fileVolumes.length === 0 ? "" : fileVolumes.length + 1}`;
      if (legacy !== `docker_volume.${volume.resource.friendlyUniqueId}`) volume.resource.moveFromId(legacy);
      fileVolumes.push(volume);
      loaderMounts.push(volume.mount(dir));
      mounts.push(volume.mount(dir, { readOnly: true }));
    });
    this.fileVolumes = fileVolumes;
    this.volumeMounts = mounts;

    const logging = props.logging ?? DEFAULT_LOGGING;
    const labels: Record<string, string> = {
      service: props.name,
      ...(props.labels ?? {}),
    };
    const hc = props.healthCheck;
    if (hc) {
      // Provider 4.6 replaces the container when the health-check block appears or goes, but plans
      // edits inside it as in-place updates that it never applies; a label (ForceNew) carrying a
      // digest of the health check turns an edit into a visible replacement. tmpfs edits likewise
      // (and plan again on every run). Both shown in test/e2e/00-provider-behaviour.e2e.test.ts.
      labels["healthcheck-digest"] = labelDigest(JSON.stringify(hc));
    }
    if (props.tmpfs) labels["tmpfs-digest"] = labelDigest(JSON.stringify(props.tmpfs));
    // cpu_period/cpu_quota edits are likewise planned in place and never applied.
    if (props.resources?.cpus !== undefined) labels["cpu-limit"] = String(props.resources.cpus);

    const oneShot = this.oneShot;
    const waitForExit = oneShot && (props.waitForExit ?? true);
    const count = props.enabledWhen !== undefined ? Token.asNumber(`\${${props.enabledWhen} ? 1 : 0}`) : undefined;
    const loader = uploads.length > 0 ? this.createFilesLoader(props, uploads, loaderMounts, logging, count) : undefined;
    this.filesLoader = loader;
    const config: ContainerConfig = {
      name: props.name,
      image: props.image.imageId,
      hostname: props.name,
      user: props.user,
      command: props.command ? [...props.command] : undefined,
      entrypoint: props.entrypoint ? [...props.entrypoint] : undefined,
      workingDir: props.workingDir,
      env: Object.entries(props.environment ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`),
      readOnly,
      tmpfs: props.tmpfs ? { ...props.tmpfs } : undefined,
      // Docker stores added capabilities with the CAP_ prefix and provider 4.6 reads them back as
      // stored: unprefixed names ("CHOWN") plan a replacement on every run (00-provider-behaviour).
      capabilities: { drop: ["ALL"], add: [...new Set(props.capabilities ?? [])].sort().map((c) => `CAP_${c}`) },
      securityOpts: props.allowPrivilegeEscalation ? [] : ["no-new-privileges:true"],
      privileged: false,
      restart: props.restart ?? (oneShot ? "no" : "unless-stopped"),
      maxRetryCount: (props.restart ?? "") === "on-failure" ? props.maxRetryCount ?? 5 : undefined,
      logDriver: "json-file",
      logOpts: {
        "max-size": `${logging.maxSizeMiB}m`,
        "max-file": String(logging.maxFiles),
        ...(logging.compress ? { compress: "true" } : {}),
        ...(logging.labels && logging.labels.length > 0 ? { labels: logging.labels.join(",") } : {}),
      },
      // Swap equal to memory: Docker's default (twice the limit) reads back as a perpetual diff.
      memory: props.resources?.memoryMiB,
      memorySwap: props.resources?.memoryMiB,
      // A CFS quota over the default 100 ms period, not `cpus`: Docker refuses `cpus` (NanoCpus)
      // above the host's CPU count, which would tie a stack's limits to the size of every host it
      // deploys to; a quota above it is accepted (00-provider-behaviour). Provider 4.6 plans quota
      // edits in place and never applies them, hence the `cpu-limit` label below.
      cpuPeriod: props.resources?.cpus !== undefined ? CPU_PERIOD_MICROSECONDS : undefined,
      cpuQuota: props.resources?.cpus !== undefined ? Math.round(props.resources.cpus * CPU_PERIOD_MICROSECONDS) : undefined,
      // CPU priority follows the limit (CIS: CPU priority set), 1024 (Docker's default weight) per
      // core; updated in place.
      cpuShares: props.resources?.cpus !== undefined ? cpuShares(props.resources.cpus) : undefined,
      healthcheck: hc
        ? {
            test: [...hc.test],
            interval: DURATION(hc.intervalSeconds),
            timeout: DURATION(hc.timeoutSeconds),
            retries: hc.retries,
            startPeriod: DURATION(hc.startPeriodSeconds ?? 0),
            startInterval: hc.startIntervalSeconds !== undefined ? DURATION(hc.startIntervalSeconds) : undefined,
          }
        : undefined,
      wait: props.waitForHealthySeconds !== undefined ? true : undefined,
      waitTimeout: props.waitForHealthySeconds,
      networksAdvanced: props.networks.map((n) => ({ name: n.network.name, aliases: [...new Set([props.name, ...(n.aliases ?? [])])] })),
      ports: this.ports.map((p) => ({
        internal: p.containerPort,
        external: p.hostPort,
        protocol: p.protocol ?? "tcp",
        ip: p.public ? "0.0.0.0" : "127.0.0.1",
      })),
      volumes: [
        ...mounts.map((m) => ({ volumeName: m.volume.name, containerPath: m.containerPath, readOnly: m.readOnly })),
        ...(props.bindMounts ?? []).map((b) => ({ hostPath: b.hostPath, containerPath: b.containerPath, readOnly: b.readOnly ?? true })),
      ],
      stopTimeout: props.stopTimeoutSeconds ?? 10,
      destroyGraceSeconds: props.stopTimeoutSeconds ?? 10,
      labels: Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([label, value]) => ({ label, value })),
      // One-shot containers exit by design: must_run=false keeps an exited container from planning a
      // re-create, and attach makes Terraform wait for the exit (the provider does not check its code).
      mustRun: !oneShot,
      attach: waitForExit ? true : undefined,
      rm: false,
      count,
      dependsOn: [
        ...(loader ? [loader] : []),
        ...mounts.map((m) => m.volume.resource),
        ...props.networks.map((n) => n.network.resource),
        ...(props.dependsOn ?? []).map((d) => (d instanceof Service ? d.resource : d)),
      ],
    };
    this.resource = new Container(this, "Resource", {
      ...config,
      lifecycle:
        waitForExit || loader
          ? {
              postcondition: waitForExit
                ? [{ condition: "${self.exit_code == 0}", errorMessage: `One-shot container ${props.name} exited with a non-zero code; see docker logs ${props.name}.` }]
                : undefined,
              replaceTriggeredBy: loader ? [`docker_container.${loader.friendlyUniqueId}${count !== undefined ? "[count.index]" : ""}`] : undefined,
            }
          : undefined,
    });
    this.resource.overrideLogicalId(readableLogicalId(this));
  }

  /** The created-but-never-started container that receives the service's uploaded files. */
  private createFilesLoader(
    props: ServiceProps,
    uploads: { file: string; content: string; permissions: string }[],
    loaderMounts: readonly VolumeMount[],
    logging: Logging,
    count: number | undefined,
  ): Container {
    const loader = new Container(this, "FilesLoader", {
      name: `${props.name}-files`,
      image: props.image.imageId,
      // Never started: start=false, and must_run=false so a created container is its steady state.
      start: false,
      mustRun: false,
      rm: false,
      readOnly: false,
      user: props.user,
      networkMode: "none",
      capabilities: { drop: ["ALL"], add: [] },
      securityOpts: ["no-new-privileges:true"],
      restart: "no",
      memory: 16,
      memorySwap: 16,
      logDriver: "json-file",
      logOpts: { "max-size": `${logging.maxSizeMiB}m`, "max-file": String(logging.maxFiles) },
      labels: [
        { label: "role", value: "files-loader" },
        { label: "service", value: props.name },
      ],
      volumes: loaderMounts.map((m) => ({ volumeName: m.volume.name, containerPath: m.containerPath, readOnly: false })),
      upload: uploads,
      count,
      dependsOn: loaderMounts.map((m) => m.volume.resource),
    });
    loader.overrideLogicalId(`${readableLogicalId(this)}_files`);
    return loader;
  }

  private static validate(scope: Service, props: ServiceProps): void {
    const p = new ProblemCollector();
    p.check(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(props.name), "name", props.name, "a Docker container name: letters, digits, '_', '.', '-'");
    if (props.user === undefined || ROOT_USERS.has(props.user)) {
      p.check((props.rootReason ?? "").trim().length >= 10, "rootReason", props.rootReason, "a reason of at least 10 characters when the service runs as root (no `user`, or user 0)");
    } else {
      p.check(/^[0-9]+(:[0-9]+)?$/.test(props.user), "user", props.user, "a numeric uid or uid:gid, e.g. \"1000:1000\"");
    }
    const ports = props.ports ?? [];
    const seen = new Set<string>();
    ports.forEach((port, i) => {
      p.check(Number.isInteger(port.containerPort) && port.containerPort > 0 && port.containerPort < 65536, `ports[${i}].containerPort`, port.containerPort, "an integer from 1 to 65535");
      p.check(Number.isInteger(port.hostPort) && port.hostPort > 0 && port.hostPort < 65536, `ports[${i}].hostPort`, port.hostPort, "an integer from 1 to 65535");
      const key = `${port.hostPort}/${port.protocol ?? "tcp"}`;
      p.check(!seen.has(key), `ports[${i}].hostPort`, port.hostPort, "a host port not already published by this service");
      seen.add(key);
    });
    if (ports.length > 0) {
      p.check(props.networks.some((n) => !n.network.internal), "ports", ports.map((x) => x.hostPort), "published ports need at least one non-internal network (Docker does not publish ports of containers on internal networks only)");
    }
    p.check(props.networks.length > 0, "networks", [], "at least one network");
    const netNames = props.networks.map((n) => n.network.name);
    p.check(new Set(netNames).size === netNames.length, "networks", netNames, "each network at most once");
    const paths = [...(props.volumes ?? []).map((m) => m.containerPath), ...(props.bindMounts ?? []).map((b) => b.containerPath)];
    const dup = paths.find((x, i) => paths.indexOf(x) !== i);
    p.check(dup === undefined, "volumes", dup, "each container path mounted once");
    [...paths, ...(props.secretFiles ?? []).map((s) => s.containerPath), ...(props.configFiles ?? []).map((c) => c.containerPath)].forEach((path) =>
      p.check(path.startsWith("/"), "volumes", path, "absolute container paths"),
    );
    const r = props.resources;
    if (r?.memoryMiB !== undefined) p.check(Number.isInteger(r.memoryMiB) && r.memoryMiB >= MIN_MEMORY_MIB, "resources.memoryMiB", r.memoryMiB, MEMORY_LIMIT_ALLOWED);
    if (r?.cpus !== undefined) p.check(r.cpus > 0 && r.cpus <= MAX_CPUS, "resources.cpus", r.cpus, CPU_LIMIT_ALLOWED);
    const lg = props.logging;
    if (lg) {
      p.check(Number.isInteger(lg.maxSizeMiB) && lg.maxSizeMiB > 0, "logging.maxSizeMiB", lg.maxSizeMiB, "a positive integer");
      p.check(Number.isInteger(lg.maxFiles) && lg.maxFiles > 0, "logging.maxFiles", lg.maxFiles, "a positive integer");
      (lg.labels ?? []).forEach((l, i) => p.check(/^[A-Za-z0-9_.-]+$/.test(l), `logging.labels[${i}]`, l, "a label key: letters, digits, '_', '.', '-' (no commas)"));
    }
    if (props.waitForHealthySeconds !== undefined) {
      p.check(props.healthCheck !== undefined, "waitForHealthySeconds", props.waitForHealthySeconds, "only with a healthCheck (the provider errors otherwise)");
    }
    if (props.restart === "always" || props.restart === "unless-stopped") {
      p.check(!props.oneShot, "restart", props.restart, "\"no\" or \"on-failure\" for one-shot services");
    }
    p.throwIfAny(scope);
  }
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

