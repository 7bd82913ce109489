/**
 * The packs at plan time: the same rules on a saved plan (`terraform show -json <plan>`), where every
 * variable (`TF_VAR_*`, `-var`) and every `count` is resolved. Each resource instance the plan keeps
 * or creates is a subject whose attributes are its planned values; a value known only after apply, or
 * marked sensitive, is given as the expression the synthesized JSON has for it (never the value), so
 * a rule judges it exactly as at synth.
 */
import { IConstruct } from "../lib/cdk";
import { JsonObject, Subject, TerraformJson, subjectsOfConfig } from "./subject";

/** The parts of `terraform show -json` of a saved plan the packs read. */
export interface PlanJson {
  readonly format_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly configuration?: { readonly root_module?: { readonly variables?: Record<string, JsonObject> } };
}

interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly module_address?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly after_sensitive?: unknown;
  };
}

/** A plan that does not belong to the synthesized configuration it is checked against. */
export class PlanMismatchError extends Error {
  constructor(
    readonly stack: string,
    readonly addresses: readonly string[],
  ) {
    super(
      `the plan does not match stack ${stack}'s synthesized configuration: ${addresses.join(", ")} ${addresses.length === 1 ? "is" : "are"} not in it. ` +
        "Check the plan made from the same commit's synth (cdktf.out/stacks/<stack>).",
    );
    this.name = "PlanMismatchError";
  }
}

const UNKNOWN = "${(known after apply)}";
const SENSITIVE = "${(sensitive value)}";
/** Meta-arguments a plan does not carry in its values; read from the synthesized JSON. */
const META_ARGUMENTS = ["//", "count", "for_each", "depends_on", "lifecycle", "provider"] as const;

/** The synthesized value that corresponds to element `i` of a list (a block may be written as an object). */
function synthElement(synth: unknown, i: number): unknown {
  if (Array.isArray(synth)) return synth[i];
  return i === 0 && synth !== null && typeof synth === "object" ? synth : undefined;
}

/** The synthesized object that corresponds to a planned object (a one-element list counts). */
function synthObject(synth: unknown): JsonObject | undefined {
  if (Array.isArray(synth)) return synth.length === 1 ? (synth[0] as JsonObject) : undefined;
  return synth !== null && typeof synth === "object" ? (synth as JsonObject) : undefined;
}

/**
 * Planned values with every unknown or sensitive value replaced by the synthesized JSON's value at
 * the same place (an expression the rules already know how to judge). An unknown value the
 * configuration does not set is left to the provider: "not set", as at synth (in a list, where
 * elements do not line up with the configuration, a marker). A sensitive value without a
 * configured counterpart becomes a marker, never the value.
 */
function planned(after: unknown, unknown: unknown, sensitive: unknown, synth: unknown, inList: boolean): unknown {
  if (unknown === true) return synth !== undefined ? synth : inList ? UNKNOWN : undefined;
  if (sensitive === true) return synth !== undefined ? synth : SENSITIVE;
  if (Array.isArray(after)) {
    const u = Array.isArray(unknown) ? unknown : [];
    const s = Array.isArray(sensitive) ? sensitive : [];
    // Set elements do not line up with the synthesized list: only blocks (objects) take their counterpart.
    return after.map((v, i) => planned(v, u[i], s[i], v !== null && typeof v === "object" ? synthElement(synth, i) : undefined, true));
  }
  if (after !== null && typeof after === "object") {
    const u = (unknown !== null && typeof unknown === "object" ? unknown : {}) as JsonObject;
    const s = (sensitive !== null && typeof sensitive === "object" ? sensitive : {}) as JsonObject;
    const so = synthObject(synth);
    const out: JsonObject = {};
    for (const key of new Set([...Object.keys(after), ...Object.keys(u)])) {
      const value = planned((after as JsonObject)[key], u[key], s[key], so?.[key], false);
      if (value !== null && value !== undefined) out[key] = value;
    }
    return out;
  }
  return after;
}

/** A resource instance's attributes: planned values (unknown and sensitive ones as expressions) and the meta-arguments. */
function instanceAttributes(change: ResourceChange["change"], synth: JsonObject): JsonObject {
  const after = (change.after ?? {}) as JsonObject;
  const unknown = (change.after_unknown ?? {}) as JsonObject;
  const sensitive = (change.after_sensitive ?? {}) as JsonObject;
  const out: JsonObject = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(unknown)])) {
    const value = planned(after[key], unknown[key], sensitive[key], synth[key], false);
    if (value !== null && value !== undefined) out[key] = value;
  }
  for (const key of META_ARGUMENTS) if (synth[key] !== undefined) out[key] = synth[key];
  return out;
}

/**
 * Every resource instance a plan creates, updates, replaces or keeps (not the ones it only deletes),
 * and every variable of the plan's configuration, as subjects. `config` is the stack's synthesized
 * JSON the plan was made from (construct paths, meta-arguments, locals); `root` the stack.
 */
export function subjectsOfPlan(stack: string, plan: PlanJson, config: TerraformJson, root?: IConstruct): Subject[] {
  const synthesized = new Map(subjectsOfConfig(config, root).map((s) => [s.address, s]));
  const missing: string[] = [];
  const subjects: Subject[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== "managed" || rc.module_address || rc.change.after === null || rc.change.after === undefined) continue;
    const base = synthesized.get(`${rc.type}.${rc.name}`);
    if (!base) {
      missing.push(rc.address);
      continue;
    }
    subjects.push({ ...base, address: rc.address, attrs: instanceAttributes(rc.change, base.attrs), source: "plan" });
  }
  if (missing.length > 0) throw new PlanMismatchError(stack, missing);
  const variables = plan.configuration?.root_module?.variables ?? {};
  const planConfig: TerraformJson = { ...config, variable: variables };
  for (const [name, body] of Object.entries(variables)) {
    const base = synthesized.get(`var.${name}`);
    subjects.push({
      type: "variable",
      address: `var.${name}`,
      path: base?.path ?? `var.${name}`,
      attrs: body,
      construct: base?.construct,
      config: planConfig,
      overrides: [],
      source: "plan",
    });
  }
  return subjects.map((s) => (s.type === "variable" ? s : { ...s, config: planConfig }));
}
