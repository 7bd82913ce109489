/**
 * The picture of a stack as nodes and edges, drawn twice from this one list: as a Mermaid flowchart in
 * the stack page (`tools/stack-page.ts`) and as a Graphviz graph (`tools/stack-dot.ts`), so the two
 * pictures always show the same things. Labels hold names only: no file content, no variable value.
 */
import { DATA_NODE, Mount, Port, Service, StackModel } from "./stack-model";

interface NodeBase {
  /** Unique in the picture; letters, digits and `_` only. */
  readonly id: string;
  readonly label: string;
}

export type PictureNode =
  | (NodeBase & { readonly kind: "network"; readonly internal: boolean })
  | (NodeBase & { readonly kind: "service"; readonly oneShot: boolean })
  | (NodeBase & { readonly kind: "volume"; readonly preventDestroy: boolean; readonly backedUp: boolean })
  | (NodeBase & { readonly kind: "anonymous-volume" })
  | (NodeBase & { readonly kind: "secret" })
  | (NodeBase & { readonly kind: "port" });

export type PictureEdge =
  /** A service joins a network (no direction). */
  | { readonly kind: "network"; readonly from: string; readonly to: string }
  /** A service mounts a volume, read-write or read-only; the label is the mode and the path. */
  | { readonly kind: "mount"; readonly from: string; readonly to: string; readonly label: string; readonly readOnly: boolean }
  /** A published port reaches a service; the label is the container port. */
  | { readonly kind: "port"; readonly from: string; readonly to: string; readonly label: string }
  /** A service reads a secret; the label is the file (or `env NAME`) it reads it as. */
  | { readonly kind: "secret"; readonly from: string; readonly to: string; readonly label: string };

export interface Picture {
  /** In the order the stack page has always drawn them: networks, services, volumes, anonymous volumes, secrets, ports. */
  readonly nodes: PictureNode[];
  /** Per service (networks, mounts, ports), then the secrets read. */
  readonly edges: PictureEdge[];
}

export const pictureId = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;

export const portText = (p: Port) => (p.mode ? `*:${p.external}/${p.protocol} (${p.mode})` : `${p.ip}:${p.external}/${p.protocol}`);
const portId = (p: Port) => pictureId("port", p.mode ? `${p.external}_${p.protocol}_${p.mode}` : `${p.ip}_${p.external}_${p.protocol}`);
const anonymousId = (s: Service, m: Mount) => pictureId("anon", `${s.name}${m.path}`);
const isPinned = (s: Service) => (s.swarm?.constraints ?? []).some((c) => DATA_NODE.test(c));
const notes = (list: string[]) => (list.length > 0 ? ` (${list.join(", ")})` : "");

/** The shape of one service in the picture: one-shot, its replicas and where it runs (swarm stacks). */
function serviceNote(s: Service, swarm: boolean, gate: string[]): string {
  return notes([
    ...(s.oneShot ? ["one-shot"] : []),
    ...(s.swarm ? [`${s.swarm.replicas} ${s.swarm.replicas === "1" ? "replica" : "replicas"}`] : []),
    ...(swarm && (!s.swarm || isPinned(s)) ? ["data node"] : []),
    ...gate,
  ]);
}

/**
 * The picture of one stack. Volumes a files loader fills are left out: they hold copies of uploaded
 * files. `gates` names, per service, network or volume name, the condition a count-gated one exists
 * under (`` `backup_repository` is set ``): its node says `only if …`.
 */
export function stackPicture(model: StackModel, gates: ReadonlyMap<string, string> = new Map()): Picture {
  const nodes: PictureNode[] = [];
  const edges: PictureEdge[] = [];
  const gate = (name: string) => (gates.has(name) ? [`only if ${gates.get(name)!.replace(/`/g, "")}`] : []);
  for (const n of model.networks) {
    nodes.push({
      kind: "network",
      id: pictureId("net", n.name),
      label: `${n.name}${notes([...(n.internal ? ["internal"] : []), ...(n.encrypted ? ["encrypted"] : []), ...gate(n.name)])}`,
      internal: n.internal,
    });
  }
  for (const s of model.services)
    nodes.push({
      kind: "service",
      id: pictureId("svc", s.name),
      label: `${s.name}${serviceNote(s, model.swarm, gate(s.name))}`,
      oneShot: s.oneShot,
    });
  for (const v of model.volumes) {
    if (v.holdsFiles) continue;
    const backedUp = v.backedUpBy.length > 0;
    // prevent_destroy is named with the data it protects, as the inventory's `Holds` column does.
    const label = `${v.name}${notes([...(v.stateful ? ["data", ...(v.preventDestroy ? ["prevent_destroy"] : [])] : []), ...(backedUp ? ["backed up"] : []), ...gate(v.name)])}`;
    nodes.push({ kind: "volume", id: pictureId("vol", v.name), label, preventDestroy: v.preventDestroy, backedUp });
  }
  const filesVolumes = new Set(model.volumes.filter((v) => v.holdsFiles).map((v) => v.name));
  for (const s of model.services)
    for (const m of s.volumes) if (!m.volume) nodes.push({ kind: "anonymous-volume", id: anonymousId(s, m), label: "anonymous, per task" });
  for (const secret of [...new Set(model.secretReads.map((r) => r.secret))])
    nodes.push({ kind: "secret", id: pictureId("sec", secret), label: `secret ${secret}` });
  const ports = new Set<string>();
  for (const s of model.services) {
    const service = pictureId("svc", s.name);
    for (const n of s.networks) edges.push({ kind: "network", from: service, to: pictureId("net", n) });
    for (const m of s.volumes) {
      if (m.volume && filesVolumes.has(m.volume)) continue;
      edges.push({
        kind: "mount",
        from: service,
        to: m.volume ? pictureId("vol", m.volume) : anonymousId(s, m),
        label: `${m.readOnly ? "ro" : "rw"} ${m.path}`,
        readOnly: m.readOnly,
      });
    }
    for (const p of s.ports) {
      const id = portId(p);
      if (!ports.has(id)) nodes.push({ kind: "port", id, label: portText(p) });
      ports.add(id);
      edges.push({ kind: "port", from: id, to: service, label: String(p.internal) });
    }
  }
  for (const r of model.secretReads)
    edges.push({ kind: "secret", from: pictureId("sec", r.secret), to: pictureId("svc", r.service), label: r.file });
  return { nodes, edges };
}
