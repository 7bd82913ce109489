import { Construct, TerraformResource } from "./cdk";
import { moveFilesVolumeFromCounterAddress } from "./earlier-addresses";
import { Container, ContainerConfig, SwarmService } from "./docker";
import { Secret } from "./secret";
import { describeReads, isSensitive, secretReads } from "./sensitivity";
import {
  addedCapabilities,
  CPU_LIMIT_ALLOWED,
  CPU_PERIOD_MICROSECONDS,
  cpuShares,
  DEFAULT_LOGGING,
  DeliveredConfigFile,
  DURATION,
  HealthCheck,
  healthCheckTimings,
  jsonFileOptions,
  labelDigest,
  Logging,
  MAX_CPUS,
  MAX_MEMORY_MIB,
  MEMORY_LIMIT_ALLOWED,
  MetricsEndpoint,
  MIN_MEMORY_MIB,
  PortMapping,
  ServiceProps,
} from "./service-spec";
import { placementOf, renderSwarmService } from "./swarm-service";
import { deploymentTargetOf, DeploymentTarget } from "./target";
import { isRootUser, startsAsRoot } from "./user";
import { ProblemCollector, readableLogicalId } from "./validation";
import { Volume, VolumeMount } from "./volume";

export * from "./service-spec";

/**
 * A long-running (or one-shot) service with secure defaults: non-root, read-only root filesystem,
 * all capabilities dropped, `no-new-privileges`, restart policy, rotated json-file logs, no host
 * ports unless declared, declared ports on 127.0.0.1 unless declared public. Each default is
 * loosened only by an explicit prop.
 *
 * The stack's deployment target decides the rendering: a `docker_container` (containers target, and
 * one-shot services on either target: Terraform waits for their exit on the node it talks to), or a
 * `docker_service` on a swarm (`swarm-service.ts`).
 */
export class Service extends Construct {
  /** The primary resource: a container, or a swarm service on the swarm target. */
  readonly resource: Container | SwarmService;
  /** Where the service is rendered. */
  readonly target: DeploymentTarget;
  /** Tasks of the swarm service (1 for a container). */
  readonly replicas: number;
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
  /** The configuration files, each sensitive when its content reads a secret. */
  readonly configFiles: readonly DeliveredConfigFile[];

  /** The `docker_container` (escape hatch); throws on the swarm target. */
  get container(): Container {
    if (!(this.resource instanceof Container)) throw new Error(`${this.node.path}: rendered as a swarm service; use swarmService`);
    return this.resource;
  }

  /** The `docker_service` (escape hatch); throws on the containers target. */
  get swarmService(): SwarmService {
    if (!(this.resource instanceof SwarmService)) throw new Error(`${this.node.path}: rendered as a container; use container`);
    return this.resource;
  }

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    this.target = deploymentTargetOf(this);
    this.configFiles = Service.deliveredConfigFiles(this, props);
    Service.validate(this, props, this.target, this.configFiles);

    this.name = props.name;
    this.replicas = props.replicas ?? 1;
    this.ports = [...(props.ports ?? [])];
    this.healthCheck = props.healthCheck;
    this.metrics = props.metrics;
    this.oneShot = props.oneShot ?? false;
    this.runsAsRoot = startsAsRoot(props.user);
    this.rootReason = this.runsAsRoot ? props.rootReason?.trim() : undefined;
    const readerIsRoot = startsAsRoot(props.dropsToUser ?? props.user);
    const readOnly = props.readOnlyRootFilesystem ?? true;

    const logging = props.logging ?? DEFAULT_LOGGING;
    const labels: Record<string, string> = {
      service: props.name,
      ...(props.labels ?? {}),
    };

    const hc = props.healthCheck;
    const target = this.target;
    if (target.kind === "swarm" && !this.oneShot && !props.hostLocal) {
      this.fileVolumes = [];
      this.volumeMounts = [...(props.volumes ?? [])];
      this.resource = renderSwarmService(this, {
        props,
        configFiles: this.configFiles,
        labels,
        logging,
        target,
        placement: placementOf(props),
      });
      return;
    }

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

    // Uploaded files are owned by root: a non-root reader can only read a world-readable file. The
    // file sits in a root-owned directory on a volume mounted into this service only. Provider 4.6's
    // upload `owner` does not help on Docker Engine 26: with an owner, Docker chowns to the container's
    // user (the image's USER included), which Engine 26 resolves by name and fails for numeric users
    // (`unable to find getent command`; 00-provider-behaviour).
    const secretPermissions = readerIsRoot ? "0400" : "0444";
    const uploads = [
      ...(props.secretFiles ?? []).map((f) => ({ file: f.containerPath, content: f.secret.value, permissions: secretPermissions })),
      ...this.configFiles.map((f) => ({
        file: f.containerPath,
        content: f.content.template,
        permissions: f.sensitive ? secretPermissions : (f.mode ?? "0444"),
      })),
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
      moveFilesVolumeFromCounterAddress(this, volume, fileVolumes.length);
      fileVolumes.push(volume);
      loaderMounts.push(volume.mount(dir));
      mounts.push(volume.mount(dir, { readOnly: true }));
    });
    this.fileVolumes = fileVolumes;
    this.volumeMounts = mounts;

    const oneShot = this.oneShot;
    const waitForExit = oneShot && (props.waitForExit ?? true);
    const count = props.enabledWhen?.count;
    const loader =
      uploads.length > 0
        ? this.createFilesLoader(props, uploads, loaderMounts, logging, count, Service.lengthChecks(props, this.configFiles))
        : undefined;
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
      capabilities: { drop: ["ALL"], add: addedCapabilities(props.capabilities) },
      securityOpts: props.allowPrivilegeEscalation ? [] : ["no-new-privileges:true"],
      privileged: false,
      restart: props.restart ?? (oneShot ? "no" : "unless-stopped"),
      maxRetryCount: (props.restart ?? "") === "on-failure" ? (props.maxRetryCount ?? 5) : undefined,
      logDriver: "json-file",
      logOpts: jsonFileOptions(logging),
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
            ...healthCheckTimings(hc),
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
        ...mounts.flatMap((m) => (m.volume.resource ? [m.volume.resource] : [])),
        ...props.networks.map((n) => n.network.resource),
        ...(props.dependsOn ?? []).map((d) => ("resource" in d ? d.resource : d)),
      ],
    };
    this.resource = new Container(this, "Resource", {
      ...config,
      lifecycle:
        waitForExit || loader
          ? {
              postcondition: waitForExit
                ? [
                    {
                      condition: "${self.exit_code == 0}",
                      errorMessage: `One-shot container ${props.name} exited with a non-zero code; see docker logs ${props.name}.`,
                    },
                  ]
                : undefined,
              replaceTriggeredBy: loader
                ? [`docker_container.${loader.friendlyUniqueId}${count !== undefined ? "[count.index]" : ""}`]
                : undefined,
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
    lengthChecks: readonly TerraformResource[],
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
      // After the length checks of the secrets it uploads: a targeted plan checks them too.
      dependsOn: [...lengthChecks, ...loaderMounts.flatMap((m) => (m.volume.resource ? [m.volume.resource] : []))],
    });
    loader.overrideLogicalId(`${readableLogicalId(this)}_files`);
    return loader;
  }

  /**
   * The configuration files with their sensitivity, read from their content. A part produced only at
   * synthesis (`Lazy`) is read then: a validation fails synthesis if it carries a secret the rendering
   * did not deliver as one.
   */
  private static deliveredConfigFiles(scope: Service, props: ServiceProps): DeliveredConfigFile[] {
    const files = (props.configFiles ?? []).map((f) => {
      const reads = secretReads(scope, f.content.template);
      return { containerPath: f.containerPath, content: f.content, mode: f.mode, sensitive: isSensitive(reads), secrets: reads.variables };
    });
    scope.node.addValidation({
      validate: () =>
        files.flatMap((f) => {
          const reads = secretReads(scope, f.content.template, { lazy: "produce" });
          return isSensitive(reads) && !f.sensitive
            ? [
                `configFiles ${f.containerPath}: its content reads ${describeReads(reads).join(", ")} only once synthesis produces it (a Lazy value), after the file was rendered as one that carries no secret. Build the part that reads a secret without Lazy, so that the file is delivered as a secret.`,
              ]
            : [];
        }),
    });
    return files;
  }

  /** The length checks of the secrets a service receives: its secret files, and those its configuration files read. */
  private static lengthChecks(props: ServiceProps, configFiles: readonly DeliveredConfigFile[]): TerraformResource[] {
    const secrets = [
      ...(props.secretFiles ?? []).map((f) => f.secret),
      ...configFiles.flatMap((f) => f.secrets.flatMap((v) => Secret.of(v) ?? [])),
    ];
    return [...new Set(secrets)].map((s) => s.lengthCheck);
  }

  private static validate(
    scope: Service,
    props: ServiceProps,
    target: DeploymentTarget,
    configFiles: readonly DeliveredConfigFile[],
  ): void {
    const p = new ProblemCollector();
    configFiles.forEach((f, i) => {
      const secrets = f.secrets.map((v) => `var.${v.friendlyUniqueId}`).join(", ") || "sensitive()";
      p.check(
        !f.sensitive || f.mode === undefined,
        `configFiles[${i}].mode`,
        f.mode,
        `unset for ${f.containerPath}, which reads ${secrets}: a file that carries a secret gets a secret file's mode`,
      );
    });
    const replicas = props.replicas ?? 1;
    p.check(Number.isInteger(replicas) && replicas >= 1, "replicas", props.replicas, "a positive integer");
    if (replicas > 1) {
      p.check(
        target.kind === "swarm",
        "replicas",
        props.replicas,
        "1 on the containers target (one container per service; the swarm target runs replicas)",
      );
      p.check(!props.oneShot, "replicas", props.replicas, "1 for a one-shot service");
      p.check(
        !placementOf(props).singleWriter,
        "replicas",
        props.replicas,
        "1 for a service that writes a node-local volume or host path (two writers must never share it)",
      );
      if (target.kind === "swarm" && placementOf(props).pinned) {
        const hostModePort = (props.ports ?? []).some((x) => x.public && (target.endpointMode === "dnsrr" || x.kind === "p2p"));
        p.check(
          !hostModePort,
          "replicas",
          props.replicas,
          '1 for a service pinned to the data node that publishes a host-mode port (endpointMode "dnsrr", or a P2P port, binds it once per node)',
        );
      }
    }
    if (target.kind === "swarm" && !props.oneShot && !props.hostLocal) {
      p.check(
        props.enabledWhen === undefined,
        "enabledWhen",
        props.enabledWhen,
        "unset on the swarm target (a conditional service is a containers-target feature)",
      );
    }
    const imageCondition = props.image.enabledWhen;
    if (imageCondition !== undefined) {
      p.check(
        imageCondition.equals(props.enabledWhen),
        "enabledWhen",
        props.enabledWhen,
        `${imageCondition.expression}, the enabledWhen of its image ${props.image.node.path} (${props.image.reference}): service ${props.name} would reference the image's instance [0], which does not exist while that is false, and every plan would fail`,
      );
    }
    p.check(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(props.name), "name", props.name, "a Docker container name: letters, digits, '_', '.', '-'");
    if (startsAsRoot(props.user)) {
      p.check(
        (props.rootReason ?? "").trim().length >= 10,
        "rootReason",
        props.rootReason,
        "a reason of at least 10 characters when the service runs as root (no `user`, or uid 0 / root with any group)",
      );
    }
    if (props.user !== undefined && !isRootUser(props.user)) {
      p.check(/^[0-9]+(:[0-9]+)?$/.test(props.user), "user", props.user, 'a numeric uid or uid:gid, e.g. "1000:1000"');
    }
    const ports = props.ports ?? [];
    const seen = new Set<string>();
    ports.forEach((port, i) => {
      p.check(
        Number.isInteger(port.containerPort) && port.containerPort > 0 && port.containerPort < 65536,
        `ports[${i}].containerPort`,
        port.containerPort,
        "an integer from 1 to 65535",
      );
      p.check(
        Number.isInteger(port.hostPort) && port.hostPort > 0 && port.hostPort < 65536,
        `ports[${i}].hostPort`,
        port.hostPort,
        "an integer from 1 to 65535",
      );
      const key = `${port.hostPort}/${port.protocol ?? "tcp"}`;
      p.check(!seen.has(key), `ports[${i}].hostPort`, port.hostPort, "a host port not already published by this service");
      seen.add(key);
    });
    if (ports.length > 0) {
      p.check(
        props.networks.some((n) => !n.network.internal),
        "ports",
        ports.map((x) => x.hostPort),
        "published ports need at least one non-internal network (Docker does not publish ports of containers on internal networks only)",
      );
    }
    p.check(props.networks.length > 0, "networks", [], "at least one network");
    const netNames = props.networks.map((n) => n.network.name);
    p.check(new Set(netNames).size === netNames.length, "networks", netNames, "each network at most once");
    const paths = [...(props.volumes ?? []).map((m) => m.containerPath), ...(props.bindMounts ?? []).map((b) => b.containerPath)];
    const dup = paths.find((x, i) => paths.indexOf(x) !== i);
    p.check(dup === undefined, "volumes", dup, "each container path mounted once");
    [...paths, ...(props.secretFiles ?? []).map((s) => s.containerPath), ...(props.configFiles ?? []).map((c) => c.containerPath)].forEach(
      (path) => p.check(path.startsWith("/"), "volumes", path, "absolute container paths"),
    );
    const r = props.resources;
    if (r?.memoryMiB !== undefined)
      p.check(
        Number.isInteger(r.memoryMiB) && r.memoryMiB >= MIN_MEMORY_MIB && r.memoryMiB <= MAX_MEMORY_MIB,
        "resources.memoryMiB",
        r.memoryMiB,
        MEMORY_LIMIT_ALLOWED,
      );
    if (r?.cpus !== undefined) p.check(r.cpus > 0 && r.cpus <= MAX_CPUS, "resources.cpus", r.cpus, CPU_LIMIT_ALLOWED);
    const lg = props.logging;
    if (lg) {
      p.check(Number.isInteger(lg.maxSizeMiB) && lg.maxSizeMiB > 0, "logging.maxSizeMiB", lg.maxSizeMiB, "a positive integer");
      p.check(Number.isInteger(lg.maxFiles) && lg.maxFiles > 0, "logging.maxFiles", lg.maxFiles, "a positive integer");
      (lg.labels ?? []).forEach((l, i) =>
        p.check(/^[A-Za-z0-9_.-]+$/.test(l), `logging.labels[${i}]`, l, "a label key: letters, digits, '_', '.', '-' (no commas)"),
      );
    }
    if (props.waitForHealthySeconds !== undefined) {
      p.check(
        props.healthCheck !== undefined,
        "waitForHealthySeconds",
        props.waitForHealthySeconds,
        "only with a healthCheck (the provider errors otherwise)",
      );
    }
    if (props.restart === "always" || props.restart === "unless-stopped") {
      p.check(!props.oneShot, "restart", props.restart, '"no" or "on-failure" for one-shot services');
    }
    p.throwIfAny(scope);
  }
}
