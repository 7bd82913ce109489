import { Construct } from "./cdk";
import { Container, ContainerConfig, SwarmService } from "./docker";
import { DeliveredFiles, deliverFiles } from "./files-loader";
import { labelBlocks } from "./labels";
import { releaseLabels } from "./release";
import { ResolvedService, resolveService } from "./resolved-service";
import { describeReads, isSensitive, secretReads } from "./sensitivity";
import {
  CPU_PERIOD_MICROSECONDS,
  cpuShares,
  DeliveredConfigFile,
  DURATION,
  HealthCheck,
  healthCheckTimings,
  labelDigest,
  MetricsEndpoint,
  PortMapping,
  ServiceProps,
} from "./service-spec";
import { validateService } from "./service-validation";
import { renderSwarmService } from "./swarm-service";
import { deploymentTargetOf, DeploymentTarget } from "./target";
import { readableLogicalId } from "./validation";
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
 * `docker_service` on a swarm (`swarm-service.ts`). Both read the props as `resolveService` resolves
 * them, defaults applied.
 */
export class Service extends Construct {
  /** The primary resource: a container, or a swarm service on the swarm target. */
  readonly resource: Container | SwarmService;
  /** Where the service is rendered. */
  readonly target: DeploymentTarget;
  /** Tasks of the swarm service (1 for a container). */
  readonly replicas: number;
  readonly name: string;
  /** The ports as declared. */
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
    validateService(this, props, this.target, this.configFiles);
    const service = resolveService(props, this.configFiles);

    this.name = service.name;
    this.replicas = service.replicas;
    this.ports = [...(props.ports ?? [])];
    this.healthCheck = service.healthCheck;
    this.metrics = service.metrics;
    this.oneShot = service.oneShot;
    this.runsAsRoot = service.runsAsRoot;
    this.rootReason = service.rootReason;

    if (this.target.kind === "swarm" && !service.oneShot && !service.hostLocal) {
      this.fileVolumes = [];
      this.volumeMounts = service.volumes;
      this.resource = renderSwarmService(this, service, this.target);
      return;
    }
    const files = deliverFiles(this, service);
    this.fileVolumes = files.volumes;
    this.volumeMounts = files.mounts;
    this.filesLoader = files.loader;
    this.resource = renderContainer(this, service, files);
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
}

/** The `docker_container` of a service on one host, with its files delivered through `files`. */
function renderContainer(scope: Service, service: ResolvedService, files: DeliveredFiles): Container {
  const { loader, mounts } = files;
  const count = service.enabledWhen?.count;
  const config: ContainerConfig = {
    name: service.name,
    image: service.image.imageId,
    hostname: service.name,
    user: service.user,
    command: service.command ? [...service.command] : undefined,
    entrypoint: service.entrypoint ? [...service.entrypoint] : undefined,
    workingDir: service.workingDir,
    env: service.environment.map(([k, v]) => `${k}=${v}`),
    readOnly: service.readOnlyRootFilesystem,
    tmpfs: service.tmpfs ? { ...service.tmpfs } : undefined,
    // Docker stores added capabilities with the CAP_ prefix and provider 4.6 reads them back as
    // stored: unprefixed names ("CHOWN") plan a replacement on every run (00-provider-behaviour).
    capabilities: { drop: ["ALL"], add: [...service.capabilities] },
    securityOpts: service.noNewPrivileges ? ["no-new-privileges:true"] : [],
    privileged: false,
    restart: service.restart,
    maxRetryCount: service.maxRetryCount,
    logDriver: "json-file",
    logOpts: { ...service.logOptions },
    ...containerLimits(service),
    healthcheck: service.healthCheck
      ? {
          ...healthCheckTimings(service.healthCheck),
          startInterval:
            service.healthCheck.startIntervalSeconds !== undefined ? DURATION(service.healthCheck.startIntervalSeconds) : undefined,
        }
      : undefined,
    wait: service.waitForHealthySeconds !== undefined ? true : undefined,
    waitTimeout: service.waitForHealthySeconds,
    networksAdvanced: service.networks.map((n) => ({ name: n.network.name, aliases: [...n.aliases] })),
    ports: service.ports.map((p) => ({
      internal: p.containerPort,
      external: p.hostPort,
      protocol: p.protocol,
      ip: p.public ? "0.0.0.0" : "127.0.0.1",
    })),
    volumes: [
      ...mounts.map((m) => ({ volumeName: m.volume.name, containerPath: m.containerPath, readOnly: m.readOnly })),
      ...service.bindMounts.map((b) => ({ hostPath: b.hostPath, containerPath: b.containerPath, readOnly: b.readOnly })),
    ],
    stopTimeout: service.stopTimeoutSeconds,
    destroyGraceSeconds: service.stopTimeoutSeconds,
    labels: labelBlocks({ ...containerLabels(service), ...releaseLabels(scope) }),
    // One-shot containers exit by design: must_run=false keeps an exited container from planning a
    // re-create, and attach makes Terraform wait for the exit (the provider does not check its code).
    mustRun: !service.oneShot,
    attach: service.waitForExit ? true : undefined,
    rm: false,
    count,
    dependsOn: [
      ...(loader ? [loader] : []),
      ...mounts.flatMap((m) => (m.volume.resource ? [m.volume.resource] : [])),
      ...service.networks.map((n) => n.network.resource),
      ...service.dependsOn,
    ],
  };
  const container = new Container(scope, "Resource", {
    ...config,
    lifecycle:
      service.waitForExit || loader
        ? {
            postcondition: service.waitForExit
              ? [
                  {
                    condition: "${self.exit_code == 0}",
                    errorMessage: `One-shot container ${service.name} exited with a non-zero code; see docker logs ${service.name}.`,
                  },
                ]
              : undefined,
            replaceTriggeredBy: loader
              ? [`docker_container.${loader.friendlyUniqueId}${count !== undefined ? "[count.index]" : ""}`]
              : undefined,
          }
        : undefined,
  });
  container.overrideLogicalId(readableLogicalId(scope));
  return container;
}

/** Memory and CPU limits of a container, and its CPU weight. */
function containerLimits(service: ResolvedService): Partial<ContainerConfig> {
  const { memoryMiB, cpus } = service.resources;
  return {
    // Swap equal to memory: Docker's default (twice the limit) reads back as a perpetual diff.
    memory: memoryMiB,
    memorySwap: memoryMiB,
    // A CFS quota over the default 100 ms period, not `cpus`: Docker refuses `cpus` (NanoCpus)
    // above the host's CPU count, which would tie a stack's limits to the size of every host it
    // deploys to; a quota above it is accepted (00-provider-behaviour). Provider 4.6 plans quota
    // edits in place and never applies them, hence the `cpu-limit` label.
    cpuPeriod: cpus !== undefined ? CPU_PERIOD_MICROSECONDS : undefined,
    cpuQuota: cpus !== undefined ? Math.round(cpus * CPU_PERIOD_MICROSECONDS) : undefined,
    // CPU priority follows the limit (CIS: CPU priority set), 1024 (Docker's default weight) per
    // core; updated in place.
    cpuShares: cpus !== undefined ? cpuShares(cpus) : undefined,
  };
}

/**
 * The container's labels: the service's, and digests of what provider 4.6 would otherwise change in
 * place without applying it. It replaces the container when the health-check block appears or goes,
 * but plans edits inside it as in-place updates that it never applies; a label (ForceNew) carrying a
 * digest of the health check turns an edit into a visible replacement. tmpfs edits likewise (and plan
 * again on every run), and cpu_period/cpu_quota edits. Shown in test/e2e/00-provider-behaviour.e2e.test.ts.
 */
function containerLabels(service: ResolvedService): Record<string, string> {
  return {
    ...service.labels,
    ...(service.healthCheck ? { "healthcheck-digest": labelDigest(JSON.stringify(service.healthCheck)) } : {}),
    ...(service.tmpfs ? { "tmpfs-digest": labelDigest(JSON.stringify(service.tmpfs)) } : {}),
    ...(service.resources.cpus !== undefined ? { "cpu-limit": String(service.resources.cpus) } : {}),
  };
}
