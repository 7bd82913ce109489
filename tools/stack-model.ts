/**
 * What a stack holds, read once from its synthesized Terraform JSON (`cdk.tf.json`): its services
 * (containers and swarm services), volumes, networks, variables and which service reads which secret.
 * The stack page (`tools/stack-page.ts`) and the Graphviz picture (`tools/stack-dot.ts`) render this
 * model; neither reads the JSON itself. Only names are read, never a file's content or a variable's value.
 */

export type Json = Record<string, any>;

export interface Port {
  /** The address a container's port binds; a swarm port binds every interface. */
  readonly ip?: string;
  readonly external: number;
  readonly internal: number;
  readonly protocol: string;
  /** Swarm publish mode: `host` or `ingress`. */
  readonly mode?: string;
}

export interface Mount {
  /** Unset: an anonymous volume swarm creates per task (a per-node volume). */
  readonly volume?: string;
  readonly path: string;
  readonly readOnly: boolean;
}

/** A file swarm delivers to a service's tasks: a `docker_secret` or a `docker_config`. */
export interface SwarmFile {
  readonly file: string;
  readonly object: string;
  readonly owner: string;
  readonly mode: string;
  /** The Terraform variables its content refers to. */
  readonly variables: string[];
}

export interface SwarmSpec {
  readonly replicas: string;
  readonly constraints: string[];
  readonly maxPerNode?: number;
  readonly order: string;
  readonly files: SwarmFile[];
}

/** A `docker_container` or a `docker_service`. */
export interface Service {
  readonly address: string;
  readonly name: string;
  readonly oneShot: boolean;
  /** Set for a files loader (label `role` = `files-loader`): the service whose files it uploads. */
  readonly loaderFor?: string;
  /** Set when it carries the label `role` = `backup`: the volumes it mounts are backed up. */
  readonly backup: boolean;
  readonly user?: string;
  readonly networks: string[];
  readonly ports: Port[];
  readonly volumes: Mount[];
  readonly uploads: { file: string; content: string }[];
  readonly env: string[];
  /** Set for a `docker_service`. */
  readonly swarm?: SwarmSpec;
}

export interface Volume {
  /** Terraform address, e.g. `docker_volume.zebra_data`. */
  readonly address: string;
  readonly name: string;
  /** Labelled `stateful=true`: data that cannot be recreated. */
  readonly stateful: boolean;
  readonly preventDestroy: boolean;
  /** A files loader fills it (uploaded files, refilled on replacement); not drawn in the picture. */
  readonly holdsFiles: boolean;
  /** The services labelled `role` = `backup` that mount it, sorted; empty when nothing backs it up. */
  readonly backedUpBy: string[];
}

export interface Network {
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly encrypted: boolean;
}

export interface Variable {
  readonly name: string;
  readonly default?: unknown;
  readonly sensitive: boolean;
  /**
   * The messages of its validations, then of the `terraform_data` preconditions that read it (a
   * secret's length check: Terraform would print the value of a sensitive variable whose own
   * validation fails).
   */
  readonly validationMessages: string[];
}

/** A service reads a sensitive variable: through a file (uploaded or a swarm file) or an environment variable. */
export interface SecretRead {
  readonly secret: string;
  readonly service: string;
  /** The file's path, or `env NAME`. */
  readonly file: string;
}

export interface StackModel {
  /** The services drawn and listed, sorted by name: everything but the files loaders. */
  readonly services: Service[];
  readonly loaders: Service[];
  /** In the order the stack declares them. */
  readonly networks: Network[];
  /** In the order the stack declares them. */
  readonly volumes: Volume[];
  readonly variables: Variable[];
  /** On the swarm target: it has `docker_service`s or overlay networks. */
  readonly swarm: boolean;
  readonly swarmFiles: (SwarmFile & { service: string })[];
  readonly secretReads: SecretRead[];
  /** The swarm node labels that pin a service to the data node (`node.labels.<label>==true`). */
  readonly dataNodeLabels: string[];
  readonly endpointModes: string[];
}

export const DATA_NODE = /^node\.labels\.(.+)==true$/;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const label = (labels: Json[] | undefined, key: string) =>
  (Array.isArray(labels) ? labels : []).find((l) => l.label === key)?.value as string | undefined;

/** The Terraform variables a text refers to (`var.name`). */
export const variablesIn = (text: string) => [...new Set([...text.matchAll(/var\.([a-z0-9_]+)/g)].map((m) => m[1]))];
/** The address of the `type` resource a reference such as `${docker_network.x.id}` points at. */
const referenced = (text: string, type: string) => new RegExp(`\\$\\{${type}\\.([A-Za-z0-9_-]+)\\.`).exec(text)?.[1];
/** A text with the locals it refers to (`local.name`) appended, so their variables count as its own. */
const withLocals = (json: Json, text: string) =>
  [text, ...[...text.matchAll(/local\.([A-Za-z0-9_]+)/g)].map((m) => String(json.locals?.[m[1]] ?? ""))].join("\n");

function containers(json: Json): Service[] {
  return Object.entries<Json>(json.resource?.docker_container ?? {}).map(([address, c]) => ({
    address: `docker_container.${address}`,
    name: c.name,
    oneShot: c.must_run === false && c.start !== false,
    loaderFor: label(c.labels, "role") === "files-loader" ? label(c.labels, "service") : undefined,
    backup: label(c.labels, "role") === "backup",
    user: c.user,
    networks: (c.networks_advanced ?? []).map((n: Json) => n.name),
    ports: (c.ports ?? []).map((p: Json) => ({ ip: p.ip, external: p.external, internal: p.internal, protocol: p.protocol ?? "tcp" })),
    volumes: (c.volumes ?? [])
      .filter((v: Json) => v.volume_name)
      .map((v: Json) => ({ volume: v.volume_name, path: v.container_path, readOnly: v.read_only === true })),
    uploads: (c.upload ?? []).map((u: Json) => ({ file: u.file, content: String(u.content) })),
    env: (c.env ?? []).map(String),
  }));
}

function swarmServices(json: Json): Service[] {
  const resources = json.resource ?? {};
  const networkName = (ref: string) => resources.docker_network?.[referenced(ref, "docker_network") ?? ""]?.name ?? ref;
  const file = (type: "docker_secret" | "docker_config", ref: string, f: Json): SwarmFile => {
    const address = referenced(ref, type) ?? "";
    return {
      file: f.file_name,
      object: `${type}.${address}`,
      owner: `${f.file_uid ?? "0"}:${f.file_gid ?? "0"}`,
      mode: (f.file_mode ?? 0o444).toString(8).padStart(4, "0"),
      variables: variablesIn(withLocals(json, String(resources[type]?.[address]?.data ?? ""))),
    };
  };
  return Object.entries<Json>(resources.docker_service ?? {}).map(([address, s]) => {
    const spec = s.task_spec?.container_spec ?? {};
    return {
      address: `docker_service.${address}`,
      name: s.name,
      oneShot: false,
      // A swarm service carries labels of its own and on its tasks' containers; either marks its role.
      backup: label(s.labels, "role") === "backup" || label(spec.labels, "role") === "backup",
      user: spec.user,
      // Swarm services join networks by `id`; `name` is the older spelling.
      networks: (s.task_spec?.networks_advanced ?? []).map((n: Json) => networkName(n.id ?? n.name)),
      ports: (s.endpoint_spec?.ports ?? []).map((p: Json) => ({
        external: p.published_port,
        internal: p.target_port,
        protocol: p.protocol ?? "tcp",
        mode: p.publish_mode ?? "ingress",
      })),
      volumes: (spec.mounts ?? [])
        .filter((m: Json) => m.type === "volume")
        .map((m: Json) => ({ volume: m.source, path: m.target, readOnly: m.read_only === true })),
      uploads: [],
      env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      swarm: {
        replicas: s.mode?.global ? "global" : String(s.mode?.replicated?.replicas ?? 1),
        constraints: s.task_spec?.placement?.constraints ?? [],
        maxPerNode: s.task_spec?.placement?.max_replicas,
        order: s.update_config?.order ?? "stop-first",
        files: [
          ...(spec.secrets ?? []).map((f: Json) => file("docker_secret", f.secret_id, f)),
          ...(spec.configs ?? []).map((f: Json) => file("docker_config", f.config_id, f)),
        ],
      },
    };
  });
}

/** The model of one synthesized stack. */
export function readStack(json: Json): StackModel {
  const all = [...containers(json), ...swarmServices(json)];
  const services = all.filter((c) => !c.loaderFor).sort(byName);
  const loaders = all.filter((c) => c.loaderFor);
  const networks: Network[] = Object.values<Json>(json.resource?.docker_network ?? {}).map((n) => ({
    name: n.name,
    driver: n.driver ?? "bridge",
    internal: n.internal === true,
    attachable: n.attachable === true,
    encrypted: n.options !== undefined && n.options !== null && "encrypted" in n.options,
  }));
  const filesVolumes = new Set(loaders.flatMap((l) => l.volumes.map((v) => v.volume)));
  const backups = all.filter((s) => s.backup);
  const volumes: Volume[] = Object.entries<Json>(json.resource?.docker_volume ?? {}).map(([address, v]) => ({
    address: `docker_volume.${address}`,
    name: v.name,
    stateful: label(v.labels, "stateful") === "true",
    preventDestroy: v.lifecycle?.prevent_destroy === true,
    holdsFiles: filesVolumes.has(v.name),
    backedUpBy: [...new Set(backups.filter((b) => b.volumes.some((m) => m.volume === v.name)).map((b) => b.name))].sort(),
  }));
  const preconditions: Json[] = Object.values<Json>(json.resource?.terraform_data ?? {}).flatMap((d) => d.lifecycle?.precondition ?? []);
  const variables: Variable[] = Object.entries<Json>(json.variable ?? {}).map(([name, v]) => ({
    name,
    default: v.default,
    sensitive: v.sensitive === true,
    validationMessages: [
      ...(v.validation ?? []),
      ...preconditions.filter((p) => variablesIn(String(p.condition ?? "")).includes(name)),
    ].map((x: Json) => String(x.error_message ?? "")),
  }));
  const sensitive = new Set(variables.filter((v) => v.sensitive).map((v) => v.name));
  const swarm = services.some((s) => s.swarm) || networks.some((n) => n.driver === "overlay");
  const swarmFiles = services.flatMap((s) => (s.swarm?.files ?? []).map((f) => ({ ...f, service: s.name })));
  // Which service reads which secret: the files its loader uploads or swarm delivers that refer to a
  // sensitive variable, and (where an image reads it only so, documented per stack) an environment variable.
  const secretReads: SecretRead[] = [
    ...loaders.flatMap((l) =>
      l.uploads.flatMap((u) =>
        variablesIn(u.content)
          .filter((v) => sensitive.has(v))
          .map((secret) => ({ secret, service: l.loaderFor!, file: u.file })),
      ),
    ),
    ...swarmFiles.flatMap((f) =>
      f.variables.filter((v) => sensitive.has(v)).map((secret) => ({ secret, service: f.service, file: f.file })),
    ),
    ...services.flatMap((c) =>
      c.env.flatMap((e) =>
        variablesIn(e)
          .filter((v) => sensitive.has(v))
          .map((secret) => ({ secret, service: c.name, file: `env ${e.slice(0, e.indexOf("="))}` })),
      ),
    ),
  ];
  const dataNodeLabels = [...new Set(services.flatMap((s) => (s.swarm?.constraints ?? []).flatMap((c) => DATA_NODE.exec(c)?.[1] ?? [])))];
  const endpointModes = [
    ...new Set(Object.values<Json>(json.resource?.docker_service ?? {}).map((s) => String(s.endpoint_spec?.mode ?? "vip"))),
  ];
  return { services, loaders, networks, volumes, variables, swarm, swarmFiles, secretReads, dataNodeLabels, endpointModes };
}
