/**
 * One parameter of an nginx directive, as a double-quoted string. nginx's tokenizer reads `\"` and
 * `\\` inside quotes as the characters; everything else up to the closing quote, `;`, `{`, `}`, `#`
 * and spaces included, stays in the parameter. What cannot be written is refused:
 * - `$`: nginx has no escape for it; in a directive that takes variables (`set`, `add_header`,
 *   `proxy_pass`, paths of `ssl_certificate`, …) `$name` would read a variable. A variable the
 *   configuration means is written by the code that builds it, outside this helper.
 * - line breaks and other control characters: nginx would keep them in the value (a header value
 *   with a line break in it splits the header).
 * A Terraform value (known at apply time only) is written by Terraform as a JSON string literal
 * (`jsonencode`), whose `\"` and `\\` nginx reads the same way; nginx keeps JSON's other escapes
 * (`\u003c`) as written, so the variable's own validation decides which characters it may hold.
 */
import { Token } from "./cdk";
import { jsonStringExpression } from "./terraform-json-string";

export function nginxString(value: string): string {
  if (Token.isUnresolved(value)) return jsonStringExpression(value);
  const problems: string[] = [];
  if (value.includes("$")) problems.push('"$" (nginx would read a variable; it has no escape for "$")');
  // eslint-disable-next-line no-control-regex -- the class names the control characters an nginx string must not hold
  const control = /[\u0000-\u001f\u007f]/.exec(value);
  if (control)
    problems.push(
      `the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} (a line break or control character would stay in the value)`,
    );
  if (problems.length > 0)
    throw new Error(`nginxString: ${JSON.stringify(value)} cannot be an nginx parameter: it holds ${problems.join(" and ")}`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
