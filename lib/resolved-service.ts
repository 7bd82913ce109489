/**
 * A `Service`'s props with every default applied and every conversion made, once: the container
 * rendering (`service.ts`, `files-loader.ts`) and the swarm rendering (`swarm-service.ts`) read this,
 * never the props.
 */
import type { TerraformResource } from "./cdk";
import type { Condition } from "./condition";
import type { ContainerImage } from "./image";
import type { Network } from "./network";
import type { SecretFile } from "./secret";
import {
  addedCapabilities,
  DEFAULT_LOGGING,
  DeliveredConfigFile,
  HealthCheck,
  jsonFileOptions,
  Logging,
  MetricsEndpoint,
  PortMapping,
  Resources,
  RestartPolicy,
  ServiceProps,
} from "./service-spec";
import { fileOwnerOf, startsAsRoot } from "./user";
import type { VolumeMount } from "./volume";

/** Seconds Docker waits after the stop signal before it kills the process (compose's default). */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
/** Restarts allowed with restart "on-failure" when `maxRetryCount` is not given. */
export const DEFAULT_MAX_RETRY_COUNT = 5;

/** How a service relates to the nodes of a swarm, derived from its mounts. */
export interface Placement {
  /** Mounts a node-local volume or a host path: its tasks run on the data node. */
  readonly pinned: boolean;
  /** Writes a node-local volume or a host path: one task, stopped before its replacement starts. */
  readonly singleWriter: boolean;
}

/** Where a service's tasks may run: anywhere, or on the data node because of what they mount. */
export function placementOf(props: Pick<ServiceProps, "volumes" | "bindMounts">): Placement {
  const nodeLocal = (props.volumes ?? []).filter((m) => !m.volume.perNode);
  const binds = props.bindMounts ?? [];
  return {
    pinned: nodeLocal.length > 0 || binds.length > 0,
    singleWriter: nodeLocal.some((m) => !m.readOnly) || binds.some((b) => b.readOnly === false),
  };
}

export interface ResolvedPort extends PortMapping {
  readonly protocol: "tcp" | "udp";
  readonly public: boolean;
}

export interface ResolvedBindMount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

export interface ResolvedNetworkAttachment {
  readonly network: Network;
  /** The service's name first, then the declared aliases, each once. */
  readonly aliases: readonly string[];
}

export interface ResolvedService {
  readonly name: string;
  readonly image: ContainerImage;
  readonly user?: string;
  /** Starts as root: no `user` (the image's), or uid 0 / `root`. */
  readonly runsAsRoot: boolean;
  readonly rootReason?: string;
  /** Owner of the files delivered to it: the user it drops to, else the one it starts as (0:0 for root). */
  readonly fileReader: { readonly uid: string; readonly gid: string; readonly root: boolean };
  readonly readOnlyRootFilesystem: boolean;
  /** tmpfs mounts, path → mount options, as given. */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** Added capabilities as Docker stores them (`CAP_`, once each, sorted). */
  readonly capabilities: readonly string[];
  readonly noNewPrivileges: boolean;
  readonly restart: RestartPolicy;
  /** With restart "on-failure" only. */
  readonly maxRetryCount?: number;
  readonly logging: Logging;
  /** json-file log options of the service and of its files loader. */
  readonly logOptions: Readonly<Record<string, string>>;
  readonly resources: Resources;
  readonly healthCheck?: HealthCheck;
  readonly metrics?: MetricsEndpoint;
  readonly waitForHealthySeconds?: number;
  readonly ports: readonly ResolvedPort[];
  readonly networks: readonly ResolvedNetworkAttachment[];
  /** Plain environment, sorted by name. */
  readonly environment: readonly (readonly [string, string])[];
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly workingDir?: string;
  readonly stopTimeoutSeconds: number;
  readonly volumes: readonly VolumeMount[];
  readonly bindMounts: readonly ResolvedBindMount[];
  readonly secretFiles: readonly SecretFile[];
  readonly configFiles: readonly DeliveredConfigFile[];
  /** The resources it is created after. */
  readonly dependsOn: readonly TerraformResource[];
  readonly oneShot: boolean;
  /** One-shot and waited for (`attach`, exit code checked). */
  readonly waitForExit: boolean;
  /** `service` (its name) and the declared labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly replicas: number;
  readonly hostLocal: boolean;
  readonly enabledWhen?: Condition;
  readonly placement: Placement;
}

/** Every default and conversion of a `Service`'s props, applied once; `configFiles` with their sensitivity. */
export function resolveService(props: ServiceProps, configFiles: readonly DeliveredConfigFile[]): ResolvedService {
  const oneShot = props.oneShot ?? false;
  const runsAsRoot = startsAsRoot(props.user);
  const reader = props.dropsToUser ?? props.user;
  const logging = props.logging ?? DEFAULT_LOGGING;
  return {
    name: props.name,
    image: props.image,
    user: props.user,
    runsAsRoot,
    rootReason: runsAsRoot ? props.rootReason?.trim() : undefined,
    fileReader: { ...fileOwnerOf(reader), root: startsAsRoot(reader) },
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
    tmpfs: props.tmpfs,
    capabilities: addedCapabilities(props.capabilities),
    noNewPrivileges: !props.allowPrivilegeEscalation,
    restart: props.restart ?? (oneShot ? "no" : "unless-stopped"),
    maxRetryCount: props.restart === "on-failure" ? (props.maxRetryCount ?? DEFAULT_MAX_RETRY_COUNT) : undefined,
    logging,
    logOptions: jsonFileOptions(logging),
    resources: props.resources ?? {},
    healthCheck: props.healthCheck,
    metrics: props.metrics,
    waitForHealthySeconds: props.waitForHealthySeconds,
    ports: (props.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? "tcp", public: p.public ?? false })),
    networks: props.networks.map((n) => ({ network: n.network, aliases: [...new Set([props.name, ...(n.aliases ?? [])])] })),
    environment: Object.entries(props.environment ?? {}).sort(([a], [b]) => a.localeCompare(b)),
    command: props.command,
    entrypoint: props.entrypoint,
    workingDir: props.workingDir,
    stopTimeoutSeconds: props.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS,
    volumes: [...(props.volumes ?? [])],
    bindMounts: (props.bindMounts ?? []).map((b) => ({
      hostPath: b.hostPath,
      containerPath: b.containerPath,
      readOnly: b.readOnly ?? true,
    })),
    secretFiles: props.secretFiles ?? [],
    configFiles,
    dependsOn: (props.dependsOn ?? []).map((d) => ("resource" in d ? d.resource : d)),
    oneShot,
    waitForExit: oneShot && (props.waitForExit ?? true),
    labels: { service: props.name, ...(props.labels ?? {}) },
    replicas: props.replicas ?? 1,
    hostLocal: props.hostLocal ?? false,
    enabledWhen: props.enabledWhen,
    placement: placementOf(props),
  };
}
