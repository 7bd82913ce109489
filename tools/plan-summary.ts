/**
 * Plan summary: reads `terraform show -json` output of one or more stack plans and writes Markdown
 * for a PR comment or job summary, with an exit code for gating. See docs/review.md.
 *
 *   npm run plan:summary -- [options] <plan.json>... | --stack <name>=<plan.json>...
 *
 * Exit codes: 0 summary written; 2 a gated (production) stack would destroy or replace a volume and
 * --allow-data-loss was not given; 1 bad input or usage.
 */
import { AttributeChange, diffAttributes } from "./review/attribute-diff";
import { formatPath, isObject, Json, pathStartsWith, PathPart } from "./lib/json";
import { parseArgs, InputError, readJsonFile, runCli } from "./lib/cli";
import { CALLOUT_TYPES, CONTAINER_NOT_APPLIED, isLongRunningContainer, isStatefulVolume, VOLUME } from "./review/provider-behaviour";
import { code, DEFAULT_MAX_LENGTH, escapeMd, fenced, fitMarkdown, Marks, plural, renderValue, subMarks, table } from "./review/markdown";
import { stackNameFromFile } from "./lib/stack-name";
import {
  attentionSection,
  Callout,
  countByKind,
  findingsVerdict,
  gate,
  gateMessages,
  GateOptions,
  gateOptionsOf,
  maxLengthOf,
  stackGate,
} from "./review/gating";

export const PLAN_SUMMARY_MARKER = "<!-- plan-summary -->";

export interface PlanInput {
  /** Stack name, `<system>-<environment>`; the environment decides gating. */
  readonly stack: string;
  /** Parsed `terraform show -json <planfile>` output. */
  readonly plan: unknown;
  /** Overrides the environment read from the stack name. */
  readonly environment?: string;
  /** Set by a caller that could not read the plan: reported as bad input (exit 1). */
  readonly readError?: string;
}

export interface SummaryOptions extends GateOptions {
  /** Markdown longer than this drops attribute details (GitHub comments hold 65,536 characters). @default 60000 */
  readonly maxLength?: number;
  /** @default "Terraform plan summary" plus the stack names */
  readonly title?: string;
}

export type Action = "create" | "update" | "replace" | "delete" | "forget";

export interface ResourceSummary {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Docker object name (`name` attribute) when known and not sensitive. */
  readonly name?: string;
  readonly actionReason?: string;
  readonly previousAddress?: string;
  /** Attribute paths that force the replacement (from the plan's replace_paths). */
  readonly replaceBecause: string[];
  readonly changes: AttributeChange[];
  /** Lines of the attribute diff, already masked. */
  readonly diffLines: string[];
  readonly unknownCount: number;
}

export type { Callout, CalloutKind } from "./review/gating";

export interface StackSummary {
  readonly stack: string;
  readonly environment: string;
  readonly gated: boolean;
  readonly counts: { add: number; change: number; replace: number; destroy: number };
  readonly resources: ResourceSummary[];
  readonly outputs: { name: string; action: string }[];
  readonly callouts: Callout[];
  readonly warnings: string[];
  readonly notes: string[];
  /** Set when the plan could not be read; nothing else is filled in then. */
  readonly error?: string;
}

export interface SummaryResult {
  readonly markdown: string;
  /** 0 ok, 1 bad input, 2 gated data loss without allowDataLoss. */
  readonly exitCode: 0 | 1 | 2;
  readonly verdict: string;
  readonly stacks: StackSummary[];
  /** Findings that caused (or, with allowDataLoss, would have caused) exit code 2. */
  readonly blocking: Callout[];
  readonly errors: string[];
}

interface RawChange {
  actions: string[];
  before?: Json;
  after?: Json;
  after_unknown?: Marks;
  before_sensitive?: Marks;
  after_sensitive?: Marks;
  replace_paths?: PathPart[][];
  importing?: unknown;
}

interface RawResourceChange {
  address: string;
  previous_address?: string;
  mode?: string;
  type: string;
  name?: string;
  action_reason?: string;
  change: RawChange;
}

/** Validates the shape of `terraform show -json` plan output; throws InputError with the reason. */
export function validatePlan(plan: unknown): {
  resourceChanges: RawResourceChange[];
  outputChanges: Record<string, RawChange>;
  complete: boolean;
} {
  if (!isObject(plan)) throw new InputError("not a JSON object");
  const version = plan.format_version;
  if (typeof version !== "string") {
    throw new InputError("no format_version: not `terraform show -json <planfile>` output");
  }
  if (!/^1\./.test(version)) throw new InputError(`unsupported format_version ${JSON.stringify(version)} (this tool reads 1.x)`);
  if (!("resource_changes" in plan) && !("planned_values" in plan) && !("output_changes" in plan) && "values" in plan) {
    throw new InputError("this is state JSON (`terraform show -json` without a plan file), not a plan");
  }
  if (plan.errored === true) throw new InputError("the plan errored and is incomplete; fix the plan errors first");
  const raw = plan.resource_changes ?? [];
  if (!Array.isArray(raw)) throw new InputError("resource_changes is not a list");
  const resourceChanges = raw.map((rc, i) => {
    const where = `resource_changes[${i}]`;
    if (!isObject(rc) || typeof rc.address !== "string" || typeof rc.type !== "string")
      throw new InputError(`${where}: needs string address and type`);
    const change = rc.change;
    if (!isObject(change) || !Array.isArray(change.actions) || !change.actions.every((a) => typeof a === "string")) {
      throw new InputError(`${where} (${rc.address}): change.actions must be a list of strings`);
    }
    return rc as unknown as RawResourceChange;
  });
  const outputs = plan.output_changes ?? {};
  if (!isObject(outputs)) throw new InputError("output_changes is not an object");
  return { resourceChanges, outputChanges: outputs as unknown as Record<string, RawChange>, complete: plan.complete !== false };
}

export function classifyActions(actions: readonly string[]): Action | "no-op" | "read" | undefined {
  const key = actions.join(",");
  switch (key) {
    case "no-op":
      return "no-op";
    case "read":
      return "read";
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "delete,create":
    case "create,delete":
      return "replace";
    case "forget":
      return "forget";
    default:
      return undefined;
  }
}

function valueAt(value: Json | undefined, path: readonly PathPart[]): Json | undefined {
  let v: Json | undefined = value;
  for (const p of path) v = Array.isArray(v) && typeof p === "number" ? v[p] : isObject(v) && typeof p === "string" ? v[p] : undefined;
  return v;
}

function marksAt(marks: Marks, path: readonly PathPart[]): Marks {
  return path.reduce<Marks>((m, p) => subMarks(m, p), marks);
}

function stringAttr(body: Json | undefined, sensitive: Marks, key: string): string | undefined {
  if (!isObject(body)) return undefined;
  const value = body[key];
  if (typeof value !== "string" || value === "") return undefined;
  if (sensitive === true || (isObject(sensitive) && (sensitive as Record<string, Marks>)[key] === true)) return undefined;
  return value;
}

function summarizeResource(rc: RawResourceChange, action: Action): ResourceSummary {
  const c = rc.change;
  const replacePaths = action === "replace" ? (Array.isArray(c.replace_paths) ? c.replace_paths : []) : [];
  const replaceBecause = replacePaths.map((p) => formatPath(p));
  const name = stringAttr(c.after, c.after_sensitive, "name") ?? stringAttr(c.before, c.before_sensitive, "name");
  const diffLines: string[] = [];
  let changes: AttributeChange[] = [];
  let unknownCount = 0;
  if (action === "update" || action === "replace") {
    const diff = diffAttributes({
      resourceType: rc.type,
      before: c.before,
      after: c.after,
      beforeSensitive: c.before_sensitive,
      afterSensitive: c.after_sensitive,
      afterUnknown: c.after_unknown,
    });
    changes = diff.changes;
    const forced = (path: readonly PathPart[]) => replacePaths.some((p) => pathStartsWith(path, p) || pathStartsWith(p, path));
    const note = (ch: AttributeChange) => {
      const notes: string[] = [];
      if (action === "replace" && forced(ch.path)) notes.push("forces replacement");
      if (action === "update" && rc.type === "docker_container" && CONTAINER_NOT_APPLIED.has(String(ch.path[0])))
        notes.push("not applied by the provider");
      if (ch.hiddenChange) notes.push("hidden value changed");
      return notes.length > 0 ? `  # ${notes.join("; ")}` : "";
    };
    for (const ch of changes) {
      const p = formatPath(ch.path);
      const n = note(ch);
      if (ch.op !== "add") diffLines.push(`- ${p} = ${ch.before}${n}`);
      if (ch.op !== "remove") diffLines.push(`+ ${p} = ${ch.after}${n}`);
    }
    for (const path of diff.becameUnknown) {
      if (action === "replace" && forced(path)) {
        const old = renderValue(valueAt(c.before, path), path, { resourceType: rc.type, sensitive: marksAt(c.before_sensitive, path) });
        diffLines.push(
          `- ${formatPath(path)} = ${old}  # forces replacement`,
          `+ ${formatPath(path)} = (known after apply)  # forces replacement`,
        );
      } else unknownCount++;
    }
  }
  return {
    address: rc.address,
    type: rc.type,
    action,
    name,
    actionReason: rc.action_reason,
    previousAddress: rc.previous_address && rc.previous_address !== rc.address ? rc.previous_address : undefined,
    replaceBecause,
    changes,
    diffLines,
    unknownCount,
  };
}

/** Summarizes one stack's plan; throws InputError on bad input. */
/**
 * Names the trigger of a `replace_triggered_by` replacement when it is the service's files loader
 * (`<address>_files`, how `Service` delivers files and secrets): the plan JSON does not say which
 * trigger fired, and "a file or secret changed" is what a reviewer needs to know.
 */
function triggerNote(address: string, replaced: ReadonlySet<string>): string {
  const loader = address.replace(/^([^[]+)(\[[^\]]+\])?$/, (_, base: string, index?: string) => `${base}_files${index ?? ""}`);
  return replaced.has(loader) ? `: its files loader ${code(loader)} is replaced, so an uploaded file or secret changed` : "";
}

export function summarizeStack(input: PlanInput, options: SummaryOptions = {}): StackSummary {
  const { environment, gated, callout } = stackGate(input.stack, options, input.environment);
  const { resourceChanges, outputChanges, complete } = validatePlan(input.plan);
  const counts = { add: 0, change: 0, replace: 0, destroy: 0 };
  const resources: ResourceSummary[] = [];
  const callouts: Callout[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const stack = input.stack;
  const replacedAddresses = new Set(
    resourceChanges.filter((rc) => classifyActions(rc.change.actions) === "replace").map((rc) => rc.address),
  );

  for (const rc of resourceChanges) {
    if (rc.mode === "data") continue;
    const action = classifyActions(rc.change.actions);
    if (action === undefined) {
      warnings.push(
        `${code(rc.address)}: unrecognized actions ${code(JSON.stringify(rc.change.actions))}; read the raw plan for this resource.`,
      );
      continue;
    }
    if (action === "read") continue;
    if (action === "no-op") {
      if (rc.previous_address && rc.previous_address !== rc.address)
        notes.push(`${code(rc.previous_address)} moves to ${code(rc.address)} (no change).`);
      if (rc.change.importing) notes.push(`${code(rc.address)} is imported (no change).`);
      continue;
    }
    const summary = summarizeResource(rc, action);
    resources.push(summary);
    if (action === "create") counts.add++;
    else if (action === "update") counts.change++;
    else if (action === "replace") counts.replace++;
    else if (action === "delete") counts.destroy++;
    else notes.push(`${code(rc.address)} is removed from the state but not destroyed (\`removed\` block).`);

    const verb = action === "replace" ? "replaced" : "destroyed";
    const because =
      summary.replaceBecause.length > 0
        ? ` (forced by ${summary.replaceBecause.map(code).join(", ")})`
        : rc.action_reason === "replace_by_triggers"
          ? ` (\`replace_triggered_by\`${triggerNote(rc.address, replacedAddresses)})`
          : rc.action_reason === "replace_because_tainted"
            ? " (tainted)"
            : "";
    const why =
      action === "delete" && rc.action_reason === "delete_because_no_resource_config" ? " (removed from the configuration)" : because;
    // The Docker object that goes away is the one named in the prior state.
    const goneName = stringAttr(rc.change.before, rc.change.before_sensitive, "name") ?? summary.name;
    const named = goneName ? ` (${code(goneName)})` : "";
    const before = rc.change.before;
    if (action === "replace" || action === "delete") {
      const kind = CALLOUT_TYPES[rc.type];
      if (rc.type === VOLUME) {
        const stateful = isStatefulVolume(before);
        callouts.push(
          callout(
            "data-loss",
            rc.address,
            `**data loss**: ${stateful ? "stateful " : ""}volume ${code(rc.address)}${named} is ${verb}${why}` +
              (action === "replace" ? "; the new volume starts empty." : "; its data is deleted."),
          ),
        );
      } else if (kind !== undefined) {
        callouts.push(
          callout(
            "disruption",
            rc.address,
            `${kind} ${code(rc.address)}${named} is ${verb}${why}` +
              (kind === "network"
                ? "; attached containers lose this network until they are recreated."
                : "; containers using it must be recreated."),
          ),
        );
      } else if (rc.type === "docker_container" && isLongRunningContainer(before)) {
        callouts.push(
          callout(
            "downtime",
            rc.address,
            action === "replace"
              ? `**downtime**: long-running container ${code(rc.address)}${named} is stopped, removed and recreated${why}.`
              : `**service removed**: long-running container ${code(rc.address)}${named} is destroyed${why}.`,
          ),
        );
      }
    }
    if (action === "update" && rc.type === "docker_container") {
      const ignored = [...new Set(summary.changes.map((ch) => String(ch.path[0])).filter((k) => CONTAINER_NOT_APPLIED.has(k)))];
      if (ignored.length > 0) {
        warnings.push(
          `${code(rc.address)}: in-place change of ${ignored.map(code).join(", ")} is recorded in the state but **not applied** to the running container ` +
            `by the docker provider 4.6; the container keeps its old settings until it is replaced (e.g. add a digest of the setting to a label).`,
        );
      }
    }
  }

  const outputs = Object.entries(outputChanges)
    .map(([name, ch]) => ({
      name,
      action: isObject(ch) && Array.isArray(ch.actions) ? (classifyActions(ch.actions as string[]) ?? "change") : "change",
    }))
    .filter((o) => o.action !== "no-op")
    .map((o) => ({ name: o.name, action: String(o.action) }));
  if (!complete)
    warnings.push("The plan is **partial** (`complete: false`): some changes were deferred; another plan and apply are needed afterwards.");
  if (environment === "unknown") {
    notes.push(
      `The environment could not be read from the stack name ${code(stack)} (expected \`<system>-<dev|staging|production>\`); it is gated like production.`,
    );
  }
  return { stack, environment, gated, counts, resources, outputs, callouts, warnings, notes };
}

/**
 * Summarizes the plans of one or more stacks into Markdown and an exit code (0 ok, 1 bad input,
 * 2 gated data loss). Pure: no I/O, so the e2e suite can call it on plans it makes itself.
 */
export function summarizePlans(inputs: readonly PlanInput[], options: SummaryOptions = {}): SummaryResult {
  const stacks: StackSummary[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const { environment, gated } = stackGate(input.stack, options, input.environment);
    const empty = {
      stack: input.stack,
      environment,
      gated,
      counts: { add: 0, change: 0, replace: 0, destroy: 0 },
      resources: [],
      outputs: [],
      callouts: [],
      warnings: [],
      notes: [],
    };
    if (seen.has(input.stack)) {
      const error = `stack ${input.stack} is given more than once`;
      errors.push(error);
      stacks.push({ ...empty, error });
      continue;
    }
    seen.add(input.stack);
    try {
      if (input.readError !== undefined) throw new InputError(input.readError);
      stacks.push(summarizeStack(input, options));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const message = `${input.stack}: ${error.message}`;
      errors.push(message);
      stacks.push({ ...empty, error: error.message });
    }
  }
  if (inputs.length === 0) errors.push("no plans given");

  const allCallouts = stacks.flatMap((s) => s.callouts);
  const { blocking, exitCode } = gate(allCallouts, errors, options.allowDataLoss);
  const verdict = verdictLine(stacks, errors, blocking, allCallouts, options.allowDataLoss ?? false);
  const title =
    options.title ?? `Terraform plan summary${stacks.length > 0 && stacks.length <= 3 ? `: ${stacks.map((s) => s.stack).join(", ")}` : ""}`;
  const markdown = fitMarkdown(
    (detailed) => renderMarkdown(title, verdict, stacks, errors, detailed),
    options.maxLength ?? DEFAULT_MAX_LENGTH,
  );
  return { markdown, exitCode, verdict, stacks, blocking, errors };
}

function verdictLine(
  stacks: readonly StackSummary[],
  errors: readonly string[],
  blocking: readonly Callout[],
  callouts: readonly Callout[],
  allowDataLoss: boolean,
): string {
  if (errors.length > 0) return `❌ **Error:** ${plural(errors.length, "plan")} could not be read; nothing below is a complete review.`;
  const total = stacks.reduce((n, s) => n + s.counts.add + s.counts.change + s.counts.replace + s.counts.destroy, 0);
  const count = countByKind(callouts);
  const findings: string[] = [];
  if (count["data-loss"] > 0) findings.push(`${plural(count["data-loss"], "volume")} destroyed or replaced`);
  if (count.downtime > 0) findings.push(`${plural(count.downtime, "long-running container")} with downtime`);
  if (count.disruption > 0)
    findings.push(`${plural(count.disruption, "network/secret/config change", "network/secret/config changes")} that disrupt containers`);
  const verdict = findingsVerdict({
    blocking,
    allowDataLoss,
    findings,
    blocked: (n) =>
      `would destroy or replace ${plural(n, "volume")} (data loss). ` +
      "Apply only after a backup, with `--allow-data-loss` (in CI: the `allow-data-loss` pull request label).",
  });
  if (verdict !== undefined) return verdict;
  const warnings = stacks.reduce((n, s) => n + s.warnings.length, 0);
  if (total === 0) return warnings > 0 ? `✅ **No changes**, but read the ${plural(warnings, "warning")}.` : "✅ **No changes.**";
  return `✅ **No downtime or data loss found** in ${plural(total, "change")}${warnings > 0 ? `; read the ${plural(warnings, "warning")}` : ""}.`;
}

const ACTION_LABEL: Record<Action, string> = {
  create: "create",
  update: "update in place",
  replace: "replace",
  delete: "destroy",
  forget: "forget (stays deployed)",
};

function renderMarkdown(
  title: string,
  verdict: string,
  stacks: readonly StackSummary[],
  errors: readonly string[],
  withDetails: boolean,
): string {
  const out: string[] = [PLAN_SUMMARY_MARKER, `## ${escapeMd(title)}`, "", verdict, ""];
  if (stacks.length > 0) {
    out.push(
      table(
        ["Stack", "Environment", "Add", "Change", "Replace", "Destroy"],
        ["l", "l", "r", "r", "r", "r"],
        stacks.map((s) =>
          s.error
            ? [code(s.stack), escapeMd(s.environment), "–", "–", "–", "–"]
            : [
                code(s.stack),
                escapeMd(s.environment) + (s.gated ? " (gated)" : ""),
                String(s.counts.add),
                String(s.counts.change),
                s.counts.replace > 0 ? `**${s.counts.replace}**` : "0",
                s.counts.destroy > 0 ? `**${s.counts.destroy}**` : "0",
              ],
        ),
      ),
      "",
    );
  }
  if (errors.length > 0) {
    out.push("### Errors", "", ...errors.map((e) => `- ${escapeMd(e)}`), "");
  }
  out.push(...attentionSection(stacks.flatMap((s) => s.callouts)));
  const warnings = stacks.flatMap((s) => s.warnings.map((w) => `- ⚠️ ${code(s.stack)}: ${w}`));
  if (warnings.length > 0) out.push("### Warnings", "", ...warnings, "");
  for (const s of stacks) {
    if (s.error) continue;
    const total =
      s.counts.add + s.counts.change + s.counts.replace + s.counts.destroy + s.resources.filter((r) => r.action === "forget").length;
    if (total === 0 && s.notes.length === 0 && s.outputs.length === 0) continue;
    out.push(`### ${code(s.stack)}`, "");
    for (const n of s.notes) out.push(`- ${n}`);
    if (s.notes.length > 0) out.push("");
    if (total > 0) {
      const summaryLine = `${plural(total, "resource change")}: ${s.counts.add} to add, ${s.counts.change} to change, ${s.counts.replace} to replace, ${s.counts.destroy} to destroy`;
      if (withDetails) {
        out.push(`<details><summary>${summaryLine}</summary>`, "");
        for (const r of s.resources) out.push(...renderResource(r), "");
        out.push("</details>", "");
      } else {
        out.push(`${summaryLine} (attribute details omitted: the summary was too long for one comment).`, "");
        for (const r of s.resources) out.push(`- ${resourceHeadline(r)}`);
        out.push("");
      }
    }
    if (s.outputs.length > 0) out.push(`Outputs: ${s.outputs.map((o) => `${code(o.name)} (${o.action})`).join(", ")}`, "");
  }
  return (
    out
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n"
  );
}

function resourceHeadline(r: ResourceSummary): string {
  const parts = [`**${code(r.address)}**`, ACTION_LABEL[r.action]];
  if (r.name) parts.push(`name ${code(r.name)}`);
  let line = parts.join(" — ");
  if (r.replaceBecause.length > 0) line += `, forced by ${r.replaceBecause.map(code).join(", ")}`;
  if (r.previousAddress) line += `, moved from ${code(r.previousAddress)}`;
  if (r.actionReason === "delete_because_no_resource_config") line += ", no longer in the configuration";
  else if (r.actionReason === "replace_because_tainted") line += ", tainted";
  else if (r.actionReason === "replace_by_request") line += ", replace requested (-replace)";
  else if (r.actionReason === "replace_by_triggers") line += ", triggered by `replace_triggered_by`";
  return line;
}

function renderResource(r: ResourceSummary): string[] {
  const lines = [resourceHeadline(r)];
  const body = [...r.diffLines];
  if (r.unknownCount > 0) body.push(`# ${plural(r.unknownCount, "computed attribute")} known only after apply`);
  if (body.length > 0) lines.push("", fenced("diff", body));
  return lines;
}

// ------------------------------------------------------------------------------- CLI --

const USAGE = `Usage: npm run plan:summary -- [options] <plan.json>...

Summarizes \`terraform show -json <planfile>\` output of one or more stacks as Markdown.

Stack names come from the file name (zcash-staging.json, zcash-staging.plan.json,
cdktf.out/stacks/zcash-staging/plan.json → zcash-staging) or are given explicitly:

  --stack <name>=<plan.json>  a plan for stack <name> (repeatable; "-" reads stdin)
  --allow-data-loss           report gated data loss but exit 0
  --gate-env <env>            also gate this environment (default: production; repeatable)
  --output <file>             write the Markdown to <file> instead of stdout
  --max-length <n>            drop attribute details above n characters (default 60000)
  --title <text>              heading of the summary

Exit codes: 0 written; 2 a gated (production, or unknown environment) stack would destroy or
replace a docker_volume and --allow-data-loss was not given; 1 bad input or usage.
`;

export function main(argv: readonly string[]): { output: string; exitCode: number; outputFile?: string; stderr?: string[] } {
  const args = parseArgs(argv, { flags: ["allow-data-loss", "help"], values: ["stack", "gate-env", "output", "max-length", "title"] });
  if (args.flags.has("help")) return { output: USAGE, exitCode: 0 };
  const files: { stack: string; file: string }[] = [];
  for (const spec of args.values.get("stack") ?? []) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) throw new InputError(`--stack needs <name>=<plan.json>, got ${JSON.stringify(spec)}`);
    files.push({ stack: spec.slice(0, eq), file: spec.slice(eq + 1) });
  }
  for (const file of args.positional) {
    if (file === "-") throw new InputError("stdin needs a stack name: --stack <name>=-");
    files.push({ stack: stackNameFromFile(file), file });
  }
  if (files.length === 0) throw new InputError(`no plan files given\n\n${USAGE}`);
  const maxLength = maxLengthOf(args);

  const inputs: PlanInput[] = [];
  for (const { stack, file } of files) {
    try {
      inputs.push({ stack, plan: readJsonFile(file, "plan") });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      inputs.push({ stack, plan: undefined, readError: error.message });
    }
  }
  const result = summarizePlans(inputs, { ...gateOptionsOf(args), maxLength, title: args.values.get("title")?.[0] });
  return {
    output: result.markdown,
    exitCode: result.exitCode,
    outputFile: args.values.get("output")?.[0],
    stderr: gateMessages(result, "data loss"),
  };
}

/** Entry point for tools/run.js: prints the result and sets process.exitCode. */
export function run(argv: readonly string[]): void {
  runCli(() => main(argv));
}
