/**
 * Masking rules. Plan JSON (`terraform show -json`) prints sensitive values in plain text, and the
 * docker provider does not mark uploaded file contents sensitive, so every value that reaches
 * Markdown goes through `maskString`/`maskReason` first.
 */
import { PathPart } from "../lib/json";

export const HIDDEN = "(hidden)";
export const SENSITIVE = "(sensitive value)";
export const FILE_CONTENT = "(file content hidden)";

/** Names that look like they hold a credential (env var names, map keys, attribute names). */
const CREDENTIAL_NAME =
  /(pass(word|wd|phrase)?($|[^a-z])|passwd|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|signing[-_]?key|credential|auth($|[^o])|cookie|mnemonic|seed|salt|session|\bpwd\b|_pwd$|^pwd)/i;
/** ...except names that hold a path to the credential, not the credential (`*_FILE`, `*__FILE`). */
const REFERENCE_SUFFIX = /(_|__|-)(file|path|dir|location)$/i;

export function looksLikeCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) && !REFERENCE_SUFFIX.test(name);
}

/** Attributes that hold file or secret payloads, hidden whatever their sensitivity marking says. */
export function maskReason(resourceType: string, path: readonly PathPart[]): string | undefined {
  const keys = path.filter((p): p is string => typeof p === "string");
  const last = keys[keys.length - 1];
  if (last === undefined) return undefined;
  if ((last === "content" || last === "content_base64") && keys.includes("upload")) return FILE_CONTENT;
  if ((resourceType === "docker_secret" || resourceType === "docker_config") && last === "data") return FILE_CONTENT;
  // A map entry or attribute whose own name looks like a credential (e.g. env maps, `password`).
  if (typeof path[path.length - 1] === "string" && looksLikeCredentialName(last)) return HIDDEN;
  return undefined;
}

/** Masks credentials embedded in a string: `NAME=value` entries, `--password=x` flags, URL userinfo. */
export function maskString(text: string): string {
  const assignment = /^([A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]*)$/.exec(text);
  if (assignment && looksLikeCredentialName(assignment[1]) && assignment[2] !== "") return `${assignment[1]}=${HIDDEN}`;
  return text
    .replace(
      /(--?[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[-_]?key|auth)[A-Za-z0-9_.-]*)(=|\s+)(?!-)(\S+)/gi,
      (_m, flag: string, sep: string) => `${flag}${sep}${HIDDEN}`,
    )
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, (_m, prefix: string) => `${prefix}:${HIDDEN}@`)
    .replace(/(authorization:\s*(?:bearer\s+|basic\s+|token\s+)?)[^\s'"]+/gi, (_m, prefix: string) => `${prefix}${HIDDEN}`);
}

/** `{label = "x", value = "y"}` and `{name = "x", value = "y"}` pairs: the value is a credential when the name is. */
export function pairNameIsCredential(element: Record<string, unknown>): boolean {
  const name = element.label ?? element.name ?? element.key;
  return typeof name === "string" && "value" in element && looksLikeCredentialName(name);
}
