import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "../lib/cdk";
import { Finding, PolicyPack, SuppressedFinding, policyPacksOf } from "./pack";
import { Subject, TerraformJson, subjectsOfConfig } from "./subject";

/** What one pack found in one stack. Written to `cdktf.out/stacks/<stack>/policy-report.json`. */
export interface PolicyReport {
  readonly stack: string;
  /** `Baseline` or `Production`. */
  readonly pack: string;
  readonly summary: { readonly errors: number; readonly warnings: number; readonly infos: number; readonly suppressed: number };
  /**
   * How many resources (or plan instances) and variables of each kind at least one rule applied to
   * (`docker_container`, `docker_service`, `docker_image`, `variable`, …): what was checked, not only
   * what failed.
   */
  readonly checked: Readonly<Record<string, number>>;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
}

/** File name of the per-stack report, next to the stack's `cdk.tf.json`. */
export const POLICY_REPORT_FILE = "policy-report.json";

function reportOf(stack: TerraformStack, pack: PolicyPack): PolicyReport {
  const id = stack.node.id;
  const findings = pack.findings.filter((f) => f.stack === id);
  const suppressed = pack.suppressed.filter((f) => f.stack === id);
  const count = (level: Finding["level"]) => findings.filter((f) => f.level === level).length;
  return {
    stack: id,
    pack: pack.label,
    summary: { errors: count("error"), warnings: count("warning"), infos: count("info"), suppressed: suppressed.length },
    checked: pack.checkedIn(id),
    findings,
    suppressed,
  };
}

/** The file a stack's Terraform JSON is written to: `<outdir>/stacks/<stack>/cdk.tf.json`. */
export function synthesizedFile(stack: TerraformStack): string {
  return path.join(App.of(stack).outdir, "stacks", stack.node.id, "cdk.tf.json");
}

/** Runs a stack's packs over subjects of it (its synthesized JSON, or a plan) and returns one report per pack. */
export function evaluateStack(
  stack: TerraformStack,
  subjects: readonly Subject[],
  packs: readonly PolicyPack[] = policyPacksOf(stack),
): PolicyReport[] {
  for (const pack of packs) pack.evaluate(stack.node.id, subjects);
  return packs.map((pack) => reportOf(stack, pack));
}

/**
 * Synthesizes the stacks' apps (each once) and judges every stack by the Terraform JSON that was
 * written, the file that ships: overrides and escape hatches are in it, and the construct tree only
 * adds L2 declarations and suppressions. One run reports every stack.
 */
export function checkPolicies(stacks: readonly TerraformStack[]): PolicyReport[] {
  for (const app of new Set(stacks.map((stack) => App.of(stack)))) app.synth();
  return stacks.flatMap((stack) => {
    const config = JSON.parse(fs.readFileSync(synthesizedFile(stack), "utf8")) as TerraformJson;
    return evaluateStack(stack, subjectsOfConfig(config, stack));
  });
}

/** Thrown when a pack reported errors; the message names each stack, construct path and rule. */
export class PolicyViolationError extends Error {
  constructor(readonly reports: readonly PolicyReport[]) {
    const failing = reports.filter((r) => r.summary.errors > 0);
    const total = failing.reduce((n, r) => n + r.summary.errors, 0);
    super(
      `policy check failed: ${plural(total, "error")} in ${failing.map((r) => r.stack).join(", ")}\n` +
        failing
          .map(
            (r) =>
              `  stack ${r.stack} (${r.pack} pack):\n` +
              r.findings
                .filter((f) => f.level === "error")
                .map((f) => `    - ${f.id} at ${f.address} (${f.path}): ${f.details.join("; ")}${overridesNote(f)}`)
                .join("\n"),
          )
          .join("\n") +
        "\n  Fix each resource (see RULES.md), or suppress the rule on its construct with a written reason: " +
        'Suppressions.of(construct).add({ id: "<Rule>", reason: "…" }).',
    );
    this.name = "PolicyViolationError";
  }
}

/** ` (escape-hatch overrides: a, b)` when the resource has overrides. */
function overridesNote(f: Finding): string {
  return f.overrides && f.overrides.length > 0 ? ` (escape-hatch overrides on this resource: ${f.overrides.join(", ")})` : "";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The short per-stack summary printed at synth: counts, what was checked (per resource type), every
 * error and every suppression (each exception is visible to reviewers), and warnings and infos
 * counted per rule.
 */
export function formatPolicySummary(reports: readonly PolicyReport[], reportPath?: (stack: string) => string): string {
  const lines: string[] = [];
  for (const r of reports) {
    const s = r.summary;
    const where = reportPath ? ` -> ${reportPath(r.stack)}` : "";
    lines.push(
      `policy ${r.stack} (${r.pack}): ${plural(s.errors, "error")}, ${plural(s.warnings, "warning")}, ${plural(s.infos, "info")}, ${s.suppressed} suppressed${where}`,
    );
    const checked = Object.entries(r.checked);
    if (checked.length > 0) lines.push(`  ${"checked".padEnd(11)} ${checked.map(([kind, n]) => `${kind} x${n}`).join(", ")}`);
    for (const f of r.findings.filter((x) => x.level === "error"))
      lines.push(`  error       ${f.id} ${f.address} (${f.path}): ${f.details.join("; ")}${overridesNote(f)}`);
    for (const level of ["warning", "info"] as const) {
      const byRule = new Map<string, number>();
      for (const f of r.findings.filter((x) => x.level === level)) byRule.set(f.id, (byRule.get(f.id) ?? 0) + 1);
      if (byRule.size > 0) lines.push(`  ${(level + "s").padEnd(11)} ${[...byRule].map(([id, n]) => `${id} x${n}`).join(", ")}`);
    }
    for (const x of r.suppressed) lines.push(`  suppressed  ${x.id} ${x.path} (${x.source} at ${x.declaredAt}): ${x.reason}`);
  }
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
}

/** Writes each stack's report as `<outdir>/stacks/<stack>/policy-report.json`; returns the paths. */
export function writePolicyReports(outdir: string, reports: readonly PolicyReport[]): string[] {
  return [...new Set(reports.map((r) => r.stack))].map((stack) => {
    const dir = path.join(outdir, "stacks", stack);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, POLICY_REPORT_FILE);
    const ofStack = reports.filter((r) => r.stack === stack);
    // One file per stack: the report itself, or an array when several packs apply to the stack.
    // Findings keep their details; what each rule checks and how to fix it is in RULES.md.
    const compact = ofStack.map((r) => ({ ...r, findings: r.findings.map(({ message: _message, ...f }) => f) }));
    fs.writeFileSync(file, JSON.stringify(compact.length === 1 ? compact[0] : compact, null, 2) + "\n");
    return file;
  });
}

/**
 * Synthesizes, then judges each stack's written JSON. When a pack reported an error, the failing
 * stacks' `cdk.tf.json` are removed (nothing that failed the gate is left to apply) and a
 * PolicyViolationError is thrown; otherwise the reports are written and the summary printed.
 */
export function synthesizeWithPolicy(app: App, stacks: readonly TerraformStack[], write: (text: string) => void): PolicyReport[] {
  const reports = checkPolicies(stacks);
  const reportPath = (stack: string) => path.join(app.outdir, "stacks", stack, POLICY_REPORT_FILE);
  const failing = new Set(reports.filter((r) => r.summary.errors > 0).map((r) => r.stack));
  if (failing.size > 0) {
    for (const stack of stacks.filter((s) => failing.has(s.node.id))) fs.rmSync(synthesizedFile(stack), { force: true });
    write(formatPolicySummary(reports));
    throw new PolicyViolationError(reports);
  }
  writePolicyReports(app.outdir, reports);
  write(formatPolicySummary(reports, reportPath));
  return reports;
}
