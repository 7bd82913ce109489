/**
 * A page per stack (`docs/stacks/<stack>.md`): a Mermaid picture and an inventory, rendered from the
 * stack's synthesized Terraform, so they cannot drift from what is deployed. `npm run docs` writes
 * them; a test fails when a page is stale. A stack on the swarm target (it has `docker_service`s or
 * overlay networks) also shows each service's replicas, placement and update order, and the files
 * swarm delivers as secrets and configs. No file content or variable value is ever printed.
 *
 * Each service's runtime (image, limits, capabilities, health check, update order) has its own
 * table; a resource that exists only under a condition (a count gated on a variable) says so; a
 * volume is backed up only where a backup runner lists it in its sources.
 *
 * The JSON is read by `tools/stack-model.ts` and `tools/stack-runtime.ts`; the picture's nodes and
 * edges come from `tools/stack-picture.ts`, which also feeds the Graphviz rendering (`tools/stack-dot.ts`).
 */
import { DATA_NODE, Json, Port, Service, Variable } from "./stack-model";
import { Picture, PictureEdge, PictureNode, stackPicture } from "./stack-picture";
import { backedUpVolumes, documentedStack, gatesOf, runtimeOf } from "./stack-runtime";

type Column<T> = readonly [string, (row: T) => string];

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const yesNo = (b: boolean) => (b ? "yes" : "no");

const portMapping = (p: Port) =>
  p.mode ? `*:${p.external}->${p.internal}/${p.protocol} (${p.mode})` : `${p.ip}:${p.external}->${p.internal}/${p.protocol}`;

/** Where a service's tasks run on a swarm stack: a container runs where `docker_host` points, the data node. */
function placementText(s: Service): string {
  if (!s.swarm) return "data node (a container on `docker_host`)";
  const where = s.swarm.constraints.map((c) => (DATA_NODE.test(c) ? `data node (${code(c)})` : code(c))).join(", ") || "anywhere";
  return s.swarm.maxPerNode !== undefined ? `${where}, at most ${s.swarm.maxPerNode} per node` : where;
}

function table<T>(out: (s?: string) => void, columns: readonly Column<T>[], rows: readonly T[]): void {
  out(`| ${columns.map(([header]) => header).join(" | ")} |`);
  out(`|${columns.map(() => "---").join("|")}|`);
  for (const row of rows) out(`| ${columns.map(([, render]) => render(row)).join(" | ")} |`);
}

/** A Mermaid label: quoted; a double quote inside is Mermaid's entity `#quot;`. */
const quoted = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;

function mermaidNode(n: PictureNode): string {
  const text = quoted(n.label);
  switch (n.kind) {
    case "network":
      return `${n.id}{{${text}}}`;
    case "service":
      return `${n.id}[${text}]`;
    case "volume":
    case "anonymous-volume":
      return `${n.id}[(${text})]`;
    case "secret":
      return `${n.id}>${text}]`;
    case "port":
      return `${n.id}([${text}])`;
  }
}

function mermaidEdge(e: PictureEdge, node: (id: string) => PictureNode): string {
  switch (e.kind) {
    case "network":
      return `${e.from} --- ${e.to}`;
    case "mount":
      return `${e.from} ${e.readOnly ? "-.->" : "-->"}|${quoted(e.label)}| ${e.to}`;
    case "port":
      // A port is drawn where it is published, so its node is declared with its edge.
      return `${mermaidNode(node(e.from))} -->|${quoted(e.label)}| ${e.to}`;
    case "secret":
      return `${e.from} -.->|${quoted(e.label)}| ${e.to}`;
  }
}

/** The picture as a Mermaid flowchart (the lines between the fences). */
export function mermaidFlowchart(picture: Picture): string[] {
  const byId = new Map(picture.nodes.map((n) => [n.id, n]));
  return [
    "flowchart LR",
    ...picture.nodes.filter((n) => n.kind !== "port").map((n) => `  ${mermaidNode(n)}`),
    ...picture.edges.map((e) => `  ${mermaidEdge(e, (id) => byId.get(id)!)}`),
  ];
}

function variableDefault(v: Variable): string {
  if (v.default === undefined) return "required";
  if (v.default === "") return "empty";
  if (v.sensitive) return "set (not shown)";
  if (Array.isArray(v.default) && v.default.length === 0) return "empty list";
  return code(String(v.default));
}

/** The page of one synthesized stack. */
export function renderStackPage(stack: string, json: Json): string {
  const model = documentedStack(json);
  const { services, networks, volumes, variables, swarm, swarmFiles, secretReads } = model;
  const sensitive = new Set(variables.filter((v) => v.sensitive).map((v) => v.name));
  const gates = gatesOf(json);
  const backups = backedUpVolumes(json, model);
  /** ` (only while `x` is set)` for a count-gated resource. */
  const gated = (name: string) => (gates.has(name) ? ` (only while ${gates.get(name)})` : "");

  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  out(`# Stack \`${stack}\``);
  out();
  out(`Generated from the synthesized stack by \`npm run docs\`; do not edit. A test fails when this page is stale.`);
  out();
  if (swarm) {
    const modes = model.endpointModes.map(code).join(", ") || "none";
    const dataNode =
      model.dataNodeLabels.length > 0 ? ` (node label ${model.dataNodeLabels.map((l) => code(`${l}=true`)).join(", ")})` : "";
    out(
      `Deployment target: **swarm**. Each long-running service is a \`docker_service\` (endpoint mode ${modes}) with its files delivered as swarm secrets and configs; one-shot jobs are containers on the data node${dataNode}, the node \`docker_host\` points at, where Terraform also creates the volumes.`,
    );
  } else {
    out("Deployment target: **containers**. Each service is a `docker_container` on the Docker host `docker_host` points at.");
  }
  out();
  out("```mermaid");
  for (const line of mermaidFlowchart(stackPicture(model, gates))) out(line);
  out("```");
  out();
  out(
    `The same picture drawn by Graphviz, for readers without Mermaid: [\`${stack}.svg\`](${stack}.svg) (from [\`${stack}.dot\`](${stack}.dot)).`,
  );
  out();

  out("## Services");
  out();
  const serviceColumns: Column<Service>[] = [
    [swarm ? "Service" : "Container", (s) => `${code(s.name)}${s.oneShot ? " (one-shot)" : ""}${gated(s.name)}`],
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
    [
      "Volumes",
      (s) =>
        s.volumes
          .map((v) => `${v.volume ? code(v.volume) : "anonymous (per task)"} at ${code(v.path)} (${v.readOnly ? "ro" : "rw"})`)
          .join("; ") || "–",
    ],
  ];
  table(out, serviceColumns, services);
  if (swarm) {
    out();
    out(
      "Update order: `start-first` starts a task's replacement before stopping it; `stop-first` stops it first (a single writer of a volume, or a host-mode port on the data node). " +
        "A swarm port binds every interface: in `host` mode on each node that runs a task, in `ingress` mode on every node of the swarm. A loopback-only port has no swarm equivalent and is not published.",
    );
  }
  if ([...gates.keys()].some((name) => services.some((s) => s.name === name))) {
    out();
    out(
      "Only while …: the resource has a `count` of 1 when the condition holds and 0 otherwise; with the condition false, Terraform creates nothing for it (and destroys what it created).",
    );
  }
  out();
  out("## Runtime");
  out();
  const runtimes = new Map(services.map((s) => [s.name, runtimeOf(json, s)]));
  table(
    out,
    [
      [swarm ? "Service" : "Container", (s) => code(s.name)],
      ["Image", (s) => runtimes.get(s.name)!.image],
      ["Limits", (s) => runtimes.get(s.name)!.limits],
      ["Capabilities", (s) => runtimes.get(s.name)!.capabilities],
      ["Health check", (s) => cell(runtimes.get(s.name)!.healthCheck)],
      ["Update order", (s) => runtimes.get(s.name)!.updateOrder],
    ],
    services,
  );
  out();
  out(
    "Image: the Terraform variable that sets it (its default) or the reference itself. Limits: memory (no swap: `memory_swap` equals `memory`), CPUs (`cpu_quota`/`cpu_period`, `nano_cpus`), CPU weight (`cpu_shares`, the share under contention); none: the host's. " +
      "Capabilities: dropped, then added back (Linux capability names without `CAP_`). Update order: how a change reaches a running service: a container is replaced, a swarm service is updated task by task.",
  );
  out();
  out("## Volumes");
  out();
  const onDataNode = swarm ? ", on the data node" : "";
  const volumeRows: string[][] = [
    ...volumes.map((v) => {
      const holds = v.holdsFiles ? "uploaded files (refilled on replacement)" : v.stateful ? "data (`stateful`)" : "not marked stateful";
      const by = backups.get(v.name) ?? [];
      const backedUp =
        by.length > 0
          ? by
              .map(
                (b) =>
                  `yes, by ${code(b.runner)} (${b.kind === "postgres" ? `\`pg_dump\` of database ${code(b.database ?? "")}` : "restic snapshot of its read-only mount"})${gates.has(b.runner) ? `, only while ${gates.get(b.runner)}` : ""}`,
              )
              .join("; ")
          : "no";
      return [code(v.name) + gated(v.name), code(v.address), holds + onDataNode, yesNo(v.preventDestroy), backedUp];
    }),
    ...services.flatMap((s) =>
      s.volumes
        .filter((m) => !m.volume)
        .map((m) => [
          "anonymous",
          "–",
          `${code(m.path)} of each task of ${code(s.name)} (created on the task's node, removed with the task)`,
          "no",
          "no",
        ]),
    ),
  ];
  table(
    out,
    [
      ["Volume", (r) => r[0]],
      ["Address", (r) => r[1]],
      ["Holds", (r) => r[2]],
      ["`prevent_destroy`", (r) => r[3]],
      ["Backed up", (r) => r[4]],
    ],
    volumeRows,
  );
  out();
  out(
    "Backed up: the stack's backup runner (the service labelled `role=backup`) lists the volume in its sources (`/etc/restic/sources.json`) and copies it with restic, from a read-only mount or, for a database, with `pg_dump` over the network. The runner's own files volumes are mounted, not backed up.",
  );
  out();
  out("## Networks");
  out();
  const networkColumns: Column<(typeof networks)[number]>[] = [
    ["Network", (n) => code(n.name) + gated(n.name)],
    ...(swarm
      ? ([
          ["Driver", (n) => n.driver],
          ["Internal", (n) => yesNo(n.internal)],
          ["Attachable", (n) => yesNo(n.attachable)],
          ["Encrypted", (n) => yesNo(n.encrypted)],
        ] satisfies Column<(typeof networks)[number]>[])
      : ([["Internal", (n) => yesNo(n.internal)]] satisfies Column<(typeof networks)[number]>[])),
  ];
  table(out, networkColumns, networks);
  out();
  out("## Secrets");
  out();
  if (secretReads.length === 0) out("None.");
  else
    table(
      out,
      [
        ["Variable", (r) => code(r.secret)],
        ["Read by", (r) => code(r.service)],
        ["As", (r) => code(r.file)],
      ],
      secretReads,
    );
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
          [
            "Carries secrets",
            (f) =>
              f.variables
                .filter((v) => sensitive.has(v))
                .map(code)
                .join(", ") || "–",
          ],
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
  for (const v of variables) {
    const validation = v.validationMessages.join(" ") || "–";
    out(`| ${code(v.name)} | ${variableDefault(v)} | ${v.sensitive ? "yes" : "no"} | ${cell(validation)} |`);
  }
  out();
  return lines.join("\n");
}
