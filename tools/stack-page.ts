/**
 * A page per stack (`docs/stacks/<stack>.md`): a Mermaid picture and an inventory, rendered from the
 * stack's synthesized Terraform, so they cannot drift from what is deployed. `npm run docs` writes
 * them; a test fails when a page is stale. A stack on the swarm target (it has `docker_service`s or
 * overlay networks) also shows each service's replicas, placement and update order, and the files
 * swarm delivers as secrets and configs. No file content or variable value is ever printed.
 */

type Json = Record<string, any>;

interface Port {
  /** The address a container's port binds; a swarm port binds every interface. */
  readonly ip?: string;
  readonly external: number;
  readonly internal: number;
  readonly protocol: string;
  /** Swarm publish mode: `host` or `ingress`. */
  readonly mode?: string;
}

interface Mount {
  /** Unset: an anonymous volume swarm creates per task (a per-node volume). */
  readonly volume?: string;
  readonly path: string;
  readonly readOnly: boolean;
}

/** A file swarm delivers to a service's tasks: a `docker_secret` or a `docker_config`. */
interface SwarmFile {
  readonly file: string;
  readonly object: string;
  readonly owner: string;
  readonly mode: string;
  /** The Terraform variables its content refers to. */
  readonly variables: string[];
}

interface SwarmSpec {
  readonly replicas: string;
  readonly constraints: string[];
  readonly maxPerNode?: number;
  readonly order: string;
  readonly files: SwarmFile[];
}

/** A `docker_container` or a `docker_service`. */
interface Service {
  readonly address: string;
  readonly name: string;
  readonly oneShot: boolean;
  readonly loaderFor?: string;
  readonly user?: string;
  readonly networks: string[];
  readonly ports: Port[];
  readonly volumes: Mount[];
  readonly uploads: { file: string; content: string }[];
  readonly env: string[];
  /** Set for a `docker_service`. */
  readonly swarm?: SwarmSpec;
}

type Column<T> = readonly [string, (row: T) => string];

const id = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
const label = (labels: Json[] | undefined, key: string) => (labels ?? []).find((l) => l.label === key)?.value as string | undefined;
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const yesNo = (b: boolean) => (b ? "yes" : "no");

/** The Terraform variables a text refers to (`var.name`). */
const variablesIn = (text: string) => [...new Set([...text.matchAll(/var\.([a-z0-9_]+)/g)].map((m) => m[1]))];
/** The address of the `type` resource a reference such as `${docker_network.x.id}` points at. */
const referenced = (text: string, type: string) => new RegExp(`\\$\\{${type}\\.([A-Za-z0-9_-]+)\\.`).exec(text)?.[1];
/** A text with the locals it refers to (`local.name`) appended, so their variables count as its own. */
const withLocals = (json: Json, text: string) => [text, ...[...text.matchAll(/local\.([A-Za-z0-9_]+)/g)].map((m) => String(json.locals?.[m[1]] ?? ""))].join("\n");

const DATA_NODE = /^node\.labels\.(.+)==true$/;

function containers(json: Json): Service[] {
  return Object.entries<Json>(json.resource?.docker_container ?? {}).map(([address, c]) => ({
    address: `docker_container.${address}`,
    name: c.name,
    oneShot: c.must_run === false && c.start !== false,
    loaderFor: label(c.labels, "role") === "files-loader" ? label(c.labels, "service") : undefined,
    user: c.user,
    networks: (c.networks_advanced ?? []).map((n: Json) => n.name),
    ports: (c.ports ?? []).map((p: Json) => ({ ip: p.ip, external: p.external, internal: p.internal, protocol: p.protocol ?? "tcp" })),
    volumes: (c.volumes ?? []).filter((v: Json) => v.volume_name).map((v: Json) => ({ volume: v.volume_name, path: v.container_path, readOnly: v.read_only === true })),
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
      user: spec.user,
      // Swarm services join networks by `id`; `name` is the older spelling.
      networks: (s.task_spec?.networks_advanced ?? []).map((n: Json) => networkName(n.id ?? n.name)),
      ports: (s.endpoint_spec?.ports ?? []).map((p: Json) => ({ external: p.published_port, internal: p.target_port, protocol: p.protocol ?? "tcp", mode: p.publish_mode ?? "ingress" })),
      volumes: (spec.mounts ?? []).filter((m: Json) => m.type === "volume").map((m: Json) => ({ volume: m.source, path: m.target, readOnly: m.read_only === true })),
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

const portText = (p: Port) => (p.mode ? `*:${p.external}/${p.protocol} (${p.mode})` : `${p.ip}:${p.external}/${p.protocol}`);
const portMapping = (p: Port) => (p.mode ? `*:${p.external}->${p.internal}/${p.protocol} (${p.mode})` : `${p.ip}:${p.external}->${p.internal}/${p.protocol}`);
const portId = (p: Port) => id("port", p.mode ? `${p.external}_${p.protocol}_${p.mode}` : `${p.ip}_${p.external}_${p.protocol}`);
const anonymousId = (s: Service, m: Mount) => id("anon", `${s.name}${m.path}`);
const isPinned = (s: Service) => (s.swarm?.constraints ?? []).some((c) => DATA_NODE.test(c));

/** Where a service's tasks run on a swarm stack: a container runs where `docker_host` points, the data node. */
function placementText(s: Service): string {
  if (!s.swarm) return "data node (a container on `docker_host`)";
  const where = s.swarm.constraints.map((c) => (DATA_NODE.test(c) ? `data node (${code(c)})` : code(c))).join(", ") || "anywhere";
  return s.swarm.maxPerNode !== undefined ? `${where}, at most ${s.swarm.maxPerNode} per node` : where;
}

/** The shape of one service in the picture: one-shot, its replicas and where it runs (swarm stacks). */
function serviceNote(s: Service, swarm: boolean): string {
  const notes = [
    ...(s.oneShot ? ["one-shot"] : []),
    ...(s.swarm ? [`${s.swarm.replicas} ${s.swarm.replicas === "1" ? "replica" : "replicas"}`] : []),
    ...(swarm && (!s.swarm || isPinned(s)) ? ["data node"] : []),
  ];
  return notes.length > 0 ? ` (${notes.join(", ")})` : "";
}

function table<T>(out: (s?: string) => void, columns: readonly Column<T>[], rows: readonly T[]): void {
  out(`| ${columns.map(([header]) => header).join(" | ")} |`);
  out(`|${columns.map(() => "---").join("|")}|`);
  for (const row of rows) out(`| ${columns.map(([, render]) => render(row)).join(" | ")} |`);
}

/** The page of one synthesized stack. */
export function renderStackPage(stack: string, json: Json): string {
  const all = [...containers(json), ...swarmServices(json)];
  const services = all.filter((c) => !c.loaderFor).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const loaders = all.filter((c) => c.loaderFor);
  const networks = Object.values<Json>(json.resource?.docker_network ?? {});
  const volumes = Object.entries<Json>(json.resource?.docker_volume ?? {});
  const variables = Object.entries<Json>(json.variable ?? {});
  const sensitive = new Set(variables.filter(([, v]) => v.sensitive).map(([name]) => name));
  const swarm = services.some((s) => s.swarm) || networks.some((n) => n.driver === "overlay");
  const swarmFiles = services.flatMap((s) => (s.swarm?.files ?? []).map((f) => ({ ...f, service: s.name })));
  // Which service reads which secret: the files its loader uploads or swarm delivers that refer to a
  // sensitive variable, and (where an image reads it only so, documented per stack) an environment variable.
  const secretReads = [
    ...loaders.flatMap((l) => l.uploads.flatMap((u) => variablesIn(u.content).filter((v) => sensitive.has(v)).map((secret) => ({ secret, service: l.loaderFor!, file: u.file })))),
    ...swarmFiles.flatMap((f) => f.variables.filter((v) => sensitive.has(v)).map((secret) => ({ secret, service: f.service, file: f.file }))),
    ...services.flatMap((c) => c.env.flatMap((e) => variablesIn(e).filter((v) => sensitive.has(v)).map((secret) => ({ secret, service: c.name, file: `env ${e.slice(0, e.indexOf("="))}` })))),
  ];
  const filesVolumes = new Set(loaders.flatMap((l) => l.volumes.map((v) => v.volume)));
  const dataNodeLabels = [...new Set(services.flatMap((s) => (s.swarm?.constraints ?? []).flatMap((c) => DATA_NODE.exec(c)?.[1] ?? [])))];
  const endpointModes = [...new Set(Object.values<Json>(json.resource?.docker_service ?? {}).map((s) => String(s.endpoint_spec?.mode ?? "vip")))];

  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  out(`# Stack \`${stack}\``);
  out();
  out(`Generated from the synthesized stack by \`npm run docs\`; do not edit. A test fails when this page is stale.`);
  out();
  if (swarm) {
    const modes = endpointModes.map(code).join(", ") || "none";
    const dataNode = dataNodeLabels.length > 0 ? ` (node label ${dataNodeLabels.map((l) => code(`${l}=true`)).join(", ")})` : "";
    out(`Deployment target: **swarm**. Each long-running service is a \`docker_service\` (endpoint mode ${modes}) with its files delivered as swarm secrets and configs; one-shot jobs are containers on the data node${dataNode}, the node \`docker_host\` points at, where Terraform also creates the volumes.`);
  } else {
    out("Deployment target: **containers**. Each service is a `docker_container` on the Docker host `docker_host` points at.");
  }
  out();
  out("```mermaid");
  out("flowchart LR");
  for (const n of networks) {
    const notes = [...(n.internal ? ["internal"] : []), ...(n.options && "encrypted" in n.options ? ["encrypted"] : [])];
    out(`  ${id("net", n.name)}{{"${n.name}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}"}}`);
  }
  for (const s of services) out(`  ${id("svc", s.name)}["${s.name}${serviceNote(s, swarm)}"]`);
  for (const [, v] of volumes) {
    if (filesVolumes.has(v.name)) continue;
    const stateful = label(v.labels, "stateful") === "true";
    const kept = v.lifecycle?.prevent_destroy === true;
    out(`  ${id("vol", v.name)}[("${v.name}${stateful ? " (data" + (kept ? ", prevent_destroy" : "") + ")" : ""}")]`);
  }
  for (const s of services) for (const m of s.volumes) if (!m.volume) out(`  ${anonymousId(s, m)}[("anonymous, per task")]`);
  for (const secret of [...new Set(secretReads.map((r) => r.secret))]) out(`  ${id("sec", secret)}>"secret ${secret}"]`);
  for (const s of services) {
    for (const n of s.networks) out(`  ${id("svc", s.name)} --- ${id("net", n)}`);
    for (const v of s.volumes) {
      if (v.volume && filesVolumes.has(v.volume)) continue;
      out(`  ${id("svc", s.name)} ${v.readOnly ? "-.->" : "-->"}|"${v.readOnly ? "ro" : "rw"} ${v.path}"| ${v.volume ? id("vol", v.volume) : anonymousId(s, v)}`);
    }
    for (const p of s.ports) out(`  ${portId(p)}(["${portText(p)}"]) -->|"${p.internal}"| ${id("svc", s.name)}`);
  }
  for (const r of secretReads) out(`  ${id("sec", r.secret)} -.->|"${r.file}"| ${id("svc", r.service)}`);
  out("```");
  out();

  out("## Services");
  out();
  const serviceColumns: Column<Service>[] = [
    [swarm ? "Service" : "Container", (s) => `${code(s.name)}${s.oneShot ? " (one-shot)" : ""}`],
    ["Address", (s) => code(s.address)],
    ["User", (s) => (s.user ? code(s.user) : "the image's")],
    ...(swarm
      ? ([
          ["Replicas", (s) => (s.swarm ? s.swarm.replicas : s.oneShot ? "1 (runs once)" : "1")],
          ["Placement", placementText],
          ["Update order", (s) => (s.swarm ? s.swarm.order : "–")],
        ] satisfies Column<Service>[])
      : []),
    ["Networks", (s) => s.networks.map(code).join(", ") || "–"],
    ["Published ports", (s) => s.ports.map((p) => code(portMapping(p))).join(", ") || "–"],
    ["Volumes", (s) => s.volumes.map((v) => `${v.volume ? code(v.volume) : "anonymous (per task)"} at ${code(v.path)} (${v.readOnly ? "ro" : "rw"})`).join("; ") || "–"],
  ];
  table(out, serviceColumns, services);
  if (swarm) {
    out();
    out(
      "Update order: `start-first` starts a task's replacement before stopping it; `stop-first` stops it first (a single writer of a volume, or a host-mode port on the data node). " +
        "A swarm port binds every interface: in `host` mode on each node that runs a task, in `ingress` mode on every node of the swarm. A loopback-only port has no swarm equivalent and is not published.",
    );
  }
  out();
  out("## Volumes");
  out();
  const onDataNode = swarm ? ", on the data node" : "";
  const volumeRows: string[][] = [
    ...volumes.map(([address, v]) => {
      const holds = filesVolumes.has(v.name) ? "uploaded files (refilled on replacement)" : label(v.labels, "stateful") === "true" ? "data (`stateful`)" : "not marked stateful";
      return [code(v.name), code(`docker_volume.${address}`), holds + onDataNode, yesNo(v.lifecycle?.prevent_destroy === true)];
    }),
    ...services.flatMap((s) => s.volumes.filter((m) => !m.volume).map((m) => ["anonymous", "–", `${code(m.path)} of each task of ${code(s.name)} (created on the task's node, removed with the task)`, "no"])),
  ];
  table(out, [["Volume", (r) => r[0]], ["Address", (r) => r[1]], ["Holds", (r) => r[2]], ["`prevent_destroy`", (r) => r[3]]], volumeRows);
  out();
  out("## Networks");
  out();
  const networkColumns: Column<Json>[] = [
    ["Network", (n) => code(n.name)],
    ...(swarm
      ? ([
          ["Driver", (n) => n.driver ?? "bridge"],
          ["Internal", (n) => yesNo(n.internal === true)],
          ["Attachable", (n) => yesNo(n.attachable === true)],
          ["Encrypted", (n) => yesNo(n.options !== undefined && "encrypted" in n.options)],
        ] satisfies Column<Json>[])
      : ([["Internal", (n) => yesNo(n.internal === true)]] satisfies Column<Json>[])),
  ];
  table(out, networkColumns, networks);
  out();
  out("## Secrets");
  out();
  if (secretReads.length === 0) out("None.");
  else table(out, [["Variable", (r) => code(r.secret)], ["Read by", (r) => code(r.service)], ["As", (r) => code(r.file)]], secretReads);
  out();
  if (swarm) {
    out("## Swarm files");
    out();
    if (swarmFiles.length === 0) out("None.");
    else {
      table(
        out,
        [
          ["File", (f) => code(f.file)],
          ["Read by", (f) => code(f.service)],
          ["Delivered as", (f) => code(f.object)],
          ["Owner", (f) => code(f.owner)],
          ["Mode", (f) => code(f.mode)],
          ["Carries secrets", (f) => f.variables.filter((v) => sensitive.has(v)).map(code).join(", ") || "–"],
        ],
        swarmFiles,
      );
    }
    out();
  }
  out("## Variables");
  out();
  out("| Variable | Default | Sensitive | Validation |");
  out("|---|---|---|---|");
  for (const [name, v] of variables) {
    const def =
      v.default === undefined
        ? "required"
        : v.default === ""
          ? "empty"
          : v.sensitive
            ? "set (not shown)"
            : Array.isArray(v.default) && v.default.length === 0
              ? "empty list"
              : code(String(v.default));
    const validation = (v.validation ?? []).map((x: Json) => x.error_message).join(" ") || "–";
    out(`| ${code(name)} | ${def} | ${v.sensitive ? "yes" : "no"} | ${cell(validation)} |`);
  }
  out();
  return lines.join("\n");
}
