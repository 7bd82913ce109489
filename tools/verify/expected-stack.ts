/**
 * What `npm run verify` expects of a deployed stack, read from its synthesized `cdk.tf.json`: the
 * long-running services (docker_container or docker_service), the one-shot jobs, the ports each
 * publishes, the networks and aliases, what each service depends on, the ports each declares it
 * listens on, and the configuration text in which a service names the others.
 */
import { isObject, Json, JsonObject } from "../lib/json";
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

type Resources = Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function arr(v: unknown): Json[] {
  return Array.isArray(v) ? v : isObject(v) ? [v] : [];
}

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Every string inside a JSON value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) if (k !== "//") strings(v, out);
  return out;
}

/** Upload contents, with literal base64 decoded. */
function uploadTexts(body: JsonObject): string[] {
  return arr(body.upload).flatMap((u) => {
    if (!isObject(u)) return [];
    const plain = str(u.content);
    const b64 = str(u.content_base64);
    if (plain !== undefined) return [plain];
    if (b64 !== undefined && !b64.includes("${")) return [Buffer.from(b64, "base64").toString("utf8")];
    return b64 !== undefined ? [b64] : [];
  });
}

/**
 * The text of a service's configuration, and of what it references: its never-started files loader
 * (`docker_container` with start = false, whose uploads it mounts), swarm secrets and configs, and the
 * locals they are built from. Variable references stay unresolved: no secret value is ever read.
 */
function configurationText(body: JsonObject, resources: Resources, locals: JsonObject): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  const follow = (texts: string[], depth: number) => {
    for (const t of texts) {
      for (const m of t.matchAll(/\b(docker_container|docker_secret|docker_config|local)\.([A-Za-z0-9_-]+)/g)) {
        const key = `${m[1]}.${m[2]}`;
        if (seen.has(key) || depth > 3) continue;
        seen.add(key);
        if (m[1] === "local") {
          const v = locals[m[2]];
          if (v !== undefined) {
            const texts2 = strings(v);
            parts.push(...texts2);
            follow(texts2, depth + 1);
          }
          continue;
        }
        const target = resources[m[1]]?.[m[2]];
        if (!target) continue;
        if (m[1] === "docker_container") {
          if (target.start !== false) continue;
          const uploads = uploadTexts(target);
          parts.push(...uploads);
          follow(uploads, depth + 1);
        } else {
          const data = strings(target.data);
          parts.push(...data);
          follow(data, depth + 1);
        }
      }
    }
  };
  const own: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (["//", "lifecycle", "labels", "name", "hostname", "image", "networks_advanced", "log_opts", "log_driver"].includes(k)) continue;
    if (k === "upload") own.push(...uploadTexts(body));
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

function healthTest(hc: unknown): string[] | undefined {
  const h = arr(hc)[0];
  if (!isObject(h)) return undefined;
  const test = arr(h.test).filter((x): x is string => typeof x === "string");
  if (test.length === 0 || test[0] === "NONE") return undefined;
  return test;
}

function networkName(ref: string | undefined, resources: Resources, vars: Variables): string | undefined {
  if (ref === undefined) return undefined;
  const m = /^\$\{docker_network\.([A-Za-z0-9_-]+)\.(id|name)\}$/.exec(ref);
  if (m) {
    const n = str(resources.docker_network?.[m[1]]?.name);
    return n === undefined ? undefined : vars.resolve(n, `docker_network.${m[1]}`);
  }
  return vars.resolve(ref, "a network name");
}

function presence(body: JsonObject, vars: Variables): Presence {
  if (body.count === undefined) return { deployed: true };
  const n = evaluateCount(body.count, vars);
  return { deployed: n === undefined ? undefined : n > 0, count: typeof body.count === "string" ? body.count : String(body.count) };
}

/** The address of each long-running service or one-shot job a `depends_on` entry names. */
function dependencies(body: JsonObject): string[] {
  return arr(body.depends_on)
    .filter((d): d is string => typeof d === "string")
    .map((d) => d.replace(/^\$\{|\}$/g, "").replace(/\[\d+\]$/, ""))
    .filter((d) => /^docker_(container|service)\./.test(d));
}

/** Reads the model from a parsed `cdk.tf.json`. Throws an InputError when a needed variable has no value. */
export function readStack(stack: string, config: unknown, vars: Variables): StackModel {
  const root = isObject(config) ? config : {};
  const resources = (isObject(root.resource) ? root.resource : {}) as unknown as Resources;
  const locals = isObject(root.locals) ? root.locals : {};
  const services: (ServiceModel & { rawDependsOn: string[] })[] = [];
  const oneShots: OneShotModel[] = [];

  for (const [id, body] of Object.entries(resources.docker_container ?? {})) {
    const address = `docker_container.${id}`;
    const name = vars.resolve(str(body.name) ?? id, address);
    if (body.start === false) continue; // a files loader: created, never started
    if (body.must_run === false) {
      oneShots.push({ address, name, ...presence(body, vars) });
      continue;
    }
    const test = healthTest(body.healthcheck);
    const text = configurationText(body, resources, locals);
    services.push({
      kind: "container",
      address,
      name,
      ...presence(body, vars),
      healthcheck: test !== undefined,
      ports: arr(body.ports).flatMap((p) => {
        if (!isObject(p)) return [];
        const internal = num(p.internal);
        if (internal === undefined) return [];
        return [{ protocol: str(p.protocol) ?? "tcp", internal, external: num(p.external), ip: str(p.ip) ?? "0.0.0.0" }];
      }),
      networks: arr(body.networks_advanced).flatMap((n) => {
        if (!isObject(n)) return [];
        const network = networkName(str(n.name), resources, vars);
        return network ? [{ network, aliases: arr(n.aliases).filter((a): a is string => typeof a === "string") }] : [];
      }),
      dependsOn: [],
      rawDependsOn: dependencies(body),
      listenPorts: [...new Set([...(test ? healthCheckPorts(test) : []), ...listenAddressPorts(text)])].sort((a, b) => a - b),
      text,
    });
  }

  for (const [id, body] of Object.entries(resources.docker_service ?? {})) {
    const address = `docker_service.${id}`;
    const name = vars.resolve(str(body.name) ?? id, address);
    const taskSpec = isObject(body.task_spec) ? body.task_spec : {};
    const containerSpec = isObject(taskSpec.container_spec) ? taskSpec.container_spec : {};
    const test = healthTest(containerSpec.healthcheck);
    const mode = isObject(body.mode) ? body.mode : {};
    const replicated = isObject(mode.replicated) ? mode.replicated : undefined;
    const endpoint = isObject(body.endpoint_spec) ? body.endpoint_spec : {};
    const text = configurationText(body, resources, locals);
    services.push({
      kind: "swarm",
      address,
      name,
      ...presence(body, vars),
      healthcheck: test !== undefined,
      replicas: mode.global === true ? undefined : (num(replicated?.replicas) ?? 1),
      ports: arr(endpoint.ports).flatMap((p) => {
        if (!isObject(p)) return [];
        const internal = num(p.target_port);
        if (internal === undefined) return [];
        return [
          {
            protocol: str(p.protocol) ?? "tcp",
            internal,
            external: num(p.published_port),
            ip: "0.0.0.0",
            mode: str(p.publish_mode) === "host" ? ("host" as const) : ("ingress" as const),
          },
        ];
      }),
      networks: arr(taskSpec.networks_advanced).flatMap((n) => {
        if (!isObject(n)) return [];
        const network = networkName(str(n.id) ?? str(n.name), resources, vars);
        return network ? [{ network, aliases: arr(n.aliases).filter((a): a is string => typeof a === "string") }] : [];
      }),
      dependsOn: [],
      rawDependsOn: dependencies(body),
      listenPorts: [...new Set([...(test ? healthCheckPorts(test) : []), ...listenAddressPorts(text)])].sort((a, b) => a - b),
      text,
    });
  }

  const serviceAddresses = new Set(services.map((s) => s.address));
  return {
    stack,
    services: services.map(({ rawDependsOn, ...s }) => ({
      ...s,
      dependsOn: rawDependsOn.filter((d) => serviceAddresses.has(d) && d !== s.address),
    })),
    oneShots,
  };
}
