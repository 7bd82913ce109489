/**
 * The rules a `Service`'s props must follow; every broken rule is reported at once, naming the
 * construct, the prop, the value and what is allowed.
 */
import type { IConstruct } from "./cdk";
import { placementOf } from "./resolved-service";
import {
  CPU_LIMIT_ALLOWED,
  DeliveredConfigFile,
  MAX_CPUS,
  MAX_MEMORY_MIB,
  MEMORY_LIMIT_ALLOWED,
  MIN_MEMORY_MIB,
  ServiceProps,
} from "./service-spec";
import type { DeploymentTarget } from "./target";
import { isRootUser, startsAsRoot } from "./user";
import { ProblemCollector } from "./validation";

/** Throws one `ConstructValidationError` listing every rule `props` break. */
export function validateService(
  scope: IConstruct,
  props: ServiceProps,
  target: DeploymentTarget,
  configFiles: readonly DeliveredConfigFile[],
): void {
  const p = new ProblemCollector();
  checkFileModes(p, configFiles);
  checkReplicas(p, props, target);
  checkCondition(p, props, target);
  checkIdentity(p, props);
  checkPorts(p, props);
  checkNetworksAndMounts(p, props);
  checkLimitsAndLogging(p, props);
  checkLifecycle(p, props);
  p.throwIfAny(scope);
}

function checkFileModes(p: ProblemCollector, configFiles: readonly DeliveredConfigFile[]): void {
  configFiles.forEach((f, i) => {
    const secrets = f.secrets.map((v) => `var.${v.friendlyUniqueId}`).join(", ") || "sensitive()";
    p.check(
      !f.sensitive || f.mode === undefined,
      `configFiles[${i}].mode`,
      f.mode,
      `unset for ${f.containerPath}, which reads ${secrets}: a file that carries a secret gets a secret file's mode`,
    );
  });
}

function checkReplicas(p: ProblemCollector, props: ServiceProps, target: DeploymentTarget): void {
  const replicas = props.replicas ?? 1;
  p.check(Number.isInteger(replicas) && replicas >= 1, "replicas", props.replicas, "a positive integer");
  if (replicas <= 1) return;
  p.check(
    target.kind === "swarm",
    "replicas",
    props.replicas,
    "1 on the containers target (one container per service; the swarm target runs replicas)",
  );
  p.check(!props.oneShot, "replicas", props.replicas, "1 for a one-shot service");
  const placement = placementOf(props);
  p.check(
    !placement.singleWriter,
    "replicas",
    props.replicas,
    "1 for a service that writes a node-local volume or host path (two writers must never share it)",
  );
  if (target.kind === "swarm" && placement.pinned) {
    const hostModePort = (props.ports ?? []).some((x) => x.public && (target.endpointMode === "dnsrr" || x.kind === "p2p"));
    p.check(
      !hostModePort,
      "replicas",
      props.replicas,
      '1 for a service pinned to the data node that publishes a host-mode port (endpointMode "dnsrr", or a P2P port, binds it once per node)',
    );
  }
}

/** A conditional service is a containers-target feature; a counted image needs its condition. */
function checkCondition(p: ProblemCollector, props: ServiceProps, target: DeploymentTarget): void {
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
}

function checkIdentity(p: ProblemCollector, props: ServiceProps): void {
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
}

function checkPorts(p: ProblemCollector, props: ServiceProps): void {
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
}

function checkNetworksAndMounts(p: ProblemCollector, props: ServiceProps): void {
  p.check(props.networks.length > 0, "networks", [], "at least one network");
  const netNames = props.networks.map((n) => n.network.name);
  p.check(new Set(netNames).size === netNames.length, "networks", netNames, "each network at most once");
  const paths = [...(props.volumes ?? []).map((m) => m.containerPath), ...(props.bindMounts ?? []).map((b) => b.containerPath)];
  const dup = paths.find((x, i) => paths.indexOf(x) !== i);
  p.check(dup === undefined, "volumes", dup, "each container path mounted once");
  [...paths, ...(props.secretFiles ?? []).map((s) => s.containerPath), ...(props.configFiles ?? []).map((c) => c.containerPath)].forEach(
    (path) => p.check(path.startsWith("/"), "volumes", path, "absolute container paths"),
  );
}

function checkLimitsAndLogging(p: ProblemCollector, props: ServiceProps): void {
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
}

function checkLifecycle(p: ProblemCollector, props: ServiceProps): void {
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
}
