/**
 * A configuration document (TOML, YAML) written by its format's library, with the two kinds of
 * string the library cannot write by itself: Terraform values, whose characters are known only at
 * apply time, and (per format) strings the library would write in a form the format's readers refuse.
 * Each is written as a placeholder word, which the library leaves alone, and the placeholder is then
 * replaced by the string's quoted form: a Terraform expression, or text quoted here.
 */
import { Token } from "./cdk";
import { escapeTemplate, FileText } from "./file-text";
import { jsonStringExpression } from "./terraform-json-string";

export interface DocumentFormat {
  /** Name for messages: "TOML", "YAML". */
  readonly name: string;
  /** The library's writer. */
  readonly stringify: (doc: Record<string, unknown>) => string;
  /**
   * A literal string quoted here instead of by the library (a double-quoted string with escapes
   * the library does not write), or undefined to leave it to the library.
   * @default - every literal string is the library's
   */
  readonly quoteLiteral?: (value: string) => string | undefined;
}

/** A configuration document: tables/mappings, arrays, strings, numbers, booleans. */
export type Document = { readonly [key: string]: DocumentValue };
export type DocumentValue = string | number | boolean | readonly DocumentValue[] | Document | undefined;

/** The placeholder word: letters and digits only, so that every library writes it as itself, quoted or not. */
const PLACEHOLDER = "zzfiletextvalue";

/** `# ` comment lines, for a header the format's own comments carry; a line break starts a new `#` line. */
export function commentLines(comment: string): string {
  // Control characters, and the line breaks YAML 1.1 also reads (NEL, U+2028, U+2029), which would end a comment line.
  // eslint-disable-next-line no-control-regex -- the class names the control characters a comment line must not hold
  if (/[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029]/.test(comment))
    throw new Error(`a file comment cannot hold control characters: ${JSON.stringify(comment)}`);
  return comment
    .split("\n")
    .map((line) => (line === "" ? "#" : `# ${line}`))
    .join("\n");
}

/** `doc` as the format's text, with its Terraform values as expressions and its literal text escaped for Terraform. */
export function documentText(format: DocumentFormat, doc: Document, comment?: string): FileText {
  const replacements: { readonly placeholder: string; readonly template: string }[] = [];
  const placeholderFor = (template: string) => {
    const placeholder = `${PLACEHOLDER}${replacements.length}z`;
    replacements.push({ placeholder, template });
    return placeholder;
  };
  const walk = (value: DocumentValue, path: string): unknown => {
    if (typeof value === "string") {
      if (value.includes(PLACEHOLDER)) throw new Error(`${format.name} ${path}: the value may not contain "${PLACEHOLDER}"`);
      if (Token.isUnresolved(value)) return placeholderFor(jsonStringExpression(value));
      const quoted = format.quoteLiteral?.(value);
      return quoted === undefined ? value : placeholderFor(escapeTemplate(quoted));
    }
    if (typeof value === "number") {
      if (Token.isUnresolved(value))
        throw new Error(`${format.name} ${path}: a Terraform number cannot be written into a file; give its string`);
      return value;
    }
    if (typeof value === "boolean" || value === undefined) return value;
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Document)) {
      if (Token.isUnresolved(key) || key.includes(PLACEHOLDER))
        throw new Error(`${format.name} ${path}: the key ${JSON.stringify(key)} must be literal text`);
      if (v !== undefined) out[key] = walk(v, path === "" ? key : `${path}.${key}`);
    }
    return out;
  };
  const literal = format.stringify(walk(doc, "") as Record<string, unknown>);
  const text = (comment === undefined ? "" : commentLines(comment) + "\n") + literal;

  // Every placeholder stands exactly once, quoted or bare; nothing else looks like one.
  let template = escapeTemplate(text);
  for (const { placeholder, template: quoted } of replacements) {
    const forms = [`"${placeholder}"`, `'${placeholder}'`, placeholder];
    const form = forms.find((f) => template.includes(f))!;
    if (template.split(form).length !== 2)
      throw new Error(`${format.name}: the writer did not write the value ${placeholder} exactly once`);
    template = template.replace(form, () => quoted);
  }
  if (template.includes(PLACEHOLDER)) throw new Error(`${format.name}: the writer wrote a placeholder where no value stands`);
  return FileText.fromTemplate(template);
}
