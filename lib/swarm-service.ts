/**
 * The swarm rendering of the `Service` model: one `docker_service`, with its secret and configuration
 * files as `docker_secret`s and `docker_config`s (no files loader: swarm delivers files itself).
 */
import { Construct, DataResource, Fn, TerraformLocal } from "./cdk";
import { SwarmConfig, SwarmMount, SwarmSecret, SwarmService } from "./docker";
import { labelBlocks } from "./labels";
import { releaseLabels } from "./release";
import type { ResolvedService } from "./resolved-service";
import { Secret } from "./secret";
import { BYTES_PER_MIB, DURATION, healthCheckTimings, labelDigest } from "./service-spec";
import { SwarmTarget } from "./target";
import { readableLogicalId } from "./validation";

/** Swarm's default pause between health-gated steps of an update is 0; keep it explicit (it reads back). */
const UPDATE_DELAY = "0s";

/**
 * A replicated swarm service with the same secure defaults as the container rendering, where swarm can
 * express them (non-root user, read-only root filesystem, `cap_drop ALL`, tmpfs, rotated logs, limits);
 * `no-new-privileges` and the health check's `start_interval` it cannot (Engine API ≤ 1.45).
 */
export function renderSwarmService(scope: Construct, service: ResolvedService, target: SwarmTarget): SwarmService {
  const publicPorts = service.ports.filter((p) => p.public);
  // Host mode with dnsrr (no ingress mesh), and always for P2P: the ingress mesh would hide the
  // peer's real address (Zebra's inbound peers).
  const hostMode = (p: { kind: string }) => target.endpointMode === "dnsrr" || p.kind === "p2p";
  const hostModePorts = publicPorts.some(hostMode);
  const labels = labelBlocks(service.labels);
  const files = swarmFiles(scope, service);
  const rollout = rolloutOf(service, hostModePorts);
  const swarmService = new SwarmService(scope, "Resource", {
    name: service.name,
    // The release on the service only: a task-template label would restart every task.
    labels: labelBlocks({ ...service.labels, ...releaseLabels(scope) }),
    mode: { replicated: { replicas: service.replicas } },
    taskSpec: {
      containerSpec: {
        image: service.image.swarmReference,
        hostname: service.name,
        user: service.user,
        // Swarm's `command` is the entrypoint and `args` the image's CMD. Empty lists and maps are
        // explicit: provider 4.6 reads unset ones back as empty and would plan an update every run.
        command: service.entrypoint ? [...service.entrypoint] : [],
        args: service.command ? [...service.command] : [],
        groups: [],
        sysctl: {},
        dir: service.workingDir,
        env: service.environment.length > 0 ? Object.fromEntries(service.environment) : undefined,
        readOnly: service.readOnlyRootFilesystem,
        capDrop: ["ALL"],
        capAdd: [...service.capabilities],
        labels,
        stopGracePeriod: DURATION(service.stopTimeoutSeconds),
        healthcheck: service.healthCheck ? healthCheckTimings(service.healthCheck) : undefined,
        mounts: mountsOf(service),
        secrets: files.secrets,
        configs: files.configs,
      },
      resources: swarmResources(service),
      restartPolicy: {
        condition: service.restart === "on-failure" ? "on-failure" : service.restart === "no" ? "none" : "any",
        delay: "5s",
        maxAttempts: service.maxRetryCount ?? 0,
        // Read back as "0s" (no window) when unset.
        window: "0s",
      },
      logDriver: { name: "json-file", options: { ...service.logOptions } },
      placement: {
        constraints: service.placement.pinned ? [`node.labels.${target.dataNodeLabel}==true`] : undefined,
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
        protocol: p.protocol,
        publishMode: hostMode(p) ? "host" : "ingress",
      })),
    },
    updateConfig: { parallelism: 1, delay: UPDATE_DELAY, failureAction: "rollback", ...rollout.step },
    rollbackConfig: { parallelism: 1, delay: UPDATE_DELAY, failureAction: "pause", ...rollout.step },
    // Terraform waits until every task runs (healthy); a failed update rolls back and fails the apply.
    convergeConfig: { delay: "2s", timeout: DURATION(rollout.convergeSeconds) },
    dependsOn: [
      ...files.resources,
      ...service.volumes.flatMap((m) => (m.volume.resource ? [m.volume.resource] : [])),
      ...service.networks.map((n) => n.network.resource),
      ...service.dependsOn,
    ],
  });
  // Networks by `id` (4.6 deprecates `name`, which the 3.6.2 bindings only know): any other spelling
  // reads back differently and replaces the service on every plan.
  swarmService.addOverride(
    "task_spec.networks_advanced",
    service.networks.map((n) => ({ id: n.network.resource.id, aliases: [...n.aliases].sort(), driver_opts: [] })),
  );
  swarmService.overrideLogicalId(readableLogicalId(scope));
  return swarmService;
}

/**
 * How an update (and a rollback) steps through the tasks, and how long Terraform waits for it. Two
 * writers must never share a volume. A host-mode port is bound once per node, so a replacement
 * cannot start beside its predecessor, and with as many eligible nodes as replicas (one node down)
 * a start-first update would wait for a free node forever: stop one, start one, while the other
 * replicas serve.
 */
function rolloutOf(service: ResolvedService, hostModePorts: boolean) {
  const hc = service.healthCheck;
  const order = service.placement.singleWriter || hostModePorts ? "stop-first" : "start-first";
  // How long one task may take to turn healthy, then how long swarm watches it before the next step.
  const healthySeconds = hc ? (hc.startPeriodSeconds ?? 0) + hc.intervalSeconds * (hc.retries + 1) + hc.timeoutSeconds : 10;
  const monitorSeconds = hc ? Math.max(10, hc.intervalSeconds) : 10;
  return {
    // As provider 4.6 reads it back ("0" would plan an update on every run).
    step: { monitor: DURATION(monitorSeconds), maxFailureRatio: "0.0", order },
    convergeSeconds: Math.max(service.waitForHealthySeconds ?? 0, service.replicas * (healthySeconds + monitorSeconds) + 60),
  };
}

/**
 * Limits, and a memory reservation: the scheduler places a task only where its memory limit is still
 * free, so nodes are never overcommitted; CPU is shared by weight and not reserved.
 */
function swarmResources(service: ResolvedService) {
  const { memoryMiB, cpus } = service.resources;
  return {
    limits:
      memoryMiB !== undefined || cpus !== undefined
        ? {
            memoryBytes: memoryMiB !== undefined ? memoryMiB * BYTES_PER_MIB : undefined,
            nanoCpus: cpus !== undefined ? Math.round(cpus * 1e9) : undefined,
          }
        : undefined,
    reservation: memoryMiB !== undefined ? { memoryBytes: memoryMiB * BYTES_PER_MIB } : undefined,
  };
}

function mountsOf(service: ResolvedService): SwarmMount[] {
  return [
    // A per-node volume is anonymous on swarm: each task gets its own, removed with the task.
    ...service.volumes.map((m) => ({
      type: "volume",
      source: m.volume.perNode ? undefined : m.volume.name,
      target: m.containerPath,
      readOnly: m.readOnly,
    })),
    ...service.bindMounts.map((b) => ({ type: "bind", source: b.hostPath, target: b.containerPath, readOnly: b.readOnly })),
    ...Object.entries(service.tmpfs ?? {})
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
      if (m)
        out.sizeBytes =
          Number(m[1]) * ({ "": 1, k: 1024, m: BYTES_PER_MIB, g: 1024 * BYTES_PER_MIB } as Record<string, number>)[m[2].toLowerCase()];
    }
    if (key === "mode" && value) out.mode = parseInt(value, 8);
  }
  return out;
}

/**
 * One `docker_secret` per secret file (and per configuration file whose content reads a secret) and
 * one `docker_config` per other configuration file, mounted where the program reads it, owned by the
 * reading user, 0400 (secrets) or the file's mode (configs). Swarm objects are immutable and their
 * names unique: each name carries a suffix that changes with the content, and the replacement is
 * created before the old one goes, so a rotation is a rolling update of the service, never an outage.
 */
function swarmFiles(scope: Construct, service: ResolvedService) {
  const reader = service.fileReader;
  const secrets: { secretId: string; secretName: string; fileName: string; fileUid: string; fileGid: string; fileMode: number }[] = [];
  const configs: { configId: string; configName: string; fileName: string; fileUid: string; fileGid: string; fileMode: number }[] = [];
  const resources: (SwarmSecret | SwarmConfig | DataResource)[] = [];
  for (const file of swarmFileList(service)) {
    const owner = { fileName: file.path, fileUid: reader.uid, fileGid: reader.gid, fileMode: file.mode };
    const object = swarmObject(scope, service, file);
    resources.push(...object.resources);
    if (object.secret) secrets.push({ secretId: object.secret.id, secretName: object.secret.name, ...owner });
    if (object.config) configs.push({ configId: object.config.id, configName: object.config.name, ...owner });
  }
  return { secrets, configs, resources };
}

/** A file delivered on swarm: its path, content (a Terraform template), whether it is secret, its mode and the secrets it carries. */
interface SwarmFile {
  readonly path: string;
  readonly content: string;
  readonly sensitive: boolean;
  readonly mode: number;
  readonly secrets: readonly Secret[];
}

function swarmFileList(service: ResolvedService): SwarmFile[] {
  return [
    ...service.secretFiles.map((f) => ({
      path: f.containerPath,
      content: f.secret.value,
      sensitive: true,
      mode: 0o400,
      secrets: [f.secret],
    })),
    ...service.configFiles.map((c) => ({
      path: c.containerPath,
      content: c.content.template,
      sensitive: c.sensitive,
      mode: c.sensitive ? 0o400 : parseInt(c.mode ?? "0444", 8),
      secrets: c.secrets.flatMap((v) => Secret.of(v) ?? []),
    })),
  ];
}

/** The `docker_secret` (with its version) or `docker_config` of one file, named after its last path word. */
function swarmObject(
  scope: Construct,
  service: ResolvedService,
  file: SwarmFile,
): { resources: (SwarmSecret | SwarmConfig | DataResource)[]; secret?: SwarmSecret; config?: SwarmConfig } {
  const words = file.path.split(/[^a-zA-Z0-9]+/).filter((w) => w !== "");
  const cid = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  // Swarm names are at most 64 characters: the file's last word, then a suffix unique per content.
  const base = `${service.name}-${words[words.length - 1].toLowerCase()}`;
  const address = `${readableLogicalId(scope)}_${words.join("_").toLowerCase()}`;
  // Through a local: function arguments cannot hold the file's quotes and newlines literally.
  const local = new TerraformLocal(scope, `${cid}Content`, file.content);
  local.overrideLogicalId(`${address}_content`);
  const content = local.asString;
  if (!file.sensitive) {
    const config = new SwarmConfig(scope, `${cid}Config`, {
      // A digest of the path, then of the content: two files of one service with the same last word
      // and the same content still differ.
      name: `${base}-${labelDigest(file.path).slice(0, 4)}${Fn.substr(Fn.sha256(content), 0, 12)}`,
      data: Fn.base64encode(content),
      lifecycle: { createBeforeDestroy: true },
    });
    config.overrideLogicalId(address);
    return { resources: [config], config };
  }
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
  return { resources: [version, secret], secret };
}
