/**
 * `npm run policy -- <stack> <plan.json>`: the policy packs on a saved plan (`terraform show -json
 * <plan>`), with every variable and count resolved: what the plan would deploy is judged by the same
 * rules and the same pack as the stack's synth. Exit 1 when the pack reports an error (or the plan
 * does not belong to the stack), 0 otherwise; the plan workflow runs it before a plan can be applied.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "../lib/cdk";
import { EnvironmentName } from "../config/common";
import { ENVIRONMENTS } from "../config/environments";
import { EnvironmentSettings, SettingsError } from "../config/settings";
import { ConstructValidationError } from "../lib/validation";
import { SYSTEMS, buildApp } from "../app";
import {
  PlanJson,
  PlanMismatchError,
  PolicyReport,
  TerraformJson,
  evaluateStack,
  formatPolicySummary,
  subjectsOfPlan,
  synthesizedFile,
} from "../policy";
import { InputError, parseArgs, readJsonFile, runCli } from "./lib/cli";

const USAGE = `usage: npm run policy -- <stack> <plan.json>

Runs the stack's policy pack (the one its settings select) on a saved plan:
  terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json
Every resource instance the plan creates, updates, replaces or keeps is judged by its planned values
(variables and counts resolved; values known only after apply, and sensitive values, as their
expressions). Exit 1 when the pack reports an error.
`;

/**
 * Judges a plan of one stack: synthesizes the app (for the stack's JSON, its construct tree and its
 * pack) and runs the pack on the plan's resource instances.
 */
export function checkPlan(
  stackName: string,
  plan: PlanJson,
  options: { environments?: Readonly<Record<EnvironmentName, EnvironmentSettings>>; systems?: typeof SYSTEMS } = {},
): PolicyReport[] {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "policy-plan-")) });
  try {
    const stacks: TerraformStack[] = buildApp(app, options.environments ?? ENVIRONMENTS, options.systems);
    const stack = stacks.find((s) => s.node.id === stackName);
    if (!stack)
      throw new InputError(`unknown stack ${JSON.stringify(stackName)}; the stacks are: ${stacks.map((s) => s.node.id).join(", ")}`);
    app.synth();
    const config = JSON.parse(fs.readFileSync(synthesizedFile(stack), "utf8")) as TerraformJson;
    return evaluateStack(stack, subjectsOfPlan(stackName, plan, config, stack));
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

function main(argv: readonly string[]): { output: string; exitCode: number; stderr?: string[] } {
  const args = parseArgs(argv, { flags: ["help"], values: [] });
  if (args.flags.has("help")) return { output: USAGE, exitCode: 0 };
  if (args.positional.length !== 2) throw new InputError(`expected <stack> <plan.json>\n${USAGE}`);
  const [stack, file] = args.positional;
  const plan = readJsonFile(file, "plan JSON") as PlanJson;
  if (typeof plan !== "object" || plan === null || (!Array.isArray(plan.resource_changes) && plan.format_version === undefined)) {
    throw new InputError(`${file} is not the JSON of a saved plan (terraform show -json <plan>)`);
  }
  let reports: PolicyReport[];
  try {
    reports = checkPlan(stack, plan);
  } catch (error) {
    if (error instanceof PlanMismatchError || error instanceof SettingsError || error instanceof ConstructValidationError)
      throw new InputError((error as Error).message);
    throw error;
  }
  const summary = formatPolicySummary(reports).replace(/^policy (\S+) \((\w+)\)/gm, "policy $1 ($2, plan)");
  const errors = reports.reduce((n, r) => n + r.summary.errors, 0);
  if (errors === 0) return { output: summary, exitCode: 0 };
  return {
    output: "",
    exitCode: 1,
    stderr: [summary.trimEnd(), `plan refused: ${errors} policy error${errors === 1 ? "" : "s"} in ${stack} (see RULES.md)`],
  };
}

export function run(argv: readonly string[]): void {
  runCli(() => main(argv));
}
