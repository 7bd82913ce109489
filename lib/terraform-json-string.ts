/**
 * A Terraform value written into a file as a quoted string. Its characters are known only at apply
 * time, so the quoting happens in Terraform: `jsonencode` renders a JSON string literal, quotes
 * included, whose escapes (`\"`, `\\`, `\n`, `\uXXXX`) TOML basic strings and YAML double-quoted
 * scalars read as the same characters. A password holding `"` and a newline stays one value.
 */
import { Fn } from "./cdk";
import { splitOnTokens } from "./file-text";

/**
 * A literal part of a value that also holds Terraform values, as cdktf writes it into a quoted
 * Terraform string (an element of `join("", [...])`): cdktf escapes a newline and `${` there, and
 * leaves `\`, `"` and `%{` to us. Other control characters have no place in a configuration value
 * next to a Terraform value.
 */
function hclQuoted(literal: string): string {
  // eslint-disable-next-line no-control-regex -- the class names the control characters a quoted Terraform string must not hold
  const control = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(literal.replace(/\r/g, ""));
  if (control) {
    throw new Error(
      `a configuration value that mixes text and Terraform values cannot hold the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} in its text: ${JSON.stringify(
        literal,
      )}`,
    );
  }
  return literal.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%\{/g, "%%{").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
}

/**
 * The Terraform expression (a token) that renders `value`, a string holding Terraform values, as a
 * JSON string literal. Go's JSON encoder leaves DEL (U+007F) raw, which TOML forbids in a basic
 * string and YAML in a stream; it is written `\u007f`. (YAML also refuses the C1 controls
 * U+0080–U+009F raw, which Terraform cannot escape one by one: such a value makes the YAML file
 * unreadable, never a different one.)
 */
export function jsonStringExpression(value: string): string {
  const parts = splitOnTokens(value);
  // Text and values as the elements of a join: a value stays a bare expression, never a nested
  // interpolation inside a quoted argument (which cdktf warns about and may write wrongly).
  const whole =
    parts.length === 1
      ? value
      : Fn.join(
          "",
          parts.map((p) => (p.literal ? hclQuoted(p.text) : p.text)),
        );
  // In the Terraform expression: "\u007f" is DEL, "\\u007f" the six characters \u007f.
  return Fn.replace(Fn.jsonencode(whole), "\\u007f", "\\\\u007f");
}
