/** JSON value helpers shared by the plan summary and the synth diff. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** One step of an attribute path: an object key or a list index. */
export type PathPart = string | number;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** null, [] and {} all mean "nothing set" for a Terraform attribute. */
export function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (isObject(value) && Object.keys(value).length === 0)
  );
}

/** "", 0, false, null, [] and {}: what an unset optional attribute reads back as. */
export function isZero(value: unknown): boolean {
  return value === "" || value === 0 || value === false || isEmpty(value);
}

/**
 * Drops object members whose value is a zero value (recursively), so `{read_only = false}` and
 * `{read_only = null}` compare equal: an unset optional attribute reads back as its zero value.
 */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!isZero(v)) out[k] = normalize(v);
    return out;
  }
  return value;
}

/** Key-order independent serialization, used to compare and match set elements. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`)
      .join(",")}}`;
  }
  return value === undefined ? "null" : JSON.stringify(value);
}

/** Equality up to key order, where a zero value equals null (unset). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if ((isEmpty(a) && isZero(b)) || (isZero(a) && isEmpty(b))) return true;
  return stableStringify(normalize(a)) === stableStringify(normalize(b));
}

/** Removes cdktf's "//" metadata keys at every level. */
export function stripMetadata(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripMetadata);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (k !== "//") out[k] = stripMetadata(v);
    return out;
  }
  return value;
}

/** `a.b["max-size"][0]`: Terraform-like rendering of an attribute path. */
export function formatPath(path: readonly PathPart[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** True when `prefix` is a prefix of `path`. */
export function pathStartsWith(path: readonly PathPart[], prefix: readonly PathPart[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}
