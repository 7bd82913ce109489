/**
 * The stack pictures (docs/stacks/<stack>.dot, drawn into <stack>.svg by `npm run docs`) checked by
 * Graphviz's dot from Debian 13: dot accepts every committed .dot file, and the committed .svg is what
 * dot draws from it (less the line naming dot's version, see `normalizeSvg`). The .md and .dot files
 * themselves are checked against the stacks by the unit tests (test/docs.test.ts).
 *
 * dot runs as nobody on a read-only view of the root filesystem, the file laid in at /work. The
 * pictures name their font (DejaVu Sans, installed by name in the root filesystem), so the layout does
 * not depend on which fonts a machine happens to have.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import type { DeployedService } from "./programs";
import { expectAccepted, expectRejected, ProgramResult, runProgram } from "./programs";
import { normalizeSvg, renderPictureDot } from "../../tools/stack-dot";
import type { Picture } from "../../tools/stack-picture";

const STACKS = join(__dirname, "..", "..", "docs", "stacks");
const committed = (ext: string) =>
  readdirSync(STACKS)
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length))
    .sort();
const stacks = committed(".md");

/** `dot -Tsvg` on one DOT text, as nobody, in a read-only view of the root filesystem. */
function drawSvg(name: string, graph: string): ProgramResult {
  const file = `/work/${name}.dot`;
  // Not a deployed service: the view of a program that only reads its input file.
  const view: DeployedService = {
    stack: "docs",
    env: "dev",
    id: `dot ${name}`,
    rendering: "container",
    user: "65534:65534",
    command: [],
    readOnlyRoot: true,
    tmpfs: {},
    files: [],
  };
  return runProgram(["dot", "-Tsvg", file], { service: view, files: [{ path: file, content: graph, mode: 0o444, uid: 0, gid: 0 }] });
}

test(`every stack page has its Graphviz picture and SVG (${stacks.length} stacks)`, () => {
  expect(stacks.length).toBe(9);
  expect(committed(".dot")).toEqual(stacks);
  expect(committed(".svg")).toEqual(stacks);
});

describe.each(stacks)("%s", (stack) => {
  test(`dot accepts docs/stacks/${stack}.dot and draws docs/stacks/${stack}.svg from it`, () => {
    const r = drawSvg(stack, readFileSync(join(STACKS, `${stack}.dot`), "utf8"));
    expectAccepted(r);
    // Nothing on stderr (the output is stdout and stderr together): no warning either.
    expect(r.output.startsWith("<?xml")).toBe(true);
    const svg = readFileSync(join(STACKS, `${stack}.svg`), "utf8");
    if (normalizeSvg(r.output) !== svg) {
      throw new Error(
        `docs/stacks/${stack}.svg is not what dot draws from docs/stacks/${stack}.dot: run \`npm run docs\` with Graphviz installed (apt-get install graphviz).`,
      );
    }
  });
});

describe("what the renderer can write, dot reads", () => {
  const picture: Picture = {
    nodes: [
      { kind: "network", id: "net_a", label: "a (internal)", internal: true },
      { kind: "network", id: "net_b", label: "b", internal: false },
      { kind: "service", id: "svc_s", label: 'say "hi" \\ there', oneShot: false },
      { kind: "service", id: "svc_job", label: "job (one-shot)", oneShot: true },
      { kind: "volume", id: "vol_d", label: "d (data, prevent_destroy, backed up)", preventDestroy: true, backedUp: true },
      { kind: "volume", id: "vol_e", label: "e <cache> & more", preventDestroy: false, backedUp: false },
      { kind: "anonymous-volume", id: "anon_s_logs", label: "anonymous, per task" },
      { kind: "secret", id: "sec_p", label: "secret p" },
      { kind: "port", id: "port_1", label: "*:443/tcp (host)" },
    ],
    edges: [
      { kind: "network", from: "svc_s", to: "net_a" },
      { kind: "mount", from: "svc_s", to: "vol_d", label: "rw /data", readOnly: false },
      { kind: "mount", from: "svc_job", to: "vol_d", label: 'ro /backup/"d"', readOnly: true },
      { kind: "mount", from: "svc_s", to: "anon_s_logs", label: "rw /logs", readOnly: false },
      { kind: "port", from: "port_1", to: "svc_s", label: "8443" },
      { kind: "secret", from: "sec_p", to: "svc_s", label: "env P" },
    ],
  };

  test("every kind of node and edge, with quotes, a backslash and markup characters in labels", () => {
    const r = drawSvg("kinds", renderPictureDot("kinds", picture));
    expectAccepted(r);
    expect(r.output).toContain("say &quot;hi&quot; \\ there");
    expect(r.output).toContain("e &lt;cache&gt; &amp; more");
    expect(r.output).toContain("ro /backup/&quot;d&quot;");
  });

  test("a broken file is refused, so the check above would notice one", () => {
    expectRejected(drawSvg("broken", 'digraph "x" { "a" -> "b [label="c"]; }\n'), /syntax error/);
  });
});
