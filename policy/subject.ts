/**
 * What the rules judge: the Terraform that ships. A `Subject` is one resource or variable of a stack's
 * synthesized Terraform JSON (`cdk.tf.json`, overrides and escape hatches included), or one resource
 * instance of a saved plan (`terraform show -json`, every variable and count resolved). Its
 * attributes are the JSON, never what a construct was given; the construct the JSON names in its
 * `//` metadata (when there is one) only adds what the JSON cannot carry: the L2 declarations (a
 * port's kind, a one-shot service, a stateful volume) and the suppressions.
 */
import { IConstruct, TerraformResource, TerraformVariable } from "../lib/cdk";

/** A JSON object (a resource body, a block). */
export type JsonObject = Record<string, unknown>;

/** The parts of a Terraform JSON configuration the rules read. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, JsonObject>>;
  readonly variable?: Record<string, JsonObject>;
  readonly locals?: Record<string, unknown>;
}

/** One resource (or resource instance) or variable, as Terraform will see it. */
export interface Subject {
  /** Terraform resource type (`docker_container`, …), or `variable`. */
  readonly type: string;
  /** Terraform address: `docker_container.z3_zebra`, `docker_container.z3_zallet[0]`, `var.backup_password`. */
  readonly address: string;
  /** Construct path from the JSON's `//` metadata; the address for JSON no construct wrote. */
  readonly path: string;
  /** The attributes: the JSON body (synth), or the planned values with unknown and sensitive values as expressions. */
  readonly attrs: JsonObject;
  /** The construct the JSON names, when the construct tree is at hand and has it. */
  readonly construct?: IConstruct;
  /** The configuration it belongs to: variables (with defaults) and locals that expressions read. */
  readonly config: TerraformJson;
  /** Attributes set on the construct through an escape hatch (`addOverride`), dotted. */
  readonly overrides: readonly string[];
  /** `synth` (values may be `${…}` expressions) or `plan` (every known value resolved). */
  readonly source: "synth" | "plan";
}

/** A string Terraform evaluates: it contains an interpolation (`${`) or a directive (`%{`) not escaped. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && /(^|[^$])\$\{|(^|[^%])%\{/.test(value);
}

/** A readable error for a value only Terraform knows (the pack reports it as "could not be checked"). */
export function notCheckable(what: string, source: Subject["source"] = "synth"): Error {
  return new Error(
    source === "plan"
      ? `${what} is not known until apply, so it cannot be checked`
      : `${what} is a Terraform expression, which cannot be checked at synth time`,
  );
}

/** A block Terraform JSON may write as an object or as a one-element list (plans always use lists). */
export function block(value: unknown, what: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return (value[0] ?? undefined) as JsonObject | undefined;
  if (typeof value === "object") return value as JsonObject;
  throw notCheckable(what);
}

/** A list (of blocks or values); a single object counts as a one-element list. */
export function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === "object") return [value];
  throw notCheckable(what);
}

/** A string attribute; undefined when not set, a readable error for an expression. */
export function text(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isExpression(value)) throw notCheckable(what);
  return String(value);
}

/** A number attribute (Terraform JSON may write numbers as strings); undefined when not set. */
export function num(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (isExpression(value)) throw notCheckable(what);
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${what} is ${JSON.stringify(value)}, not a number`);
  return n;
}

/** A boolean attribute; undefined when not set. */
export function flag(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw notCheckable(what);
}

/** The construct whose path the JSON's `//` metadata names, found from the root of its tree. */
function constructAt(root: IConstruct | undefined, path: string | undefined): IConstruct | undefined {
  if (!root || !path) return undefined;
  const parts = path.split("/");
  let node: IConstruct | undefined = root;
  // Paths start with the stack's id.
  if (parts[0] !== root.node.id) return undefined;
  parts.shift();
  for (const part of parts) {
    node = node.node.tryFindChild(part) as IConstruct | undefined;
    if (!node) return undefined;
  }
  return node;
}

/** Keys an escape hatch set on a construct (`addOverride("a.b", …)` gives `a.b`). */
function overridesOf(construct: IConstruct | undefined): string[] {
  if (!(construct instanceof TerraformResource)) return [];
  const raw = (construct as unknown as { rawOverrides?: JsonObject }).rawOverrides ?? {};
  const keys: string[] = [];
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value as JsonObject)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else keys.push(prefix);
  };
  walk(raw, "");
  return keys.filter((k) => k !== "");
}

/** The construct path in a resource body's `//` metadata. */
function metadataPath(body: JsonObject): string | undefined {
  const meta = (body["//"] as { metadata?: { path?: unknown } } | undefined)?.metadata;
  return typeof meta?.path === "string" ? meta.path : undefined;
}

/**
 * Every resource and variable of a synthesized stack, as subjects. `root` is the stack the JSON was
 * synthesized from, for L2 facts and suppressions.
 */
export function subjectsOfConfig(config: TerraformJson, root?: IConstruct): Subject[] {
  const out: Subject[] = [];
  for (const [type, resources] of Object.entries(config.resource ?? {})) {
    for (const [name, body] of Object.entries(resources ?? {})) {
      const address = `${type}.${name}`;
      const path = metadataPath(body);
      const construct = constructAt(root, path);
      out.push({
        type,
        address,
        path: path ?? address,
        attrs: body,
        construct,
        config,
        overrides: overridesOf(construct),
        source: "synth",
      });
    }
  }
  // Variables carry no `//` metadata: their construct is found by logical name.
  const variables = new Map(
    (root?.node.findAll() ?? []).flatMap((n) => (n instanceof TerraformVariable ? [[n.friendlyUniqueId, n] as const] : [])),
  );
  for (const [name, body] of Object.entries(config.variable ?? {})) {
    const construct = variables.get(name);
    out.push({
      type: "variable",
      address: `var.${name}`,
      path: construct?.node.path ?? `var.${name}`,
      attrs: body,
      construct,
      config,
      overrides: [],
      source: "synth",
    });
  }
  return out;
}
