/**
 * What a stack holds, for its page: its services (containers and swarm services), volumes, networks,
 * variables and which service reads which secret. Built on the one reader of the synthesized JSON
 * (`tools/model/synthesized-stack.ts`, which `npm run verify` reads through too). The stack page
 * (`tools/stack-page.ts`) and the Graphviz picture (`tools/stack-dot.ts`) render this model; neither
 * reads the JSON itself. Only names are read, never a file's content or a variable's value.
 */
import { readSynthesizedStack, SwarmFileRef, Workload } from "./model/synthesized-stack";

/** A parsed `cdk.tf.json`, or a block of it (the pages read attributes by name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
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

/** The Terraform variables a text refers to (`var.name`). */
export const variablesIn = (text: string) => [...new Set([...text.matchAll(/var\.([a-z0-9_]+)/g)].map((m) => m[1]))];

function service(w: Workload, locals: Json): Service {
  /** A text with the locals it refers to (`local.name`) appended, so their variables count as its own. */
  const withLocals = (text: string) =>
    [text, ...[...text.matchAll(/local\.([A-Za-z0-9_]+)/g)].map((m) => String(locals[m[1]] ?? ""))].join("\n");
  const file = (f: SwarmFileRef): SwarmFile => ({
    file: f.file,
    object: f.object,
    owner: `${f.uid}:${f.gid}`,
    mode: f.mode.toString(8).padStart(4, "0"),
    variables: variablesIn(withLocals(f.data)),
  });
  return {
    address: w.address,
    name: w.name,
    oneShot: !w.mustRun && w.started,
    loaderFor: w.labels.role === "files-loader" ? w.labels.service : undefined,
    // A swarm service carries labels of its own and on its tasks' containers; either marks its role.
    backup: w.labels.role === "backup" || w.taskLabels.role === "backup",
    user: w.user,
    networks: w.networks.map((n) => n.network ?? n.ref),
    ports: w.ports.map((p) =>
      w.swarm
        ? { external: p.external!, internal: p.internal, protocol: p.protocol, mode: p.mode }
        : { ip: p.ip, external: p.external!, internal: p.internal, protocol: p.protocol },
    ),
    volumes: w.mounts.map((m) => ({ volume: m.volume, path: m.path, readOnly: m.readOnly })),
    uploads: w.uploads.map((u) => ({ file: u.file, content: u.text })),
    env: [...w.env],
    swarm: w.swarm && {
      replicas: w.swarm.global ? "global" : String(w.swarm.replicas),
      constraints: [...w.swarm.constraints],
      maxPerNode: w.swarm.maxPerNode,
      order: w.swarm.order,
      files: w.swarm.files.map(file),
    },
  };
}

/** The model of one synthesized stack. */
export function readStack(json: Json): StackModel {
  const stack = readSynthesizedStack(json);
  const all = stack.workloads.map((w) => service(w, stack.locals));
  const services = all.filter((c) => !c.loaderFor).sort(byName);
  const loaders = all.filter((c) => c.loaderFor);
  const networks: Network[] = stack.networks.map((n) => ({
    name: n.name,
    driver: n.driver ?? "bridge",
    internal: n.internal,
    attachable: n.attachable,
    encrypted: n.options !== undefined && "encrypted" in n.options,
  }));
  const filesVolumes = new Set(loaders.flatMap((l) => l.volumes.map((v) => v.volume)));
  const backups = all.filter((s) => s.backup);
  const volumes: Volume[] = stack.volumes.map((v) => ({
    address: v.address,
    name: v.name,
    stateful: v.labels.stateful === "true",
    preventDestroy: v.preventDestroy,
    holdsFiles: filesVolumes.has(v.name),
    backedUpBy: [...new Set(backups.filter((b) => b.volumes.some((m) => m.volume === v.name)).map((b) => b.name))].sort(),
  }));
  const variables: Variable[] = stack.variables.map((v) => ({
    name: v.name,
    default: v.default,
    sensitive: v.sensitive,
    validationMessages: [
      ...v.validations,
      ...stack.preconditions.filter((p) => variablesIn(String(p.condition ?? "")).includes(v.name)),
    ].map((x) => String(x.error_message ?? "")),
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
  const endpointModes = [...new Set(stack.workloads.flatMap((w) => (w.swarm ? [w.swarm.endpointMode] : [])))];
  return { services, loaders, networks, volumes, variables, swarm, swarmFiles, secretReads, dataNodeLabels, endpointModes };
}
