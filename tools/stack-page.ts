/**
 * A page per stack (`docs/stacks/<stack>.md`): a Mermaid picture and an inventory, rendered from the
 * stack's synthesized Terraform, so they cannot drift from what is deployed. `npm run docs` writes
 * them; a test fails when a page is stale.
 */

type Json = Record<string, any>;

interface Container {
  readonly address: string;
  readonly name: string;
  readonly oneShot: boolean;
  readonly loaderFor?: string;
  readonly user?: string;
  readonly networks: string[];
  readonly ports: { ip: string; external: number; internal: number; protocol: string }[];
  readonly volumes: { volume: string; path: string; readOnly: boolean }[];
  readonly uploads: { file: string; content: string }[];
  readonly image: string;
  readonly env: string[];
}

const id = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
const label = (labels: Json[] | undefined, key: string) => (labels ?? []).find((l) => l.label === key)?.value as string | undefined;
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function containers(json: Json): Container[] {
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
    image: String(c.image),
    env: (c.env ?? []).map(String),
  }));
}

/** The Terraform variables a text refers to (`var.name`). */
const variablesIn = (text: string) => [...new Set([...text.matchAll(/var\.([a-z0-9_]+)/g)].map((m) => m[1]))];

/** The page of one synthesized stack. */
export function renderStackPage(stack: string, json: Json): string {
  const all = containers(json);
  const services = all.filter((c) => !c.loaderFor);
  const loaders = all.filter((c) => c.loaderFor);
  const networks = Object.values<Json>(json.resource?.docker_network ?? {});
  const volumes = Object.entries<Json>(json.resource?.docker_volume ?? {});
  const variables = Object.entries<Json>(json.variable ?? {});
  const sensitive = new Set(variables.filter(([, v]) => v.sensitive).map(([name]) => name));
  // Which service reads which secret: the files its loader uploads that refer to a sensitive variable,
  // and (where an image reads it only so, documented per stack) an environment variable.
  const secretReads = [
    ...loaders.flatMap((l) => l.uploads.flatMap((u) => variablesIn(u.content).filter((v) => sensitive.has(v)).map((secret) => ({ secret, service: l.loaderFor!, file: u.file })))),
    ...services.flatMap((c) => c.env.flatMap((e) => variablesIn(e).filter((v) => sensitive.has(v)).map((secret) => ({ secret, service: c.name, file: `env ${e.slice(0, e.indexOf("="))}` })))),
  ];
  const filesVolumes = new Set(loaders.flatMap((l) => l.volumes.map((v) => v.volume)));

  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  out(`# Stack \`${stack}\``);
  out();
  out(`Generated from the synthesized stack by \`npm run docs\`; do not edit. A test fails when this page is stale.`);
  out();
  out("```mermaid");
  out("flowchart LR");
  for (const n of networks) out(`  ${id("net", n.name)}{{"${n.name}${n.internal ? " (internal)" : ""}"}}`);
  for (const s of services) out(`  ${id("svc", s.name)}["${s.name}${s.oneShot ? " (one-shot)" : ""}"]`);
  for (const [, v] of volumes) {
    if (filesVolumes.has(v.name)) continue;
    const stateful = label(v.labels, "stateful") === "true";
    const kept = v.lifecycle?.prevent_destroy === true;
    out(`  ${id("vol", v.name)}[("${v.name}${stateful ? " (data" + (kept ? ", prevent_destroy" : "") + ")" : ""}")]`);
  }
  for (const secret of [...new Set(secretReads.map((r) => r.secret))]) out(`  ${id("sec", secret)}>"secret ${secret}"]`);
  for (const s of services) {
    for (const n of s.networks) out(`  ${id("svc", s.name)} --- ${id("net", n)}`);
    for (const v of s.volumes) if (!filesVolumes.has(v.volume)) out(`  ${id("svc", s.name)} ${v.readOnly ? "-.->" : "-->"}|"${v.readOnly ? "ro" : "rw"} ${v.path}"| ${id("vol", v.volume)}`);
    for (const p of s.ports) out(`  ${id("port", `${p.ip}_${p.external}_${p.protocol}`)}(["${p.ip}:${p.external}/${p.protocol}"]) -->|"${p.internal}"| ${id("svc", s.name)}`);
  }
  for (const r of secretReads) out(`  ${id("sec", r.secret)} -.->|"${r.file}"| ${id("svc", r.service)}`);
  out("```");
  out();

  out("## Services");
  out();
  out("| Container | Address | User | Networks | Published ports | Volumes |");
  out("|---|---|---|---|---|---|");
  for (const s of services) {
    const ports = s.ports.map((p) => code(`${p.ip}:${p.external}->${p.internal}/${p.protocol}`)).join(", ") || "–";
    const vols = s.volumes.map((v) => `${code(v.volume)} at ${code(v.path)} (${v.readOnly ? "ro" : "rw"})`).join("; ") || "–";
    out(`| ${code(s.name)}${s.oneShot ? " (one-shot)" : ""} | ${code(s.address)} | ${s.user ? code(s.user) : "the image's"} | ${s.networks.map(code).join(", ") || "–"} | ${ports} | ${vols} |`);
  }
  out();
  out("## Volumes");
  out();
  out("| Volume | Address | Holds | `prevent_destroy` |");
  out("|---|---|---|---|");
  for (const [address, v] of volumes) {
    const holds = filesVolumes.has(v.name) ? "uploaded files (refilled on replacement)" : label(v.labels, "stateful") === "true" ? "data (`stateful`)" : "not marked stateful";
    out(`| ${code(v.name)} | ${code(`docker_volume.${address}`)} | ${holds} | ${v.lifecycle?.prevent_destroy === true ? "yes" : "no"} |`);
  }
  out();
  out("## Networks");
  out();
  out("| Network | Internal |");
  out("|---|---|");
  for (const n of networks) out(`| ${code(n.name)} | ${n.internal ? "yes" : "no"} |`);
  out();
  out("## Secrets");
  out();
  if (secretReads.length === 0) out("None.");
  else {
    out("| Variable | Read by | As |");
    out("|---|---|---|");
    for (const r of secretReads) out(`| ${code(r.secret)} | ${code(r.service)} | ${code(r.file)} |`);
  }
  out();
  out("## Variables");
  out();
  out("| Variable | Default | Sensitive | Validation |");
  out("|---|---|---|---|");
  for (const [name, v] of variables) {
    const def = v.default === undefined ? "required" : v.default === "" ? "empty" : code(String(v.default));
    const validation = (v.validation ?? []).map((x: Json) => x.error_message).join(" ") || "–";
    out(`| ${code(name)} | ${def} | ${v.sensitive ? "yes" : "no"} | ${cell(validation)} |`);
  }
  out();
  return lines.join("\n");
}
