/**
 * TOML files, written by smol-toml (TOML 1.0): keys are quoted when they need it, strings are basic
 * strings with every character TOML forbids raw escaped, so a value can neither end its string nor
 * start a key. Terraform values are written by Terraform as JSON string literals, which TOML basic
 * strings read the same way (`document-text.ts`).
 */
import { stringify } from "smol-toml";
import { Document, documentText } from "./document-text";
import type { FileText } from "./file-text";

const TOML = { name: "TOML", stringify: (doc: Record<string, unknown>) => stringify(doc) };

/**
 * `doc` as a TOML file. Tables are written as `[a.b]` headers, an empty table as its bare header
 * (a program that requires a section gets it); a table that only holds tables is implied by them.
 * `comment` heads the file as `#` lines.
 */
export function tomlFile(doc: Document, comment?: string): FileText {
  return documentText(TOML, doc, comment);
}
