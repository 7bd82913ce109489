/**
 * The one reader of a synthesized stack (`cdk.tf.json`): its containers and swarm services, volumes,
 * networks, variables, locals and the resources they refer to, as typed records. The stack pages
 * (`tools/stack-model.ts`) and `npm run verify` (`tools/verify/expected-stack.ts`) build their views
 * on it; neither walks the JSON itself. Values stay as synthesized: a `${var.x}` reference is kept as
 * text, nothing is resolved, and no secret value is read (there is none in the JSON).
 */
import { isObject, Json, JsonObject } from "../lib/json";

export type WorkloadKind = "container" | "swarm";

export interface WorkloadPort {
  /** @default "tcp" */
  readonly protocol: string;
  /** Port inside the container. */
  readonly internal: number;
  /** Host port; undefined when Docker picks one. */
  readonly external?: number;
  /** A container's: the host address it binds, when set. */
  readonly ip?: string;
  /** A swarm service's publish mode: `host`, or `ingress` (the default). */
  readonly mode?: "host" | "ingress";
}

/** A network a workload joins. */
export interface NetworkJoin {
  /** As synthesized: a network name, or a reference such as `${docker_network.x.id}`. */
  readonly ref: string;
  /** Set when `ref` is a reference: the `docker_network` it points at (`docker_network.x`). */
  readonly resource?: string;
  /** The network's name: the referenced network's `name`, or `ref` itself; undefined when the reference points at nothing. */
  readonly network?: string;
  readonly aliases: readonly string[];
}

export interface VolumeMount {
  /** Unset: an anonymous volume swarm creates per task (a per-node volume). */
  readonly volume?: string;
  readonly path: string;
  readonly readOnly: boolean;
}

/** A file a container's `upload` block writes. */
export interface Upload {
  readonly file: string;
  /** Its `content`, or its literal `content_base64` decoded (a `${…}` expression stays as text). */
  readonly text: string;
}

/** A `docker_secret` or `docker_config` a swarm service's tasks receive as a file. */
export interface SwarmFileRef {
  readonly type: "docker_secret" | "docker_config";
  /** The resource it refers to, `docker_secret.x`; "" when the reference is not one. */
  readonly object: string;
  readonly file: string;
  readonly uid: string;
  readonly gid: string;
  /** @default 0o444 */
  readonly mode: number;
  /** The referenced resource's `data`, as text ("" when there is none). */
  readonly data: string;
}

export interface SwarmSettings {
  readonly global: boolean;
  /** Replicated services: the count, or its expression as text. 1 when unset. */
  readonly replicas: number | string;
  readonly constraints: readonly string[];
  readonly maxPerNode?: number;
  /** @default "stop-first" */
  readonly order: string;
  readonly files: readonly SwarmFileRef[];
  /** @default "vip" */
  readonly endpointMode: string;
}

/** A `docker_container` or a `docker_service`. */
export interface Workload {
  readonly kind: WorkloadKind;
  /** Terraform address, `docker_container.x` or `docker_service.x`. */
  readonly address: string;
  /** Its `name` as synthesized (may hold `${var.x}`); the resource id when it has none. */
  readonly name: string;
  /** Its `count` as synthesized; undefined when it has none. */
  readonly count?: Json;
  /** A container with `start = false` is created and never started (a files loader). Swarm services: true. */
  readonly started: boolean;
  /** A container with `must_run = false` is a one-shot job. Swarm services: true. */
  readonly mustRun: boolean;
  /** The resource's labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** A swarm service's labels on its tasks' containers (`container_spec.labels`); {} for a container. */
  readonly taskLabels: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly networks: readonly NetworkJoin[];
  readonly ports: readonly WorkloadPort[];
  /** Volume mounts only (bind mounts and tmpfs are left out). */
  readonly mounts: readonly VolumeMount[];
  readonly uploads: readonly Upload[];
  /** `NAME=value` entries. */
  readonly env: readonly string[];
  /** The health check's test, undefined when there is none (or it is `NONE`). */
  readonly healthcheck?: readonly string[];
  /** Its `depends_on` entries as addresses (`docker_container.x`; `${…}` and an index removed). */
  readonly dependsOn: readonly string[];
  /** Set for a `docker_service`. */
  readonly swarm?: SwarmSettings;
  /** The resource's block, for a reader that needs the text of its configuration. */
  readonly body: JsonObject;
}

export interface VolumeResource {
  /** `docker_volume.x` */
  readonly address: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly preventDestroy: boolean;
}

export interface NetworkResource {
  /** `docker_network.x` */
  readonly address: string;
  readonly name: string;
  /** As synthesized; undefined means Docker's default (bridge). */
  readonly driver?: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly options?: JsonObject;
}

export interface VariableDeclaration {
  readonly name: string;
  readonly default?: Json;
  readonly sensitive: boolean;
  /** Its `validation` blocks. */
  readonly validations: readonly JsonObject[];
}

export interface SynthesizedStack {
  /** Containers in the order the stack declares them, then swarm services. */
  readonly workloads: readonly Workload[];
  /** In the order the stack declares them. */
  readonly volumes: readonly VolumeResource[];
  /** In the order the stack declares them. */
  readonly networks: readonly NetworkResource[];
  readonly variables: readonly VariableDeclaration[];
  /** The `precondition` blocks of the stack's `terraform_data` resources. */
  readonly preconditions: readonly JsonObject[];
  readonly locals: JsonObject;
  /** A resource's block by type and id, e.g. `("docker_secret", "x")`. */
  resource(type: string, id: string): JsonObject | undefined;
  /** Every resource of a type, in the order the stack declares them. */
  resources(type: string): readonly { readonly address: string; readonly id: string; readonly body: JsonObject }[];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A block the JSON may hold as a list or (a single block) as an object. */
function blocks(v: unknown): JsonObject[] {
  return (Array.isArray(v) ? v : isObject(v) ? [v] : []).filter(isObject);
}

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function obj(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

/** `labels` as a list of `{label, value}` blocks (the provider's schema) or a plain map. */
export function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const l of v) if (isObject(l) && typeof l.label === "string" && typeof l.value === "string") out[l.label] = l.value;
  } else if (isObject(v)) {
    for (const [k, value] of Object.entries(v)) if (typeof value === "string") out[k] = value;
  }
  return out;
}

/** The address of the `type` resource a reference such as `${docker_network.x.id}` points at. */
function referencedId(text: string, type: string): string | undefined {
  return new RegExp(`\\$\\{${type}\\.([A-Za-z0-9_-]+)\\.`).exec(text)?.[1];
}

function uploads(body: JsonObject): Upload[] {
  return blocks(body.upload).flatMap((u) => {
    const file = str(u.file) ?? "";
    const plain = str(u.content);
    const b64 = str(u.content_base64);
    if (plain !== undefined) return [{ file, text: plain }];
    if (b64 !== undefined) return [{ file, text: b64.includes("${") ? b64 : Buffer.from(b64, "base64").toString("utf8") }];
    return [];
  });
}

function healthTest(hc: unknown): string[] | undefined {
  const h = blocks(hc)[0];
  if (!h) return undefined;
  const test = (Array.isArray(h.test) ? h.test : []).filter((x): x is string => typeof x === "string");
  if (test.length === 0 || test[0] === "NONE") return undefined;
  return test;
}

function dependsOn(body: JsonObject): string[] {
  return (Array.isArray(body.depends_on) ? body.depends_on : [])
    .filter((d): d is string => typeof d === "string")
    .map((d) => d.replace(/^\$\{|\}$/g, "").replace(/\[\d+\]$/, ""));
}

/** Reads a parsed `cdk.tf.json`. */
export function readSynthesizedStack(json: unknown): SynthesizedStack {
  const root = obj(json);
  const resources = obj(root.resource);
  const ofType = (type: string): [string, JsonObject][] =>
    Object.entries(obj(resources[type])).filter((e): e is [string, JsonObject] => isObject(e[1]));
  const resource = (type: string, id: string) => {
    const body = obj(resources[type])[id];
    return isObject(body) ? body : undefined;
  };
  const join = (ref: string, aliases: unknown): NetworkJoin => {
    const full = /^\$\{docker_network\.([A-Za-z0-9_-]+)\.(id|name)\}$/.exec(ref);
    const id = full?.[1] ?? referencedId(ref, "docker_network");
    const target = id === undefined ? undefined : resource("docker_network", id);
    return {
      ref,
      resource: id === undefined ? undefined : `docker_network.${id}`,
      network: id === undefined ? ref : (str(target?.name) ?? (full ? undefined : ref)),
      aliases: (Array.isArray(aliases) ? aliases : []).filter((a): a is string => typeof a === "string"),
    };
  };
  const ports = (list: unknown, swarm: boolean): WorkloadPort[] =>
    blocks(list).flatMap((p): WorkloadPort[] => {
      const internal = num(swarm ? p.target_port : p.internal);
      if (internal === undefined) return [];
      const protocol = str(p.protocol) ?? "tcp";
      return swarm
        ? [
            {
              protocol,
              internal,
              external: num(p.published_port),
              mode: str(p.publish_mode) === "host" ? ("host" as const) : ("ingress" as const),
            },
          ]
        : [{ protocol, internal, external: num(p.external), ip: str(p.ip) }];
    });

  const containers = ofType("docker_container").map(([id, c]): Workload => ({
    kind: "container",
    address: `docker_container.${id}`,
    name: str(c.name) ?? id,
    count: c.count,
    started: c.start !== false,
    mustRun: c.must_run !== false,
    labels: labelsOf(c.labels),
    taskLabels: {},
    user: str(c.user),
    networks: blocks(c.networks_advanced).flatMap((n) => (str(n.name) === undefined ? [] : [join(str(n.name)!, n.aliases)])),
    ports: ports(c.ports, false),
    mounts: blocks(c.volumes).flatMap((v) =>
      str(v.volume_name) ? [{ volume: str(v.volume_name), path: str(v.container_path) ?? "", readOnly: v.read_only === true }] : [],
    ),
    uploads: uploads(c),
    env: (Array.isArray(c.env) ? c.env : []).map(String),
    healthcheck: healthTest(c.healthcheck),
    dependsOn: dependsOn(c),
    body: c,
  }));

  const services = ofType("docker_service").map(([id, s]): Workload => {
    const task = obj(s.task_spec);
    const spec = obj(task.container_spec);
    const mode = obj(s.mode);
    const rawReplicas = obj(mode.replicated).replicas;
    const placement = obj(task.placement);
    const file = (type: SwarmFileRef["type"], ref: unknown, f: JsonObject): SwarmFileRef => {
      const target = referencedId(String(ref ?? ""), type) ?? "";
      return {
        type,
        object: `${type}.${target}`,
        file: str(f.file_name) ?? "",
        uid: String(f.file_uid ?? "0"),
        gid: String(f.file_gid ?? "0"),
        mode:
          typeof f.file_mode === "number"
            ? f.file_mode
            : typeof f.file_mode === "string" && /^[0-7]+$/.test(f.file_mode)
              ? parseInt(f.file_mode, 8)
              : 0o444,
        data: String(resource(type, target)?.data ?? ""),
      };
    };
    return {
      kind: "swarm",
      address: `docker_service.${id}`,
      name: str(s.name) ?? id,
      count: s.count,
      started: true,
      mustRun: true,
      labels: labelsOf(s.labels),
      taskLabels: labelsOf(spec.labels),
      user: str(spec.user),
      // Swarm services join networks by `id`; `name` is the older spelling.
      networks: blocks(task.networks_advanced).flatMap((n) => {
        const ref = str(n.id) ?? str(n.name);
        return ref === undefined ? [] : [join(ref, n.aliases)];
      }),
      ports: ports(obj(s.endpoint_spec).ports, true),
      mounts: blocks(spec.mounts)
        .filter((m) => m.type === "volume")
        .map((m) => ({ volume: str(m.source), path: str(m.target) ?? "", readOnly: m.read_only === true })),
      uploads: [],
      env: Object.entries(obj(spec.env)).map(([k, v]) => `${k}=${v}`),
      healthcheck: healthTest(spec.healthcheck),
      dependsOn: dependsOn(s),
      swarm: {
        global: mode.global === true,
        replicas: num(rawReplicas) ?? (typeof rawReplicas === "string" ? rawReplicas : 1),
        constraints: (Array.isArray(placement.constraints) ? placement.constraints : []).map(String),
        maxPerNode: num(placement.max_replicas),
        order: str(obj(s.update_config).order) ?? "stop-first",
        files: [
          ...blocks(spec.secrets).map((f) => file("docker_secret", f.secret_id, f)),
          ...blocks(spec.configs).map((f) => file("docker_config", f.config_id, f)),
        ],
        endpointMode: String(obj(s.endpoint_spec).mode ?? "vip"),
      },
      body: s,
    };
  });

  return {
    workloads: [...containers, ...services],
    volumes: ofType("docker_volume").map(([id, v]) => ({
      address: `docker_volume.${id}`,
      name: str(v.name) ?? id,
      labels: labelsOf(v.labels),
      preventDestroy: obj(v.lifecycle).prevent_destroy === true,
    })),
    networks: ofType("docker_network").map(([id, n]) => ({
      address: `docker_network.${id}`,
      name: str(n.name) ?? id,
      driver: str(n.driver),
      internal: n.internal === true,
      attachable: n.attachable === true,
      options: isObject(n.options) ? n.options : undefined,
    })),
    variables: Object.entries(obj(root.variable)).map(([name, v]) => ({
      name,
      default: obj(v).default,
      sensitive: obj(v).sensitive === true,
      validations: blocks(obj(v).validation),
    })),
    preconditions: ofType("terraform_data").flatMap(([, d]) => blocks(obj(d.lifecycle).precondition)),
    locals: obj(root.locals),
    resource,
    resources: (type) => ofType(type).map(([id, body]) => ({ address: `${type}.${id}`, id, body })),
  };
}
