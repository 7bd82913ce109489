/**
 * `z3ops rollback <stack> <release>`: re-applies an earlier release's synthesized stack through
 * Terraform, in the stack's own working directory (its state and lock stay where `cdktf deploy` keeps
 * them), then runs `verify`. The earlier release's `cdk.tf.json` comes from `--from <synth dir>` (that
 * release's cdktf.out, e.g. a CI artefact), else from synthesizing the release's commit (the part
 * after `+`) in a temporary git worktree. Its image set is the image variables given as -var or
 * TF_VAR_* (as at that release's deploy). Volumes are Terraform resources of both releases: they are
 * kept, and so is their data.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../lib/cli";
import { stackFile } from "../model/synth-output";
import { readSynthesizedStack } from "../model/synthesized-stack";
import { StackContext } from "./stack-context";
import { lastLines, TerraformFailed, TerraformRunner, varArgs } from "./terraform-runner";

/** What a release label can hold (lib/release.ts). */
export const RELEASE_ARGUMENT = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,79}$/;

/** The `release` labels a synthesized stack carries (one value when it was synthesized with a release). */
export function releasesIn(config: unknown): string[] {
  const releases = readSynthesizedStack(config).workloads.flatMap((w) => (w.labels.release !== undefined ? [w.labels.release] : []));
  return [...new Set(releases)].sort();
}

/** The commit of a release `<version>+<commit>` (or a bare commit). */
export function commitOfRelease(release: string): string | undefined {
  const m = /(?:^|\+)([0-9a-f]{7,40})$/.exec(release);
  return m?.[1];
}

/** The earlier release's synthesized stack: from --from, else synthesized from the release's commit. */
export function earlierStack(
  stack: string,
  release: string,
  from: string | undefined,
  repoRoot: string,
): { config: unknown; source: string } {
  if (from !== undefined) {
    const file = stackFile(from, stack);
    return { config: JSON.parse(fs.readFileSync(file, "utf8")), source: file };
  }
  const commit = commitOfRelease(release);
  if (!commit)
    throw new InputError(`release ${release} names no commit (<version>+<commit>): pass --from <that release's synth output directory>`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "z3ops-release-"));
  const tree = path.join(tmp, "tree");
  try {
    try {
      execFileSync("git", ["-C", repoRoot, "worktree", "add", "--detach", tree, commit], { stdio: "pipe" });
    } catch (e) {
      throw new InputError(
        `commit ${commit} of release ${release} is not in this checkout (git fetch it first): ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`,
      );
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(tree, "node_modules"));
    execFileSync("node", ["scripts/synth.js"], {
      cwd: tree,
      env: { ...process.env, STACK_RELEASE: release, CDKTF_OUTDIR: path.join(tree, "cdktf.out") },
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 15 * 60_000,
    });
    const file = stackFile(path.join(tree, "cdktf.out"), stack);
    return { config: JSON.parse(fs.readFileSync(file, "utf8")), source: `commit ${commit}` };
  } finally {
    try {
      execFileSync("git", ["-C", repoRoot, "worktree", "remove", "--force", tree], { stdio: "ignore" });
    } catch {
      // Not added (a bad commit): nothing to remove.
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface RollbackPlan {
  readonly from: string[];
  readonly to: string;
  readonly source: string;
}

/** Checks the earlier stack is that release; returns what is rolled back from and to. */
export function checkRelease(ctx: StackContext, release: string, earlier: { config: unknown; source: string }): RollbackPlan {
  const carried = releasesIn(earlier.config);
  if (carried.length > 0 && !carried.includes(release))
    throw new InputError(`${earlier.source} is release ${carried.join(", ")}, not ${release}`);
  return { from: releasesIn(ctx.config), to: release, source: earlier.source };
}

/** Writes the earlier stack into the working directory (keeping the current one beside it) and applies it. */
export async function applyEarlier(ctx: StackContext, earlier: { config: unknown }, tf: TerraformRunner): Promise<string> {
  const file = path.join(ctx.dir, "cdk.tf.json");
  fs.copyFileSync(file, path.join(ctx.dir, "cdk.tf.json.before-rollback"));
  fs.writeFileSync(file, JSON.stringify(earlier.config, null, 2));
  const init = await tf.run(["init", "-input=false", "-no-color"], { cwd: ctx.dir, timeoutMs: 10 * 60_000 });
  if (init.code !== 0) throw new TerraformFailed(`terraform init failed:\n${lastLines(init.stderr || init.stdout)}`);
  const apply = await tf.run(["apply", "-auto-approve", "-input=false", "-no-color", ...varArgs(ctx.cliVars)], {
    cwd: ctx.dir,
    timeoutMs: 60 * 60_000,
    stream: true,
  });
  if (apply.code !== 0)
    throw new TerraformFailed(
      `terraform apply of the earlier release failed (exit ${apply.code}):\n${lastLines(apply.stderr || apply.stdout)}`,
    );
  return apply.stdout.match(/Apply complete![^\n]*/)?.[0] ?? "applied";
}
