/**
 * The stack's picture as a Graphviz graph (`docs/stacks/<stack>.dot`, drawn into `<stack>.svg` by
 * `dot -Tsvg`), for readers whose viewer does not draw the Mermaid picture of the stack page. It draws
 * the same nodes and edges (`tools/stack-picture.ts`), in a stable order (sorted by id), so that the
 * file, and the SVG dot makes of it, change only when the stack does. Names only: no file content,
 * no variable value.
 */
import { Json } from "./stack-model";
import { documentedStack, gatesOf } from "./stack-runtime";
import { Picture, PictureEdge, PictureNode, stackPicture } from "./stack-picture";

/**
 * The font every label names. Its widths shape the layout, so a font that is not installed (dot then
 * takes another) changes the SVG: `fonts-dejavu-core` is on every Debian system with fontconfig, and the
 * root filesystem of the program checks installs it by name.
 */
export const DOT_FONT = "DejaVu Sans";

const escape = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
/** A DOT string: quoted, with `"` and `\` escaped (a backslash would start one of dot's label escapes); a line break is `\n`. */
export const dotString = (text: string) => `"${text.split(/\r?\n/).map(escape).join("\\n")}"`;
/** A label of left-justified lines (dot's `\l` ends each). */
const leftJustified = (lines: string[]): Raw => ({ raw: `"${lines.map((l) => `${escape(l)}\\l`).join("")}"` });

/** A value already in DOT's syntax. */
interface Raw {
  readonly raw: string;
}
type Attribute = [string, string | number | Raw];
const attributes = (list: Attribute[]) =>
  `[${list.map(([k, v]) => `${k}=${typeof v === "number" ? v : typeof v === "string" ? dotString(v) : v.raw}`).join(", ")}]`;

function nodeAttributes(n: PictureNode): Attribute[] {
  const base: Attribute[] = [["label", n.label]];
  switch (n.kind) {
    case "network":
      // An internal network has no route out: drawn grey and walled (double outline).
      return [
        ...base,
        ["shape", "hexagon"],
        ...(n.internal
          ? ([
              ["style", "filled"],
              ["fillcolor", "#e6e6e6"],
              ["peripheries", 2],
            ] as Attribute[])
          : []),
      ];
    case "service":
      return [...base, ["shape", "box"], ["style", n.oneShot ? "filled,dashed" : "filled"], ["fillcolor", "#dceaf7"]];
    case "volume":
      return [
        ...base,
        ["shape", "cylinder"],
        ...(n.backedUp
          ? ([
              ["style", "filled"],
              ["fillcolor", "#d4eed4"],
            ] as Attribute[])
          : []),
        ...(n.preventDestroy ? ([["penwidth", 2.5]] as Attribute[]) : []),
      ];
    case "anonymous-volume":
      return [...base, ["shape", "cylinder"], ["style", "dashed"]];
    case "secret":
      return [...base, ["shape", "cds"], ["style", "filled"], ["fillcolor", "#fbe7c6"]];
    case "port":
      return [...base, ["shape", "ellipse"]];
  }
}

function edgeAttributes(e: PictureEdge): Attribute[] {
  switch (e.kind) {
    case "network":
      return [
        ["dir", "none"],
        ["color", "#777777"],
      ];
    case "mount":
      return [["label", e.label], ...(e.readOnly ? ([["style", "dashed"]] as Attribute[]) : [])];
    case "port":
      return [["label", e.label]];
    case "secret":
      return [
        ["label", e.label],
        ["style", "dashed"],
        ["color", "#b36b00"],
      ];
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const edgeKey = (e: PictureEdge) => [e.from, e.to, e.kind, "label" in e ? e.label : ""].join("\u0000");

const LEGEND = [
  "solid arrow: read-write mount; dashed arrow: read-only mount; orange dashed arrow: a secret read (as a file or an environment variable)",
  "thick outline: prevent_destroy; green: backed up; grey double hexagon: internal network; dashed box: one-shot job",
];

/** The picture as a DOT graph. */
export function renderPictureDot(stack: string, picture: Picture): string {
  const nodes = [...new Map(picture.nodes.map((n) => [n.id, n])).values()].sort((a, b) => compare(a.id, b.id));
  const edges = [...picture.edges].sort((a, b) => compare(edgeKey(a), edgeKey(b)));
  const lines = [
    `// Stack ${stack}: generated from the synthesized stack by \`npm run docs\`; do not edit. A test fails when this file is stale.`,
    `// The picture of docs/stacks/${stack}.md; \`dot -Tsvg\` draws it into ${stack}.svg.`,
    `digraph ${dotString(stack)} {`,
    `  graph ${attributes([
      ["rankdir", "LR"],
      ["fontname", DOT_FONT],
      ["fontsize", 11],
      ["labelloc", "t"],
      ["labeljust", "l"],
      ["label", leftJustified([`Stack ${stack}`, ...LEGEND])],
    ])};`,
    `  node ${attributes([
      ["fontname", DOT_FONT],
      ["fontsize", 10],
    ])};`,
    `  edge ${attributes([
      ["fontname", DOT_FONT],
      ["fontsize", 9],
    ])};`,
    ...nodes.map((n) => `  ${dotString(n.id)} ${attributes(nodeAttributes(n))};`),
    ...edges.map(
      (e) => `  ${dotString(e.from)} -> ${dotString(e.to)}${edgeAttributes(e).length > 0 ? ` ${attributes(edgeAttributes(e))}` : ""};`,
    ),
    "}",
    "",
  ];
  return lines.join("\n");
}

/** The DOT graph of one synthesized stack. */
export function renderStackDot(stack: string, json: Json): string {
  return renderPictureDot(stack, stackPicture(documentedStack(json), gatesOf(json)));
}

/**
 * dot's SVG without the line naming dot's version (`<!-- Generated by graphviz version … -->`): the
 * layout is what is committed and checked, and Debian 12 and 13 draw it alike but name themselves apart.
 */
export const normalizeSvg = (svg: string) => svg.replace(/<!-- Generated by graphviz version [^\n]*\n -->\n/, "");
