/**
 * Offline synth diff: compares two `cdktf.out` trees (base and head) stack by stack, for when no
 * Terraform state is reachable, and reports in the plan summary's Markdown style what Terraform
 * would have to do: which resources are added, removed, renamed (a changed address is a destroy
 * plus a create) or changed, and which changes force a replacement. See docs/review.md.
 *
 *   npm run synth:diff -- [options] <base cdktf.out> <head cdktf.out>
 *
 * Exit codes: 0 written; 2 a gated (production) stack would lose a volume (removed, renamed or
 * replaced) and --allow-data-loss was not given; 1 bad input or usage.
 */
import * as fs from "fs";
import { AttributeChange, diffAttributes } from "./review/attribute-diff";
import { deepEqual, formatPath, isObject, Json, JsonObject, stripMetadata } from "./lib/json";
import { InputError, parseArgs, readJsonFile, runCli } from "./lib/cli";
import { stackFilePath, synthesizedStacks } from "./model/synth-output";
import {
  CALLOUT_TYPES,
  CONTAINER_NOT_APPLIED,
  forcesReplacement,
  isLongRunningContainer,
  isStatefulVolume,
  META_ARGUMENTS,
  VOLUME,
} from "./review/provider-behaviour";
import { code, DEFAULT_MAX_LENGTH, escapeMd, fenced, fitMarkdown, plural, table } from "./review/markdown";
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

export const SYNTH_DIFF_MARKER = "<!-- synth-diff -->";

/** Stack name → parsed `cdk.tf.json`. */
export type SynthTree = Readonly<Record<string, unknown>>;

export interface SynthDiffOptions extends GateOptions {
  /** @default 60000 */
  readonly maxLength?: number;
  /** Shown in the heading. @default "base" */
  readonly baseLabel?: string;
  /** @default "head" */
  readonly headLabel?: string;
}

export type ResourceStatus = "added" | "removed" | "changed" | "renamed" | "moved";

export interface ResourceDiff {
  readonly address: string;
  readonly type: string;
  readonly status: ResourceStatus;
  /** For renamed/moved: the base address. */
  readonly from?: string;
  readonly name?: string;
  /** Changed top-level arguments that force a replacement. */
  readonly forcedBy: string[];
  /** Replaced because these resources are (lifecycle.replace_triggered_by). */
  triggeredBy?: string[];
  /** Changed docker_container arguments the provider records but does not apply. */
  readonly notApplied: string[];
  readonly changes: AttributeChange[];
  readonly lines: string[];
}

export type { Callout, CalloutKind } from "./review/gating";

export interface StackDiff {
  readonly stack: string;
  readonly environment: string;
  readonly gated: boolean;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly resources: ResourceDiff[];
  /** Changes outside `resource` (variables, outputs, providers, backend, ...), as diff lines. */
  readonly other: string[];
  readonly callouts: Callout[];
  readonly warnings: string[];
}

export interface SynthDiffResult {
  readonly markdown: string;
  readonly exitCode: 0 | 1 | 2;
  readonly verdict: string;
  readonly stacks: StackDiff[];
  readonly blocking: Callout[];
  readonly errors: string[];
}

interface ResourceEntry {
  readonly address: string;
  readonly type: string;
  readonly body: JsonObject;
}

function resourcesOf(config: JsonObject): Map<string, ResourceEntry> {
  const out = new Map<string, ResourceEntry>();
  const add = (prefix: string, block: Json | undefined) => {
    if (!isObject(block)) return;
    for (const [type, byName] of Object.entries(block)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        if (isObject(body)) out.set(`${prefix}${type}.${name}`, { address: `${prefix}${type}.${name}`, type, body });
      }
    }
  };
  add("", config.resource);
  add("data.", config.data);
  return out;
}

/** `moved` blocks of the head configuration: from → to. */
function movesOf(config: JsonObject): Map<string, string> {
  const moves = new Map<string, string>();
  const raw = config.moved;
  for (const m of Array.isArray(raw) ? raw : isObject(raw) ? [raw] : []) {
    if (isObject(m) && typeof m.from === "string" && typeof m.to === "string")
      moves.set(m.from.replace(/^\$\{|\}$/g, ""), m.to.replace(/^\$\{|\}$/g, ""));
  }
  return moves;
}

function nameOf(body: JsonObject): string | undefined {
  return typeof body.name === "string" && body.name !== "" ? body.name : undefined;
}

function lifecycleOf(body: JsonObject): JsonObject {
  return isObject(body.lifecycle) ? body.lifecycle : {};
}

function diffLines(changes: readonly AttributeChange[], note: (top: string) => string): string[] {
  const lines: string[] = [];
  for (const ch of changes) {
    const p = formatPath(ch.path);
    const notes = [note(String(ch.path[0])), ch.hiddenChange ? "hidden value changed" : ""].filter((x) => x !== "");
    const n = notes.length > 0 ? `  # ${notes.join("; ")}` : "";
    if (ch.op !== "add") lines.push(`- ${p} = ${ch.before}${n}`);
    if (ch.op !== "remove") lines.push(`+ ${p} = ${ch.after}${n}`);
  }
  return lines;
}

function compareResource(base: ResourceEntry, head: ResourceEntry, status: ResourceStatus): ResourceDiff {
  const type = head.type;
  const { changes } = diffAttributes({ resourceType: type, before: base.body, after: head.body, ignoreKeys: ["lifecycle", "depends_on"] });
  const tops = [...new Set(changes.map((c) => String(c.path[0])))];
  const forcedBy = tops.filter((t) => !META_ARGUMENTS.includes(t) && forcesReplacement(type, t) === true);
  // A replacement applies every setting; only an in-place update leaves these unapplied.
  const notApplied = type === "docker_container" && forcedBy.length === 0 ? tops.filter((t) => CONTAINER_NOT_APPLIED.has(t)) : [];
  const lines = diffLines(changes, (top) =>
    forcedBy.includes(top)
      ? "forces replacement"
      : notApplied.includes(top)
        ? "not applied by the provider"
        : META_ARGUMENTS.includes(top)
          ? "meta-argument"
          : "",
  );
  // lifecycle and depends_on: shown, but only prevent_destroy matters for review.
  const lc = diffAttributes({ resourceType: type, before: lifecycleOf(base.body), after: lifecycleOf(head.body) });
  lines.push(
    ...diffLines(
      lc.changes.map((c) => ({ ...c, path: ["lifecycle", ...c.path] })),
      () => "",
    ),
  );
  if (!deepEqual(base.body.depends_on, head.body.depends_on)) lines.push("# depends_on changed (ordering only)");
  return {
    address: head.address,
    type,
    status,
    from: status === "changed" ? undefined : base.address,
    name: nameOf(head.body) ?? nameOf(base.body),
    forcedBy,
    notApplied,
    changes: [...changes, ...lc.changes],
    lines,
  };
}

/** Compares one stack's two configurations (either may be missing). */
export function diffStack(stack: string, baseConfig: unknown, headConfig: unknown, options: SynthDiffOptions = {}): StackDiff {
  const { environment, gated, callout: finding } = stackGate(stack, options);
  const callouts: Callout[] = [];
  const warnings: string[] = [];
  const resources: ResourceDiff[] = [];
  const other: string[] = [];
  const base = isObject(baseConfig) ? (stripMetadata(baseConfig) as JsonObject) : undefined;
  const head = isObject(headConfig) ? (stripMetadata(headConfig) as JsonObject) : undefined;
  const callout = (kind: Callout["kind"], address: string, text: string) => callouts.push(finding(kind, address, text));

  if (base === undefined && head !== undefined) {
    const count = resourcesOf(head).size;
    return {
      stack,
      environment,
      gated,
      status: "added",
      resources: [],
      other: [`# new stack with ${plural(count, "resource")}`],
      callouts,
      warnings,
    };
  }
  if (base !== undefined && head === undefined) {
    const volumes = [...resourcesOf(base).values()].filter((r) => r.type === VOLUME);
    warnings.push(
      `the stack is no longer synthesized: CI stops planning it, and its ${plural(resourcesOf(base).size, "resource")} ` +
        `(${plural(volumes.length, "volume")}) stay deployed and in its state. Destroy it deliberately (\`cdktf destroy\`) before removing it, or keep it.`,
    );
    return { stack, environment, gated, status: "removed", resources: [], other: [], callouts, warnings };
  }
  if (base === undefined || head === undefined) throw new InputError(`stack ${stack}: neither tree has a configuration`);

  const baseRes = resourcesOf(base);
  const headRes = resourcesOf(head);
  const moves = movesOf(head);
  const removed = [...baseRes.values()].filter((r) => !headRes.has(r.address));
  const added = [...headRes.values()].filter((r) => !baseRes.has(r.address));
  const pairedAdded = new Set<string>();

  for (const r of removed) {
    const movedTo = moves.get(r.address);
    const moveTarget = movedTo !== undefined ? headRes.get(movedTo) : undefined;
    if (moveTarget && moveTarget.type === r.type) {
      pairedAdded.add(moveTarget.address);
      const d = compareResource(r, moveTarget, "moved");
      resources.push(d);
      reportChanged(d, r, moveTarget);
      continue;
    }
    // Same type and same Docker name at a new address: a renamed construct (destroy + create).
    const name = nameOf(r.body);
    const twin =
      name === undefined ? undefined : added.find((a) => a.type === r.type && !pairedAdded.has(a.address) && nameOf(a.body) === name);
    if (twin) {
      pairedAdded.add(twin.address);
      const d = compareResource(r, twin, "renamed");
      resources.push(d);
      const what = r.type === VOLUME ? "volume" : r.type === "docker_container" ? "container" : (CALLOUT_TYPES[r.type] ?? "resource");
      const fix = "Keep the construct id, or add a `moved` block (`resource.moveTo()` / `moveFromId()`).";
      if (r.type === VOLUME) {
        callout(
          "data-loss",
          twin.address,
          `**data loss**: the address of volume ${code(name!)} changes from ${code(r.address)} to ${code(twin.address)}: Terraform destroys the volume and creates an empty one. ${fix}`,
        );
      } else if (r.type === "docker_container") {
        callout(
          "downtime",
          twin.address,
          `**downtime**: the address of container ${code(name!)} changes from ${code(r.address)} to ${code(twin.address)}: it is destroyed and recreated (and the create may race the destroy for the name). ${fix}`,
        );
      } else if (CALLOUT_TYPES[r.type]) {
        callout(
          "disruption",
          twin.address,
          `the address of ${what} ${code(name!)} changes from ${code(r.address)} to ${code(twin.address)}: it is destroyed and recreated. ${fix}`,
        );
      }
      continue;
    }
    resources.push({ address: r.address, type: r.type, status: "removed", name, forcedBy: [], notApplied: [], changes: [], lines: [] });
    const named = name ? ` (${code(name)})` : "";
    if (r.type === VOLUME) {
      // prevent_destroy lives in the resource block: removing the block removes the protection too.
      const guard =
        lifecycleOf(r.body).prevent_destroy === true
          ? " Its `prevent_destroy` goes with the removed resource block, so Terraform will not refuse."
          : "";
      callout(
        "data-loss",
        r.address,
        `**data loss**: ${isStatefulVolume(r.body) ? "stateful " : ""}volume ${code(r.address)}${named} is removed: Terraform destroys it and its data.${guard}`,
      );
    } else if (r.type === "docker_container" && isLongRunningContainer(r.body)) {
      callout("downtime", r.address, `**service removed**: long-running container ${code(r.address)}${named} is removed.`);
    } else if (CALLOUT_TYPES[r.type]) {
      callout("disruption", r.address, `${CALLOUT_TYPES[r.type]} ${code(r.address)}${named} is removed.`);
    }
  }
  for (const a of added) {
    if (!pairedAdded.has(a.address))
      resources.push({
        address: a.address,
        type: a.type,
        status: "added",
        name: nameOf(a.body),
        forcedBy: [],
        notApplied: [],
        changes: [],
        lines: [],
      });
  }
  for (const [address, h] of headRes) {
    const b = baseRes.get(address);
    if (!b || deepEqual(b.body, h.body)) continue;
    const d = compareResource(b, h, "changed");
    if (d.lines.length === 0) continue;
    resources.push(d);
    reportChanged(d, b, h);
  }
  propagateTriggers();
  resources.sort((x, y) => x.address.localeCompare(y.address));

  /**
   * lifecycle.replace_triggered_by: a resource whose trigger is replaced (or destroyed) is replaced
   * too. The project's services use it to replace a container when its file-upload helper is.
   */
  function propagateTriggers(): void {
    const replaced = new Set(
      resources
        .filter((r) => r.forcedBy.length > 0 || r.status === "removed" || r.status === "renamed")
        .map((r) => (r.status === "renamed" ? r.from! : r.address)),
    );
    let grew = true;
    while (grew) {
      grew = false;
      for (const [address, h] of headRes) {
        const triggers = lifecycleOf(h.body).replace_triggered_by;
        if (!Array.isArray(triggers)) continue;
        const hits = triggers
          .filter((t): t is string => typeof t === "string")
          .map((t) =>
            t
              .replace(/^\$\{|\}$/g, "")
              .replace(/\[[^\]]*\]/g, "")
              .split(".")
              .slice(0, 2)
              .join("."),
          )
          .filter((t) => replaced.has(t));
        if (hits.length === 0 || replaced.has(address) || !baseRes.has(address)) continue;
        replaced.add(address);
        grew = true;
        let d = resources.find((r) => r.address === address);
        if (!d) {
          d = { address, type: h.type, status: "changed", name: nameOf(h.body), forcedBy: [], notApplied: [], changes: [], lines: [] };
          resources.push(d);
        }
        d.triggeredBy = [...new Set(hits)];
        d.lines.push(`# replaced because ${d.triggeredBy.join(", ")} is replaced (replace_triggered_by)`);
        const named = d.name ? ` (${code(d.name)})` : "";
        if (h.type === "docker_container" && isLongRunningContainer(baseRes.get(address)!.body)) {
          callout(
            "downtime",
            address,
            `**downtime**: long-running container ${code(address)}${named} is replaced because ${d.triggeredBy.map(code).join(", ")} is (\`replace_triggered_by\`).`,
          );
        } else if (h.type === VOLUME) {
          callout(
            "data-loss",
            address,
            `**data loss**: volume ${code(address)}${named} is replaced because ${d.triggeredBy.map(code).join(", ")} is (\`replace_triggered_by\`).`,
          );
        }
      }
    }
  }

  function reportChanged(d: ResourceDiff, b: ResourceEntry, h: ResourceEntry): void {
    // What goes away is the Docker object named in the base configuration.
    const goneName = nameOf(b.body) ?? d.name;
    const named = goneName ? ` (${code(goneName)})` : "";
    const forced = d.forcedBy.map(code).join(", ");
    if (d.forcedBy.length > 0) {
      if (h.type === VOLUME) {
        callout(
          "data-loss",
          d.address,
          `**data loss**: ${isStatefulVolume(b.body) ? "stateful " : ""}volume ${code(d.address)}${named} is replaced (${forced} changed; every volume argument forces replacement): the new volume starts empty.`,
        );
      } else if (h.type === "docker_container" && isLongRunningContainer(b.body)) {
        callout(
          "downtime",
          d.address,
          `**downtime**: long-running container ${code(d.address)}${named} is replaced (forced by ${forced}).`,
        );
      } else if (CALLOUT_TYPES[h.type]) {
        callout("disruption", d.address, `${CALLOUT_TYPES[h.type]} ${code(d.address)}${named} is replaced (forced by ${forced}).`);
      }
    }
    if (d.notApplied.length > 0) {
      warnings.push(
        `${code(d.address)}: in-place change of ${d.notApplied.map(code).join(", ")} is recorded in the state but **not applied** to the running container by the docker provider 4.6.`,
      );
    }
    if (lifecycleOf(b.body).prevent_destroy === true && lifecycleOf(h.body).prevent_destroy !== true) {
      warnings.push(`${code(d.address)}${named} loses \`prevent_destroy\`: Terraform will no longer refuse to destroy it.`);
    }
  }

  // Everything outside resources and data sources.
  const sections = [...new Set([...Object.keys(base), ...Object.keys(head)])].filter((k) => k !== "resource" && k !== "data").sort();
  for (const section of sections) {
    if (deepEqual(base[section], head[section])) continue;
    const sensitiveVariables = (cfg: JsonObject) => {
      const marks: Record<string, { default: true }> = {};
      if (section === "variable" && isObject(cfg.variable)) {
        for (const [name, v] of Object.entries(cfg.variable)) if (isObject(v) && v.sensitive === true) marks[name] = { default: true };
      }
      return marks;
    };
    const { changes } = diffAttributes({
      resourceType: section,
      before: base[section],
      after: head[section],
      beforeSensitive: sensitiveVariables(base),
      afterSensitive: sensitiveVariables(head),
    });
    other.push(
      ...diffLines(
        changes.map((c) => ({ ...c, path: [section, ...c.path] })),
        () => "",
      ),
    );
    if (
      section === "terraform" &&
      !deepEqual(isObject(base.terraform) ? base.terraform.backend : null, isObject(head.terraform) ? head.terraform.backend : null)
    ) {
      warnings.push(
        "the state backend changes: the state must be migrated (`cdktf deploy --migrate-state` or `terraform init -migrate-state`) or Terraform starts from an empty state and tries to create everything again.",
      );
    }
  }
  const status = resources.length > 0 || other.length > 0 ? "changed" : "unchanged";
  return { stack, environment, gated, status, resources, other, callouts, warnings };
}

/** Compares two synthesized trees; pure (see loadSynthTree for reading a cdktf.out directory). */
export function diffSynth(base: SynthTree, head: SynthTree, options: SynthDiffOptions = {}): SynthDiffResult {
  const names = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  const errors: string[] = [];
  const stacks: StackDiff[] = [];
  for (const name of names) {
    try {
      stacks.push(diffStack(name, base[name], head[name], options));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      errors.push(error.message);
    }
  }
  const callouts = stacks.flatMap((s) => s.callouts);
  const { blocking, exitCode } = gate(callouts, errors, options.allowDataLoss);
  const verdict = verdictLine(stacks, errors, blocking, callouts, options.allowDataLoss ?? false);
  const title = `Synth diff: ${options.baseLabel ?? "base"} → ${options.headLabel ?? "head"}`;
  const markdown = fitMarkdown(
    (detailed) => renderMarkdown(title, verdict, stacks, errors, detailed),
    options.maxLength ?? DEFAULT_MAX_LENGTH,
  );
  return { markdown, exitCode, verdict, stacks, blocking, errors };
}

function verdictLine(
  stacks: readonly StackDiff[],
  errors: readonly string[],
  blocking: readonly Callout[],
  callouts: readonly Callout[],
  allowDataLoss: boolean,
): string {
  if (errors.length > 0) return `❌ **Error:** ${errors.map(escapeMd).join("; ")}`;
  const count = countByKind(callouts);
  const findings: string[] = [];
  if (count["data-loss"] > 0) findings.push(`${plural(count["data-loss"], "volume")} removed, renamed or replaced`);
  if (count.downtime > 0) findings.push(`${plural(count.downtime, "long-running container")} replaced or removed`);
  if (count.disruption > 0) findings.push(`${plural(count.disruption, "network/secret/config change", "network/secret/config changes")}`);
  const verdict = findingsVerdict({
    blocking,
    allowDataLoss,
    findings,
    blocked: (n) =>
      `would lose ${plural(n, "volume")} (removed, renamed or replaced). Apply only after a backup, with \`--allow-data-loss\`.`,
  });
  if (verdict !== undefined) return verdict;
  const changed = stacks.filter((s) => s.status !== "unchanged").length;
  const warnings = stacks.reduce((n, s) => n + s.warnings.length, 0);
  if (changed === 0) return "✅ **No changes** in the synthesized configuration.";
  return `✅ **No downtime or data loss found** in ${plural(changed, "changed stack")}${warnings > 0 ? `; read the ${plural(warnings, "warning")}` : ""}.`;
}

const STATUS_LABEL: Record<ResourceStatus, string> = {
  added: "added",
  removed: "removed (destroyed)",
  changed: "changed",
  renamed: "address changed (destroy + create)",
  moved: "moved (moved block)",
};

function resourceHeadline(r: ResourceDiff): string {
  let line = `**${code(r.address)}** — ${STATUS_LABEL[r.status]}`;
  if (r.from) line += ` from ${code(r.from)}`;
  if (r.name) line += `, name ${code(r.name)}`;
  if (r.forcedBy.length > 0) line += `, **forces replacement** (${r.forcedBy.map(code).join(", ")})`;
  else if (r.triggeredBy) line += `, **replaced** (replace_triggered_by ${r.triggeredBy.map(code).join(", ")})`;
  else if (r.status === "changed" && r.changes.length > 0 && forcesReplacement(r.type, "name") !== undefined) line += ", in place";
  return line;
}

function renderMarkdown(
  title: string,
  verdict: string,
  stacks: readonly StackDiff[],
  errors: readonly string[],
  withDetails: boolean,
): string {
  const out: string[] = [SYNTH_DIFF_MARKER, `## ${escapeMd(title)}`, "", verdict, ""];
  const visible = stacks.filter((s) => s.status !== "unchanged");
  if (visible.length > 0) {
    const count = (s: StackDiff, st: ResourceStatus[]) => String(s.resources.filter((r) => st.includes(r.status)).length);
    out.push(
      table(
        ["Stack", "Environment", "Stack status", "Added", "Removed", "Address changed", "Changed"],
        ["l", "l", "l", "r", "r", "r", "r"],
        visible.map((s) => [
          code(s.stack),
          escapeMd(s.environment) + (s.gated ? " (gated)" : ""),
          s.status,
          count(s, ["added"]),
          count(s, ["removed"]),
          count(s, ["renamed", "moved"]),
          count(s, ["changed"]),
        ]),
      ),
      "",
    );
  }
  const unchanged = stacks.filter((s) => s.status === "unchanged");
  if (unchanged.length > 0) out.push(`Unchanged: ${unchanged.map((s) => code(s.stack)).join(", ")}.`, "");
  if (errors.length > 0) out.push("### Errors", "", ...errors.map((e) => `- ${escapeMd(e)}`), "");
  out.push(...attentionSection(stacks.flatMap((s) => s.callouts)));
  const warnings = stacks.flatMap((s) => s.warnings.map((w) => `- ⚠️ ${code(s.stack)}: ${w}`));
  if (warnings.length > 0) out.push("### Warnings", "", ...warnings, "");
  for (const s of visible) {
    if (s.resources.length === 0 && s.other.length === 0) continue;
    out.push(`### ${code(s.stack)}`, "");
    if (withDetails) {
      out.push(
        `<details><summary>${plural(s.resources.length, "resource")} differ${s.resources.length === 1 ? "s" : ""}${s.other.length > 0 ? ", and other settings" : ""}</summary>`,
        "",
      );
      for (const r of s.resources) {
        out.push(resourceHeadline(r), "");
        if (r.lines.length > 0) out.push(fenced("diff", r.lines), "");
      }
      if (s.other.length > 0) out.push("Other settings:", "", fenced("diff", s.other), "");
      out.push("</details>", "");
    } else {
      out.push(...s.resources.map((r) => `- ${resourceHeadline(r)}`), "");
      if (s.other.length > 0) out.push("- other settings changed (details omitted: the summary was too long)", "");
    }
  }
  return (
    out
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n"
  );
}

// ------------------------------------------------------------------------------- I/O --

/**
 * Reads `<dir>/stacks/<stack>/cdk.tf.json` (a cdktf.out directory), or `<dir>/<stack>/cdk.tf.json`
 * (its stacks directory).
 */
export function loadSynthTree(dir: string): Record<string, unknown> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(`${dir} is not a directory`);
  const tree: Record<string, unknown> = {};
  for (const stack of synthesizedStacks(dir)) tree[stack] = readJsonFile(stackFilePath(dir, stack), "synthesized stack");
  if (Object.keys(tree).length === 0)
    throw new InputError(`${dir} has no stacks/<stack>/cdk.tf.json: not a cdktf.out directory (run \`npm run synth\`)`);
  return tree;
}

const USAGE = `Usage: npm run synth:diff -- [options] <base cdktf.out> <head cdktf.out>

Compares two synthesized trees stack by stack (no Terraform state needed) and prints Markdown.

  --allow-data-loss     report gated volume loss but exit 0
  --gate-env <env>      also gate this environment (default: production; repeatable)
  --output <file>       write the Markdown to <file> instead of stdout
  --max-length <n>      drop attribute details above n characters (default 60000)

Exit codes: 0 written; 2 a gated (production, or unknown environment) stack would lose a volume
(removed, address changed or replaced) and --allow-data-loss was not given; 1 bad input or usage.
`;

export function main(argv: readonly string[]): { output: string; exitCode: number; outputFile?: string; stderr?: string[] } {
  const args = parseArgs(argv, { flags: ["allow-data-loss", "help"], values: ["gate-env", "output", "max-length"] });
  if (args.flags.has("help")) return { output: USAGE, exitCode: 0 };
  if (args.positional.length !== 2)
    throw new InputError(`expected 2 directories (base and head), got ${args.positional.length}\n\n${USAGE}`);
  const [baseDir, headDir] = args.positional;
  const maxLength = maxLengthOf(args);
  const result = diffSynth(loadSynthTree(baseDir), loadSynthTree(headDir), {
    ...gateOptionsOf(args),
    maxLength,
    baseLabel: baseDir,
    headLabel: headDir,
  });
  return {
    output: result.markdown,
    exitCode: result.exitCode,
    outputFile: args.values.get("output")?.[0],
    stderr: gateMessages(result, "volume loss"),
  };
}

/** Entry point for tools/run.js: prints the result and sets process.exitCode. */
export function run(argv: readonly string[]): void {
  runCli(() => main(argv));
}
