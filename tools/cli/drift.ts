/**
 * `z3ops drift <stack>`: a refreshed `terraform plan -detailed-exitcode` of a deployed stack. A clean
 * stack prints nothing and exits 0; a drifted one prints what changed outside Terraform (the plan's
 * `resource_drift`: resource, attribute, before and after) and what the next apply would do, in the
 * plan-summary format (tools/plan-summary.ts), and exits 1.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffAttributes } from "../review/attribute-diff";
import { formatPath, isObject, Json } from "../lib/json";
import { code } from "../review/markdown";
import { Marks } from "../review/markdown";
import { summarizePlans } from "../plan-summary";
import { StackContext } from "./stack-context";
import { ensureInit, lastLines, TerraformFailed, TerraformRunner, varArgs } from "./terraform-runner";

export interface DriftResult {
  readonly drifted: boolean;
  readonly markdown: string;
}

interface RawDrift {
  readonly address: string;
  readonly type: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: Json;
    readonly after?: Json;
    readonly before_sensitive?: Marks;
    readonly after_sensitive?: Marks;
  };
}

function nameOf(value: Json | undefined): string | undefined {
  return isObject(value) && typeof value.name === "string" ? value.name : undefined;
}

/**
 * One line per resource changed outside Terraform, with each changed attribute (masked as plan-summary
 * masks); resources whose refreshed attributes only differ where nothing is shown are left out.
 */
export function driftLines(plan: unknown): string[] {
  const drift = (isObject(plan) && Array.isArray(plan.resource_drift) ? plan.resource_drift : []) as unknown as RawDrift[];
  return drift.flatMap((d) => {
    const name = nameOf(d.change.before) ?? nameOf(d.change.after);
    const label = `${code(d.address)}${name ? ` (${code(name)})` : ""}`;
    if (d.change.after === null || d.change.after === undefined || d.change.actions.includes("delete"))
      return [`- ${label}: **gone** (deleted outside Terraform)`];
    const { changes } = diffAttributes({
      resourceType: d.type,
      before: d.change.before,
      after: d.change.after,
      beforeSensitive: d.change.before_sensitive,
      afterSensitive: d.change.after_sensitive,
    });
    const what = changes.map((c) =>
      c.op === "update"
        ? `${code(formatPath(c.path))}: ${c.before} → ${c.after}`
        : c.op === "add"
          ? `${code(formatPath(c.path))}: added ${c.after}`
          : `${code(formatPath(c.path))}: removed ${c.before}`,
    );
    // Refreshed attributes that render the same (computed or masked ones only) are not news.
    return what.length > 0 ? [`- ${label}: ${what.join("; ")}`] : [];
  });
}

/** The drift report of a parsed `terraform show -json` plan. */
export function renderDrift(stack: string, plan: unknown): string {
  const lines = driftLines(plan);
  const summary = summarizePlans([{ stack, plan }], { allowDataLoss: true, title: `Plan of ${stack}` });
  return [
    `## Drift of ${code(stack)}`,
    "",
    lines.length > 0 ? "Changed outside Terraform:" : "Nothing changed outside Terraform; the configuration differs from the state:",
    ...(lines.length > 0 ? ["", ...lines] : []),
    "",
    "What the next apply would do:",
    "",
    summary.markdown.trim(),
    "",
  ].join("\n");
}

export async function drift(ctx: StackContext, tf: TerraformRunner): Promise<DriftResult> {
  await ensureInit(tf, ctx.dir, fs.existsSync);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "z3ops-drift-"));
  const planFile = path.join(tmp, "drift.tfplan");
  try {
    // -lock=false: the plan is read and thrown away, so it needs no lock, holds up no apply, and runs
    // with read-only state credentials (the nightly workflow).
    const plan = await tf.run(
      ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", `-out=${planFile}`, ...varArgs(ctx.cliVars)],
      {
        cwd: ctx.dir,
        timeoutMs: 20 * 60_000,
      },
    );
    if (plan.code === 0) return { drifted: false, markdown: "" };
    if (plan.code !== 2)
      throw new TerraformFailed(`terraform plan of ${ctx.stack} failed (exit ${plan.code}):\n${lastLines(plan.stderr || plan.stdout)}`);
    // show -json holds sensitive values in clear: parsed here, never printed (plan-summary masks them).
    const show = await tf.run(["show", "-json", planFile], { cwd: ctx.dir, timeoutMs: 5 * 60_000 });
    if (show.code !== 0) throw new TerraformFailed(`terraform show -json failed:\n${lastLines(show.stderr)}`);
    return { drifted: true, markdown: renderDrift(ctx.stack, JSON.parse(show.stdout)) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
