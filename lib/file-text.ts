/**
 * The text of a file the stacks deploy, as it travels to the Docker host: an upload's `content`, or
 * the local behind a swarm config's or secret's data. Terraform reads every such string as a
 * template, so `${` starts an interpolation and `%{` a directive wherever they come from, a setting
 * included. A `FileText` holds text whose literal parts have both escaped and whose Terraform values
 * (tokens: a sensitive variable, a function of one) stay expressions. A `ConfigFile` takes only a
 * `FileText`: text from a string template reaches a file through `FileText.of`, a serializer
 * (`tomlFile`, `yamlFile`) or not at all.
 */
import { Lazy, Token } from "./cdk";

/** A string token as cdktf writes it into text (`${TfToken[TOKEN.12]}`); list and map tokens never stand in text. */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/**
 * Literal text as a Terraform template that renders it unchanged. `%{` becomes `%%{`, Terraform's
 * escape. `${` becomes `${"$"}{`: the string "$" interpolated, then `{`; a run of `$` before `{` is
 * interpolated whole (`$${` → `${"$$"}{`), since a `$` left before the interpolation would make
 * `$${`, Terraform's escape. Terraform's own escape would do for Terraform, but cdktf reads its `${`
 * as the start of an expression and writes a Terraform value that follows it without its braces.
 */
export function escapeTemplate(literal: string): string {
  return literal.replace(/\$+\{/g, (run) => `\${"${run.slice(0, -1)}"}{`).replace(/%\{/g, "%%{");
}

/** The text split into literal parts and Terraform values (string tokens), in order. */
export function splitOnTokens(text: string): { readonly literal: boolean; readonly text: string }[] {
  const parts: { literal: boolean; text: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(STRING_TOKEN)) {
    if (m.index! > last) parts.push({ literal: true, text: text.slice(last, m.index) });
    parts.push({ literal: false, text: m[0] });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ literal: true, text: text.slice(last) });
  for (const p of parts) {
    if (p.literal && Token.isUnresolved(p.text))
      throw new Error(
        `file text: a list or map token stands in the text ${JSON.stringify(p.text)}; only string values can be written into a file`,
      );
  }
  return parts;
}

export class FileText {
  /**
   * Text whose Terraform values are written as expressions and whose literal parts are escaped:
   * `${TfToken[…]}` tokens stay, `${` and `%{` in the text itself become `${"$"}{` and `%%{`. For a
   * value that must reach the file as a quoted string of its format, write it with the format's
   * serializer or quoting helper first (`tomlFile`, `yamlFile`, `nginxString`, `shellQuote`): this
   * only keeps Terraform from reading the text.
   */
  static of(text: string): FileText {
    return new FileText(
      splitOnTokens(text)
        .map((p) => (p.literal ? escapeTemplate(p.text) : p.text))
        .join(""),
    );
  }

  /** Text produced at synth time (after every construct exists), e.g. from the services a stack ends up with. */
  static lazy(produce: () => FileText): FileText {
    return new FileText(Lazy.stringValue({ produce: () => produce().template }));
  }

  /**
   * Text that is already a Terraform template, made by a serializer in lib/ that escaped it. Nothing
   * outside lib/ calls this: there, text goes through `FileText.of`.
   */
  static fromTemplate(template: string): FileText {
    return new FileText(template);
  }

  private constructor(
    /** The Terraform template whose rendering is the file's text. */
    readonly template: string,
  ) {}
}
