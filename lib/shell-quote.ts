/**
 * One word of a POSIX shell command line or script. A single-quoted string keeps every character
 * literally (no `$`, backquote, `\` or glob is read inside it) but a `'`, which is written as `'\''`:
 * close the string, an escaped quote, open it again. Newlines stay inside the word. A Terraform
 * value (known at apply time only) is refused: there is no shell quoting in Terraform.
 */
import { Token } from "./cdk";

export function shellQuote(value: string): string {
  if (Token.isUnresolved(value))
    throw new Error(
      `shellQuote: ${JSON.stringify(value)} holds a Terraform value, which cannot be quoted for the shell at synth time; pass it in a file or an environment variable`,
    );
  if (value.includes("\u0000"))
    throw new Error(`shellQuote: ${JSON.stringify(value)} holds a NUL character, which no shell word can carry`);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
