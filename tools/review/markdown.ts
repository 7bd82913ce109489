/** Renders (masked) values and Markdown fragments. */
import { isObject, isZero, Json, PathPart } from "../lib/json";
import { maskReason, maskString, pairNameIsCredential, SENSITIVE } from "./mask";

export const UNKNOWN = "(known after apply)";
const MAX_VALUE_LENGTH = 160;

/**
 * A sensitivity or unknown-ness marker tree as found in plan JSON (`after_sensitive`,
 * `after_unknown`...): `true` marks the whole value, objects and arrays mark members.
 */
export type Marks = boolean | Marks[] | { [key: string]: Marks } | undefined | null;

export function subMarks(marks: Marks, key: PathPart): Marks {
  if (marks === true) return true;
  if (Array.isArray(marks)) return typeof key === "number" ? marks[key] : undefined;
  if (isObject(marks)) return typeof key === "string" ? (marks as { [key: string]: Marks })[key] : undefined;
  return undefined;
}

/** True when any leaf of `marks` is true (e.g. part of a value is sensitive). */
export function anyMarked(marks: Marks): boolean {
  if (marks === true) return true;
  if (Array.isArray(marks)) return marks.some(anyMarked);
  if (isObject(marks)) return Object.values(marks as { [key: string]: Marks }).some(anyMarked);
  return false;
}

export interface RenderContext {
  readonly resourceType: string;
  readonly sensitive?: Marks;
  readonly unknown?: Marks;
  /** Leave out object members that are unset or zero (for set elements). */
  readonly compact?: boolean;
}

/**
 * HCL-like one-line rendering of `value` at `path`, with sensitive parts, file contents and
 * credentials replaced by placeholders and long strings shortened. Never returns a masked value.
 */
export function renderValue(value: Json | undefined, path: readonly PathPart[], ctx: RenderContext): string {
  return render(value, path, ctx.sensitive, ctx.unknown, ctx.resourceType, ctx.compact ?? false);
}

function render(
  value: Json | undefined,
  path: readonly PathPart[],
  sensitive: Marks,
  unknown: Marks,
  type: string,
  compact: boolean,
): string {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  const reason = maskReason(type, path);
  if (reason !== undefined && value !== null && value !== undefined && value !== "") return reason;
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return shorten(JSON.stringify(maskString(value)));
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    return shorten(
      `[${value.map((v, i) => render(v, [...path, i], subMarks(sensitive, i), subMarks(unknown, i), type, compact)).join(", ")}]`,
    );
  }
  const credentialPair = pairNameIsCredential(value);
  const parts = Object.keys(value)
    .sort()
    .filter((k) => !compact || !isZero(value[k]) || anyMarked(subMarks(unknown, k)))
    .map((k) => {
      const inner =
        credentialPair && k === "value" && value[k] !== "" && !(sensitive && subMarks(sensitive, k))
          ? "(hidden)"
          : render(value[k], [...path, k], subMarks(sensitive, k), subMarks(unknown, k), type, compact);
      return `${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${inner}`;
    });
  return shorten(`{${parts.join(", ")}}`);
}

/** Shortens already-masked text (a cut never reveals more than the uncut text would). */
function shorten(text: string): string {
  if (text.length <= MAX_VALUE_LENGTH) return text;
  return `${text.slice(0, MAX_VALUE_LENGTH - 20)}… (${text.length} chars)`;
}

// ---------------------------------------------------------------- Markdown helpers --

/** Inline code span that survives backticks in the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Fenced block that survives fences in the text. */
export function fenced(lang: string, lines: readonly string[]): string {
  const body = lines.join("\n");
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** Escapes text for a Markdown table cell or list item. */
export function escapeMd(text: string): string {
  return text.replace(/[\\|*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

export function table(header: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(align.map((a) => (a === "r" ? "---:" : "---"))), ...rows.map(line)].join("\n");
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** GitHub's comment limit is 65,536 characters; summaries stay below it with room for a header. */
export const DEFAULT_MAX_LENGTH = 60_000;

/**
 * Renders detailed Markdown, falls back to the compact form when it is too long, and as a last
 * resort cuts at a line boundary with a note, so a comment or job summary never exceeds `maxLength`.
 */
export function fitMarkdown(render: (detailed: boolean) => string, maxLength: number = DEFAULT_MAX_LENGTH): string {
  let markdown = render(true);
  if (markdown.length > maxLength) markdown = render(false);
  if (markdown.length > maxLength) {
    const note = "\n\n_Summary cut to fit; see the job log for the rest._\n";
    markdown = markdown.slice(0, Math.max(0, maxLength - note.length)).replace(/\n[^\n]*$/, "") + note;
  }
  return markdown;
}
