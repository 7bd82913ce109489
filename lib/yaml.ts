/**
 * YAML files, written by the `yaml` library in block style. The library quotes a string whenever a
 * reader would take it for something else (a number, a boolean, a mapping, a comment) and writes
 * YAML 1.1's booleans (`yes`, `on`) quoted too, since Prometheus, Alertmanager and Grafana (Go) and
 * PyYAML read YAML 1.1. Terraform values are written by Terraform as JSON string literals, which
 * YAML reads as double-quoted scalars (`document-text.ts`).
 */
import { stringify } from "yaml";
import { Document, documentText } from "./document-text";
import type { FileText } from "./file-text";

/**
 * Characters the library writes raw where a reader does not read them back: those a YAML stream may
 * not hold raw (outside YAML 1.1's printable set: C0 controls but tab and line breaks, DEL, C1
 * controls, U+FFFE, U+FFFF, lone surrogates), which PyYAML and Go's yaml refuse, and YAML 1.1's line
 * breaks beyond LF and CR (NEL, U+2028, U+2029), which a reader folds into a space. A string holding
 * one is written here instead.
 */
const NON_PRINTABLE = /[^\t\n\r\u0020-\u007e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** A double-quoted YAML scalar: JSON's escapes (YAML reads them all), the characters above as `\uXXXX`. */
function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(new RegExp(NON_PRINTABLE.source, "gu"), (c) =>
    [...c].map((u) => `\\u${u.codePointAt(0)!.toString(16).padStart(4, "0")}`).join(""),
  );
}

const YAML = {
  name: "YAML",
  // lineWidth 0: long strings (PromQL, descriptions) stay on one line instead of being folded.
  stringify: (doc: Record<string, unknown>) => stringify(doc, { version: "1.1", lineWidth: 0 }),
  quoteLiteral: (value: string) => (NON_PRINTABLE.test(value) ? doubleQuoted(value) : undefined),
};

/** `doc` as a YAML file (one document, block style); `comment` heads it as `#` lines. */
export function yamlFile(doc: Document, comment?: string): FileText {
  return documentText(YAML, doc, comment);
}
