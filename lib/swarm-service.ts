/**
 * The swarm rendering of the `Service` model: one `docker_service`, with its secret and configuration
 * files as `docker_secret`s and `docker_config`s (no files loader: swarm delivers files itself).
 */
import { Construct, DataResource, Fn, TerraformLocal } from "./cdk";
import { SwarmConfig, SwarmMount, SwarmSecret, SwarmService } from "./docker";
import { Secret } from "./secret";
import {
  addedCapabilities,
  DeliveredConfigFile,
  DURATION,
  healthCheckTimings,
  jsonFileOptions,
  labelDigest,
  Logging,
  ServiceProps,
} from "./service-spec";
import { SwarmTarget } from "./target";
import { fileOwnerOf } from "./user";
import { readableLogicalId } from "./validation";

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

const MIB = 1024 * 1024;
/** Swarm's default pause between health-gated steps of an update is 0; keep it explicit (it reads back). */
const UPDATE_DELAY = "0s";

export interface SwarmServiceInput {
  readonly props: ServiceProps;
  /** The configuration files, each sensitive when its content reads a secret. */
  readonly configFiles: readonly DeliveredConfigFile[];
  readonly labels: Readonly<Record<string, string>>;
  readonly logging: Logging;
  readonly target: SwarmTarget;
  readonly placement: Placement;
}

/**
 * A replicated swarm service with the same secure defaults as the container rendering, where swarm can
 * express them (non-root user, read-only root filesystem, `cap_drop ALL`, tmpfs, rotated logs, limits);
 * `no-new-privileges` and the health check's `start_interval` it cannot (Engine API ≤ 1.45).
 */
export function renderSwarmService(scope: Construct, input: SwarmServiceInput): SwarmService {
  const { props, target, placement } = input;
  const id = readableLogicalId(scope);
  const replicas = props.replicas ?? 1;
  const hc = props.healthCheck;
  const publicPorts = (props.ports ?? []).filter((p) => p.public);
  // Host mode with dnsrr (no ingress mesh), and always for P2P: the ingress mesh would hide the
  // peer's real address (Zebra's inbound peers).
  const hostMode = (p: { kind: string }) => target.endpointMode === "dnsrr" || p.kind === "p2p";
  const hostModePorts = publicPorts.some(hostMode);
  // Two writers must never share a volume. A host-mode port is bound once per node, so a replacement
  // cannot start beside its predecessor, and with as many eligible nodes as replicas (one node down)
  // a start-first update would wait for a free node forever: stop one, start one, while the other
  // replicas serve.
  const order = placement.singleWriter || hostModePorts ? "stop-first" : "start-first";
  // How long one task may take to turn healthy, then how long swarm watches it before the next step.
  const healthySeconds = hc ? (hc.startPeriodSeconds ?? 0) + hc.intervalSeconds * (hc.retries + 1) + hc.timeoutSeconds : 10;
  const monitorSeconds = hc ? Math.max(10, hc.intervalSeconds) : 10;
  const convergeSeconds = Math.max(props.waitForHealthySeconds ?? 0, replicas * (healthySeconds + monitorSeconds) + 60);
  const labels = Object.entries(input.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => ({ label, value }));

  const files = swarmFiles(scope, props, input.configFiles);
  const service = new SwarmService(scope, "Resource", {
    name: props.name,
    labels,
    mode: { replicated: { replicas } },
    taskSpec: {
      containerSpec: {
        image: props.image.swarmReference,
        hostname: props.name,
        user: props.user,
        // Swarm's `command` is the entrypoint and `args` the image's CMD. Empty lists and maps are
        // explicit: provider 4.6 reads unset ones back as empty and would plan an update every run.
        command: props.entrypoint ? [...props.entrypoint] : [],
        args: props.command ? [...props.command] : [],
        groups: [],
        sysctl: {},
        dir: props.workingDir,
        env:
          Object.keys(props.environment ?? {}).length > 0
            ? Object.fromEntries(Object.entries(props.environment ?? {}).sort(([a], [b]) => a.localeCompare(b)))
            : undefined,
        readOnly: props.readOnlyRootFilesystem ?? true,
        capDrop: ["ALL"],
        capAdd: addedCapabilities(props.capabilities),
        labels,
        stopGracePeriod: DURATION(props.stopTimeoutSeconds ?? 10),
        healthcheck: hc ? healthCheckTimings(hc) : undefined,
        mounts: mountsOf(props),
        secrets: files.secrets,
        configs: files.configs,
      },
      resources: {
        limits:
          props.resources?.memoryMiB !== undefined || props.resources?.cpus !== undefined
            ? {
                memoryBytes: props.resources?.memoryMiB !== undefined ? props.resources.memoryMiB * MIB : undefined,
                nanoCpus: props.resources?.cpus !== undefined ? Math.round(props.resources.cpus * 1e9) : undefined,
              }
            : undefined,
        // The scheduler places a task only where its memory limit is still free, so nodes are never
        // overcommitted; CPU is shared by weight and not reserved.
        reservation: props.resources?.memoryMiB !== undefined ? { memoryBytes: props.resources.memoryMiB * MIB } : undefined,
      },
      restartPolicy: {
        condition: props.restart === "on-failure" ? "on-failure" : props.restart === "no" ? "none" : "any",
        delay: "5s",
        maxAttempts: props.restart === "on-failure" ? (props.maxRetryCount ?? 5) : 0,
        // Read back as "0s" (no window) when unset.
        window: "0s",
      },
      logDriver: {
        name: "json-file",
        options: jsonFileOptions(input.logging),
      },

      placement: {
        constraints: placement.pinned ? [`node.labels.${target.dataNodeLabel}==true`] : undefined,
        // A host-mode port is bound once per node.
        maxReplicas: hostModePorts ? 1 : undefined,
      },
    },
    endpointSpec: {
      mode: target.endpointMode,
      // A loopback-only port has no swarm equivalent (host-mode and ingress ports bind every
      // interface): it is not published, and the service is reached on its networks.
      ports: publicPorts.map((p) => ({
        targetPort: p.containerPort,
        publishedPort: p.hostPort,
        protocol: p.protocol ?? "tcp",
        publishMode: hostMode(p) ? "host" : "ingress",
      })),
    },
    updateConfig: {
      parallelism: 1,
      delay: UPDATE_DELAY,
      failureAction: "rollback",
      monitor: DURATION(monitorSeconds),
      // As provider 4.6 reads it back ("0" would plan an update on every run).
      maxFailureRatio: "0.0",
      order,
    },
    rollbackConfig: {
      parallelism: 1,
      delay: UPDATE_DELAY,
      failureAction: "pause",
      monitor: DURATION(monitorSeconds),
      maxFailureRatio: "0.0",
      order,
    },
    // Terraform waits until every task runs (healthy); a failed update rolls back and fails the apply.
    convergeConfig: { delay: "2s", timeout: DURATION(convergeSeconds) },
    dependsOn: [
      ...files.resources,
      ...(props.volumes ?? []).flatMap((m) => (m.volume.resource ? [m.volume.resource] : [])),
      ...props.networks.map((n) => n.network.resource),
      ...(props.dependsOn ?? []).map((d) => ("resource" in d ? d.resource : d)),
    ],
  });
  // Networks by `id` (4.6 deprecates `name`, which the 3.6.2 bindings only know): any other spelling
  // reads back differently and replaces the service on every plan.
  service.addOverride(
    "task_spec.networks_advanced",
    props.networks.map((n) => ({
      id: n.network.resource.id,
      aliases: [...new Set([props.name, ...(n.aliases ?? [])])].sort(),
      driver_opts: [],
    })),
  );
  service.overrideLogicalId(id);
  return service;
}

function mountsOf(props: ServiceProps): SwarmMount[] {
  return [
    // A per-node volume is anonymous on swarm: each task gets its own, removed with the task.
    ...(props.volumes ?? []).map((m) => ({
      type: "volume",
      source: m.volume.perNode ? undefined : m.volume.name,
      target: m.containerPath,
      readOnly: m.readOnly,
    })),
    ...(props.bindMounts ?? []).map((b) => ({ type: "bind", source: b.hostPath, target: b.containerPath, readOnly: b.readOnly ?? true })),
    ...Object.entries(props.tmpfs ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, options]) => ({ type: "tmpfs", target: path, readOnly: false, tmpfsOptions: tmpfsOptions(options) })),
  ];
}

/**
 * Swarm tmpfs mounts take a size and a mode only; Docker mounts them `noexec,nosuid,nodev` whatever
 * the container rendering's option string says.
 */
export function tmpfsOptions(options: string): { sizeBytes?: number; mode: number } {
  // Mode 0 is Docker's default (1777), and what provider 4.6 reads back when none is set.
  const out: { sizeBytes?: number; mode: number } = { mode: 0 };
  for (const option of options.split(",")) {
    const [key, value] = option.split("=");
    if (key === "size" && value) {
      const m = /^([0-9]+)([kmg]?)$/i.exec(value);
      if (m) out.sizeBytes = Number(m[1]) * ({ "": 1, k: 1024, m: MIB, g: 1024 * MIB } as Record<string, number>)[m[2].toLowerCase()];
    }
    if (key === "mode" && value) out.mode = parseInt(value, 8);
  }
  return out;
}

/** The user that reads delivered files: the user the image drops to, else the one it starts as. */
function readerOf(props: ServiceProps): { uid: string; gid: string } {
  return fileOwnerOf(props.dropsToUser ?? props.user);
}

/**
 * One `docker_secret` per secret file (and per configuration file whose content reads a secret) and
 * one `docker_config` per other configuration file, mounted where the program reads it, owned by the
 * reading user, 0400 (secrets) or the file's mode (configs). Swarm objects are immutable and their
 * names unique: each name carries a suffix that changes with the content, and the replacement is
 * created before the old one goes, so a rotation is a rolling update of the service, never an outage.
 */
function swarmFiles(scope: Construct, props: ServiceProps, configFiles: readonly DeliveredConfigFile[]) {
  const reader = readerOf(props);
  const secrets: { secretId: string; secretName: string; fileName: string; fileUid: string; fileGid: string; fileMode: number }[] = [];
  const configs: { configId: string; configName: string; fileName: string; fileUid: string; fileGid: string; fileMode: number }[] = [];
  const resources: (SwarmSecret | SwarmConfig | DataResource)[] = [];
  const files = [
    ...(props.secretFiles ?? []).map((f) => ({
      path: f.containerPath,
      content: f.secret.value,
      sensitive: true,
      mode: 0o400,
      secrets: [f.secret],
    })),
    ...configFiles.map((c) => ({
      path: c.containerPath,
      content: c.content.template,
      sensitive: c.sensitive,
      mode: c.sensitive ? 0o400 : parseInt(c.mode ?? "0444", 8),
      secrets: c.secrets.flatMap((v) => Secret.of(v) ?? []),
    })),
  ];
  for (const file of files) {
    const words = file.path.split(/[^a-zA-Z0-9]+/).filter((w) => w !== "");
    const cid = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
    // Swarm names are at most 64 characters: the file's last word, then a suffix unique per content.
    const base = `${props.name}-${words[words.length - 1].toLowerCase()}`;
    const address = `${readableLogicalId(scope)}_${words.join("_").toLowerCase()}`;
    // Through a local: function arguments cannot hold the file's quotes and newlines literally.
    const local = new TerraformLocal(scope, `${cid}Content`, file.content);
    local.overrideLogicalId(`${address}_content`);
    const content = local.asString;
    if (file.sensitive) {
      const lengthChecks = [...new Set(file.secrets)].map((s) => s.lengthCheck);
      // A hash of a secret in a resource name would be an offline guessing oracle for anyone who can
      // list swarm secrets; the suffix is the id of a terraform_data replaced when the content changes.
      const version = new DataResource(scope, `${cid}Version`, { triggersReplace: { content }, lifecycle: { createBeforeDestroy: true } });
      version.overrideLogicalId(`${address}_version`);
      const secret = new SwarmSecret(scope, `${cid}Secret`, {
        name: `${base}-${Fn.substr(version.getStringAttribute("id"), 0, 8)}`,
        data: Fn.base64encode(content),
        lifecycle: { createBeforeDestroy: true },
        // After the length checks of the secrets it carries: a targeted plan checks them too.
        dependsOn: lengthChecks.length > 0 ? lengthChecks : undefined,
      });
      secret.overrideLogicalId(address);
      resources.push(version, secret);
      secrets.push({
        secretId: secret.id,
        secretName: secret.name,
        fileName: file.path,
        fileUid: reader.uid,
        fileGid: reader.gid,
        fileMode: file.mode,
      });
    } else {
      const config = new SwarmConfig(scope, `${cid}Config`, {
        // A digest of the path, then of the content: two files of one service with the same last word
        // and the same content still differ.
        name: `${base}-${labelDigest(file.path).slice(0, 4)}${Fn.substr(Fn.sha256(content), 0, 12)}`,
        data: Fn.base64encode(content),
        lifecycle: { createBeforeDestroy: true },
      });
      config.overrideLogicalId(address);
      resources.push(config);
      configs.push({
        configId: config.id,
        configName: config.name,
        fileName: file.path,
        fileUid: reader.uid,
        fileGid: reader.gid,
        fileMode: file.mode,
      });
    }
  }
  return { secrets, configs, resources };
}
