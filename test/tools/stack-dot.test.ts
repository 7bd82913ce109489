/**
 * The Graphviz picture of a stack (tools/stack-dot.ts), on a small hand-made synthesized stack: the
 * shape of each kind of node and edge, escaping, the stable order, and that it draws exactly what the
 * Mermaid picture of the stack page draws. `test/programs/graphviz.test.ts` runs the real dot on it.
 */
import { Testing } from "../../lib/cdk";
import { buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { dotString, normalizeSvg, renderPictureDot, renderStackDot } from "../../tools/stack-dot";
import { renderStackPage } from "../../tools/stack-page";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const labels = (l: Record<string, string>) => Object.entries(l).map(([label, value]) => ({ label, value }));

/** A synthesized stack as cdktf writes it, cut down to what the picture reads. */
function fixture(): Json {
  return {
    variable: {
      db_password: { type: "string", sensitive: true, default: "CANARY-PASSWORD-DEFAULT" },
      docker_host: { type: "string", default: "unix:///var/run/docker.sock" },
    },
    resource: {
      docker_network: {
        backend: { name: "demo-backend", internal: true },
        edge: { name: "demo-edge" },
      },
      docker_volume: {
        db_data: { name: "demo-db-data", labels: labels({ stateful: "true" }), lifecycle: { prevent_destroy: true } },
        cache: { name: "demo-cache" },
        media: { name: "demo-media", labels: labels({ stateful: "true" }) },
        web_files: { name: "demo-web-files" },
      },
      docker_container: {
        db: {
          name: "demo-db",
          user: "70:70",
          networks_advanced: [{ name: "demo-backend" }],
          volumes: [{ volume_name: "demo-db-data", container_path: "/var/lib/postgresql/data" }],
          env: ["POSTGRES_PASSWORD=${var.db_password}"],
        },
        web: {
          name: "demo-web",
          networks_advanced: [{ name: "demo-backend" }, { name: "demo-edge" }],
          ports: [{ ip: "127.0.0.1", external: 8080, internal: 80, protocol: "tcp" }],
          volumes: [
            { volume_name: "demo-cache", container_path: "/cache" },
            { volume_name: "demo-media", container_path: '/srv/"media" \\ share', read_only: true },
            { volume_name: "demo-web-files", container_path: "/etc/web", read_only: true },
          ],
        },
        web_files: {
          name: "demo-web-files",
          must_run: false,
          start: false,
          labels: labels({ role: "files-loader", service: "demo-web" }),
          volumes: [{ volume_name: "demo-web-files", container_path: "/etc/web" }],
          upload: [{ file: "/etc/web/db.conf", content: "password = ${var.db_password} CANARY-FILE-CONTENT" }],
        },
        // The backup runner: labelled role=backup, it mounts the volume it backs up read-only and lists
        // it in its sources (uploaded by its files loader).
        backup: {
          name: "demo-backup",
          must_run: false,
          labels: labels({ role: "backup", service: "demo-backup" }),
          volumes: [{ volume_name: "demo-db-data", container_path: "/backup/demo-db-data", read_only: true }],
        },
        backup_files: {
          name: "demo-backup-files",
          must_run: false,
          labels: labels({ role: "files-loader", service: "demo-backup" }),
          upload: [{ file: "/etc/restic/sources.json", content: JSON.stringify({ sources: [{ kind: "files", volume: "demo-db-data" }] }) }],
        },
      },
    },
  };
}

const dotOf = (json: Json = fixture()) => renderStackDot("demo-dev", json);
/** The attribute list of the node with this id, or of the edge between two ids. */
const nodeLine = (dot: string, id: string) => dot.split("\n").find((l) => l.startsWith(`  "${id}" [`));
const edgeLines = (dot: string, from: string, to: string) => dot.split("\n").filter((l) => l.startsWith(`  "${from}" -> "${to}"`));

describe("renderStackDot", () => {
  const dot = dotOf();

  test("is a digraph named after the stack, read left to right, in the font the SVGs are checked with", () => {
    expect(dot).toMatch(/^\/\/ Stack demo-dev: generated from the synthesized stack by `npm run docs`/);
    expect(dot).toContain('digraph "demo-dev" {\n  graph [rankdir="LR", fontname="DejaVu Sans"');
    expect(dot).toContain('  node [fontname="DejaVu Sans", fontsize=10];');
    expect(dot.endsWith("}\n")).toBe(true);
  });

  test("networks are hexagons; an internal one is named so and drawn grey with a double outline", () => {
    expect(nodeLine(dot, "net_demo_backend")).toBe(
      '  "net_demo_backend" [label="demo-backend (internal)", shape="hexagon", style="filled", fillcolor="#e6e6e6", peripheries=2];',
    );
    expect(nodeLine(dot, "net_demo_edge")).toBe('  "net_demo_edge" [label="demo-edge", shape="hexagon"];');
    // A service joins a network: a line without an arrow.
    expect(edgeLines(dot, "svc_demo_web", "net_demo_edge")).toEqual(['  "svc_demo_web" -> "net_demo_edge" [dir="none", color="#777777"];']);
  });

  test("services are boxes; a one-shot job is dashed; files loaders are not drawn", () => {
    expect(nodeLine(dot, "svc_demo_db")).toBe('  "svc_demo_db" [label="demo-db", shape="box", style="filled", fillcolor="#dceaf7"];');
    expect(nodeLine(dot, "svc_demo_backup")).toBe(
      '  "svc_demo_backup" [label="demo-backup (one-shot)", shape="box", style="filled,dashed", fillcolor="#dceaf7"];',
    );
    expect(dot).not.toContain("svc_demo_web_files");
    expect(dot).not.toContain("vol_demo_web_files");
  });

  test("volumes are cylinders: prevent_destroy has a thick outline, a backed-up one is green and says so", () => {
    expect(nodeLine(dot, "vol_demo_db_data")).toBe(
      '  "vol_demo_db_data" [label="demo-db-data (data, prevent_destroy, backed up)", shape="cylinder", style="filled", fillcolor="#d4eed4", penwidth=2.5];',
    );
    expect(nodeLine(dot, "vol_demo_media")).toBe('  "vol_demo_media" [label="demo-media (data)", shape="cylinder"];');
    expect(nodeLine(dot, "vol_demo_cache")).toBe('  "vol_demo_cache" [label="demo-cache", shape="cylinder"];');
  });

  test("a read-write mount is a solid arrow, a read-only one dashed, each labelled with its mode and path", () => {
    expect(edgeLines(dot, "svc_demo_web", "vol_demo_cache")).toEqual(['  "svc_demo_web" -> "vol_demo_cache" [label="rw /cache"];']);
    expect(edgeLines(dot, "svc_demo_backup", "vol_demo_db_data")).toEqual([
      '  "svc_demo_backup" -> "vol_demo_db_data" [label="ro /backup/demo-db-data", style="dashed"];',
    ]);
  });

  test("quotes and backslashes in a label are escaped", () => {
    expect(edgeLines(dot, "svc_demo_web", "vol_demo_media")).toEqual([
      '  "svc_demo_web" -> "vol_demo_media" [label="ro /srv/\\"media\\" \\\\ share", style="dashed"];',
    ]);
    expect(dotString('a "b" \\N')).toBe('"a \\"b\\" \\\\N"');
    expect(dotString("two\nlines")).toBe('"two\\nlines"');
  });

  test("a published port shows its bind address and points at the container port it reaches", () => {
    expect(nodeLine(dot, "port_127_0_0_1_8080_tcp")).toBe('  "port_127_0_0_1_8080_tcp" [label="127.0.0.1:8080/tcp", shape="ellipse"];');
    expect(edgeLines(dot, "port_127_0_0_1_8080_tcp", "svc_demo_web")).toEqual([
      '  "port_127_0_0_1_8080_tcp" -> "svc_demo_web" [label="80"];',
    ]);
  });

  test("which service reads which secret: through an uploaded file or an environment variable", () => {
    expect(nodeLine(dot, "sec_db_password")).toBe(
      '  "sec_db_password" [label="secret db_password", shape="cds", style="filled", fillcolor="#fbe7c6"];',
    );
    expect(edgeLines(dot, "sec_db_password", "svc_demo_web")).toEqual([
      '  "sec_db_password" -> "svc_demo_web" [label="/etc/web/db.conf", style="dashed", color="#b36b00"];',
    ]);
    expect(edgeLines(dot, "sec_db_password", "svc_demo_db")).toEqual([
      '  "sec_db_password" -> "svc_demo_db" [label="env POSTGRES_PASSWORD", style="dashed", color="#b36b00"];',
    ]);
  });

  test("prints no file content and no variable value", () => {
    expect(dot).not.toContain("CANARY");
    expect(dot).not.toContain("unix:///var/run/docker.sock");
  });

  test("nodes, then edges, each sorted: the order of the resources in the JSON does not matter", () => {
    const lines = dot.split("\n");
    const nodes = lines.filter((l) => /^ {2}"[^"]+" \[/.test(l));
    const edges = lines.filter((l) => /^ {2}"[^"]+" -> /.test(l));
    expect(nodes).toEqual([...nodes].sort());
    expect(edges).toEqual([...edges].sort());
    expect(lines.lastIndexOf(nodes[nodes.length - 1])).toBeLessThan(lines.indexOf(edges[0]));
    const reversed = fixture();
    for (const type of Object.keys(reversed.resource))
      reversed.resource[type] = Object.fromEntries(Object.entries(reversed.resource[type]).reverse());
    expect(dotOf(reversed)).toBe(dot);
  });

  test("a volume mounted read-only by a service not labelled role=backup is not backed up", () => {
    const json = fixture();
    json.resource.docker_container.backup.labels = labels({ role: "reporting", service: "demo-backup" });
    expect(nodeLine(dotOf(json), "vol_demo_db_data")).toBe(
      '  "vol_demo_db_data" [label="demo-db-data (data, prevent_destroy)", shape="cylinder", penwidth=2.5];',
    );
  });

  test("a swarm service labelled role=backup (on its tasks' containers) backs up the volumes its sources config lists", () => {
    const json = fixture();
    delete json.resource.docker_container.backup;
    delete json.resource.docker_container.backup_files;
    json.locals = { backup_sources_content: JSON.stringify({ sources: [{ kind: "files", volume: "demo-media" }] }) };
    json.resource.docker_config = {
      backup_sources: { name: "demo-backup-sources", data: "${base64encode(local.backup_sources_content)}" },
    };
    json.resource.docker_service = {
      backup: {
        name: "demo-backup",
        labels: labels({ service: "demo-backup" }),
        task_spec: {
          container_spec: {
            labels: labels({ role: "backup" }),
            mounts: [{ type: "volume", source: "demo-media", target: "/backup/demo-media", read_only: true }],
            configs: [{ config_id: "${docker_config.backup_sources.id}", file_name: "/etc/restic/sources.json" }],
          },
        },
      },
    };
    const swarm = dotOf(json);
    expect(nodeLine(swarm, "vol_demo_media")).toBe(
      '  "vol_demo_media" [label="demo-media (data, backed up)", shape="cylinder", style="filled", fillcolor="#d4eed4"];',
    );
    expect(nodeLine(swarm, "vol_demo_db_data")).not.toContain("backed up");
  });

  test("an anonymous volume of a swarm service is a dashed cylinder", () => {
    const picture = renderPictureDot("x", {
      nodes: [{ kind: "anonymous-volume", id: "anon_x_logs", label: "anonymous, per task" }],
      edges: [],
    });
    expect(nodeLine(picture, "anon_x_logs")).toBe('  "anon_x_logs" [label="anonymous, per task", shape="cylinder", style="dashed"];');
  });

  test("draws the same nodes and edges as the Mermaid picture of the stack page", () => {
    expect(pictureOfDot(dot)).toEqual(pictureOfMermaid(renderStackPage("demo-dev", fixture())));
  });
});

test("on every stack of the app, the Graphviz picture draws the same nodes and edges as the Mermaid one", () => {
  const stacks = buildApp(Testing.app(), ENVIRONMENTS);
  expect(stacks.length).toBe(9);
  for (const stack of stacks) {
    const json = JSON.parse(Testing.synth(stack));
    const mermaid = pictureOfMermaid(renderStackPage(stack.node.id, json));
    expect([stack.node.id, mermaid.nodes.length > 3]).toEqual([stack.node.id, true]);
    expect([stack.node.id, pictureOfDot(renderStackDot(stack.node.id, json))]).toEqual([stack.node.id, mermaid]);
  }
});

describe("normalizeSvg", () => {
  test("drops only the comment naming dot's version", () => {
    const svg = '<?xml version="1.0"?>\n<!-- Generated by graphviz version 2.43.0 (0)\n -->\n<!-- Title: demo Pages: 1 -->\n<svg/>\n';
    expect(normalizeSvg(svg)).toBe('<?xml version="1.0"?>\n<!-- Title: demo Pages: 1 -->\n<svg/>\n');
    expect(normalizeSvg(svg.replace("2.43.0", "2.42.4"))).toBe(normalizeSvg(svg));
  });
});

/** Node ids and `from to` edge pairs of a DOT graph, sorted. */
function pictureOfDot(dot: string): { nodes: string[]; edges: string[] } {
  const lines = dot.split("\n");
  return {
    nodes: lines.flatMap((l) => /^ {2}"([^"]+)" \[/.exec(l)?.[1] ?? []).sort(),
    edges: lines.flatMap((l) => /^ {2}"([^"]+)" -> "([^"]+)"/.exec(l)?.slice(1, 3).join(" ") ?? []).sort(),
  };
}

/** Node ids and `from to` edge pairs of the Mermaid flowchart in a page, sorted (a port node is declared with its edge). */
function pictureOfMermaid(page: string): { nodes: string[]; edges: string[] } {
  const chart = /```mermaid\n([\s\S]*?)```/.exec(page)![1].split("\n").slice(1);
  const edge = /^ {2}([A-Za-z0-9_]+)(\(\[.*\]\))? (?:---|-->|-\.->)(?:\|".*"\|)? ([A-Za-z0-9_]+)$/;
  const nodes = new Set<string>();
  const edges: string[] = [];
  for (const line of chart) {
    const e = edge.exec(line);
    if (e) {
      edges.push(`${e[1]} ${e[3]}`);
      if (e[2]) nodes.add(e[1]);
    } else if (/^ {2}[A-Za-z0-9_]+/.test(line)) nodes.add(/^ {2}([A-Za-z0-9_]+)/.exec(line)![1]);
  }
  return { nodes: [...nodes].sort(), edges: edges.sort() };
}
