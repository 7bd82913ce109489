/**
 * What `npm run verify` expects of a deployed stack, from its synthesized `cdk.tf.json` (read by
 * tools/model/synthesized-stack.ts): the long-running services (docker_container or docker_service),
 * the one-shot jobs, the ports each publishes, the networks and aliases, what each service depends
 * on, the ports each declares it listens on, and the configuration text in which a service names the
 * others.
 */
import { isObject } from "../lib/json";
import { readSynthesizedStack, SynthesizedStack, Workload } from "../model/synthesized-stack";
import { evaluateCount, Variables } from "./variable-values";

export type ServiceKind = "container" | "swarm";

export interface PublishedPort {
  readonly protocol: string;
  /** Port inside the container. */
  readonly internal: number;
  /** Host port; undefined when Docker picks one. */
  readonly external?: number;
  /** Containers: the host IP it is bound to (0.0.0.0 = every interface). */
  readonly ip: string;
  /** Swarm: host (on the nodes that run a task) or ingress (every node). */
  readonly mode?: "host" | "ingress";
}

export interface NetworkAttachment {
  readonly network: string;
  readonly aliases: readonly string[];
}

/** Whether the resource exists: its `count`, evaluated from the variables when possible. */
export interface Presence {
  /** true, false, or undefined when `count` could not be evaluated. */
  readonly deployed: boolean | undefined;
  /** The `count` expression, when there is one. */
  readonly count?: string;
}

export interface ServiceModel extends Presence {
  readonly kind: ServiceKind;
  /** Terraform address, `docker_container.x` or `docker_service.x`. */
  readonly address: string;
  readonly name: string;
  readonly healthcheck: boolean;
  /** Swarm: desired replicas (undefined for global services). */
  readonly replicas?: number;
  readonly ports: readonly PublishedPort[];
  readonly networks: readonly NetworkAttachment[];
  /** Addresses of the other long-running services in its `depends_on`. */
  readonly dependsOn: readonly string[];
  /** Ports the service declares it listens on: its health check URL, `0.0.0.0:<port>` listen addresses (metrics included). */
  readonly listenPorts: readonly number[];
  /** Its configuration as text (environment, command, uploaded and mounted files), where it names other services. */
  readonly text: string;
}

export interface OneShotModel extends Presence {
  readonly address: string;
  readonly name: string;
}

export interface StackModel {
  readonly stack: string;
  readonly services: readonly ServiceModel[];
  readonly oneShots: readonly OneShotModel[];
}

/** Every string inside a JSON value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) if (k !== "//") strings(v, out);
  return out;
}

/**
 * The text of a service's configuration, and of what it references: its never-started files loader
 * (`docker_container` with start = false, whose uploads it mounts), swarm secrets and configs, and the
 * locals they are built from. Variable references stay unresolved: no secret value is ever read.
 */
function configurationText(w: Workload, stack: SynthesizedStack, byAddress: ReadonlyMap<string, Workload>): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  const follow = (texts: string[], depth: number) => {
    for (const t of texts) {
      for (const m of t.matchAll(/\b(docker_container|docker_secret|docker_config|local)\.([A-Za-z0-9_-]+)/g)) {
        const key = `${m[1]}.${m[2]}`;
        if (seen.has(key) || depth > 3) continue;
        seen.add(key);
        if (m[1] === "local") {
          const v = stack.locals[m[2]];
          if (v !== undefined) {
            const texts2 = strings(v);
            parts.push(...texts2);
            follow(texts2, depth + 1);
          }
          continue;
        }
        if (m[1] === "docker_container") {
          const loader = byAddress.get(key);
          if (!loader || loader.started) continue;
          const uploads = loader.uploads.map((u) => u.text);
          parts.push(...uploads);
          follow(uploads, depth + 1);
        } else {
          const target = stack.resource(m[1], m[2]);
          if (!target) continue;
          const data = strings(target.data);
          parts.push(...data);
          follow(data, depth + 1);
        }
      }
    }
  };
  const own: string[] = [];
  for (const [k, v] of Object.entries(w.body)) {
    if (["//", "lifecycle", "labels", "name", "hostname", "image", "networks_advanced", "log_opts", "log_driver"].includes(k)) continue;
    if (k === "upload") own.push(...w.uploads.map((u) => u.text));
    else if (k === "task_spec" && isObject(v))
      own.push(...strings(isObject(v.container_spec) ? { ...v.container_spec, labels: null, image: null, hostname: null } : {}));
    else own.push(...strings(v));
  }
  parts.push(...own);
  follow(own, 0);
  return parts.join("\n");
}

/** Ports in a health check's URL or TCP probe (`localhost:8080`, `127.0.0.1:9090`, `/dev/tcp/127.0.0.1/8137`). */
export function healthCheckPorts(test: readonly string[]): number[] {
  const text = test.join(" ");
  const ports = [
    ...[...text.matchAll(/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{1,5})\b/g)].map((m) => Number(m[1])),
    ...[...text.matchAll(/\/dev\/tcp\/[^/\s]+\/(\d{1,5})\b/g)].map((m) => Number(m[1])),
  ];
  return [...new Set(ports)];
}

/** Listen addresses a service declares in its own configuration (`0.0.0.0:9999`, `[::]:8080`). */
export function listenAddressPorts(text: string): number[] {
  return [...new Set([...text.matchAll(/(?:^|[^\d.])(?:0\.0\.0\.0|\[::\]):(\d{1,5})\b/g)].map((m) => Number(m[1])))];
}

function networks(w: Workload, vars: Variables): NetworkAttachment[] {
  return w.networks.flatMap((n) => {
    if (n.network === undefined) return [];
    const network = vars.resolve(n.network, n.resource ?? "a network name");
    return network ? [{ network, aliases: [...n.aliases] }] : [];
  });
}

function presence(w: Workload, vars: Variables): Presence {
  if (w.count === undefined) return { deployed: true };
  const n = evaluateCount(w.count, vars);
  return { deployed: n === undefined ? undefined : n > 0, count: typeof w.count === "string" ? w.count : String(w.count) };
}

/**
 * What verify expects of a stack, from its parsed `cdk.tf.json` (read by tools/model/synthesized-stack.ts).
 * Throws an InputError when a needed variable has no value.
 */
export function expectedStack(stack: string, config: unknown, vars: Variables): StackModel {
  const synthesized = readSynthesizedStack(config);
  const byAddress = new Map(synthesized.workloads.map((w) => [w.address, w]));
  const services: ServiceModel[] = [];
  const oneShots: OneShotModel[] = [];

  for (const w of synthesized.workloads) {
    const name = vars.resolve(w.name, w.address);
    if (!w.started) continue; // a files loader: created, never started
    if (!w.mustRun) {
      oneShots.push({ address: w.address, name, ...presence(w, vars) });
      continue;
    }
    const text = configurationText(w, synthesized, byAddress);
    services.push({
      kind: w.kind,
      address: w.address,
      name,
      ...presence(w, vars),
      healthcheck: w.healthcheck !== undefined,
      ...(w.swarm ? { replicas: w.swarm.global ? undefined : typeof w.swarm.replicas === "number" ? w.swarm.replicas : 1 } : {}),
      ports: w.ports.map((p) =>
        w.swarm
          ? { protocol: p.protocol, internal: p.internal, external: p.external, ip: "0.0.0.0", mode: p.mode }
          : { protocol: p.protocol, internal: p.internal, external: p.external, ip: p.ip ?? "0.0.0.0" },
      ),
      networks: networks(w, vars),
      dependsOn: w.dependsOn.filter((d) => /^docker_(container|service)\./.test(d)),
      listenPorts: [...new Set([...(w.healthcheck ? healthCheckPorts(w.healthcheck) : []), ...listenAddressPorts(text)])].sort(
        (a, b) => a - b,
      ),
      text,
    });
  }

  const serviceAddresses = new Set(services.map((s) => s.address));
  return {
    stack,
    services: services.map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => serviceAddresses.has(d) && d !== s.address) })),
    oneShots,
  };
}
