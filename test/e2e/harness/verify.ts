import { REPO_ROOT } from "./env";
import { say } from "./log";
import { run, RunResult } from "./process";
import { record, seconds } from "./report";
import { StackUnderTest } from "./stacks";

/**
 * `npm run verify` as a user runs it, on the suite's synthesized stack (`--out`), with the inputs the
 * suite passes Terraform: non-secret values as `-var`, secrets as TF_VAR_<name> only.
 */
async function runVerify(s: StackUnderTest, dockerHost?: string): Promise<RunResult> {
  const args = [
    "tools/run.js",
    "verify",
    s.name,
    "--out",
    s.config.outDir,
    ...Object.entries(s.vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]),
  ];
  if (dockerHost) args.push("--docker-host", dockerHost);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(s.secrets)) env[`TF_VAR_${k}`] = v;
  const r = await run("node", args, { cwd: REPO_ROOT, env, timeoutMs: 5 * 60_000 });
  if (r.code === 2 || r.timedOut)
    throw new Error(`${s.name}: npm run verify could not run (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${r.stderr}${r.stdout}`);
  return r;
}

function summary(stdout: string): string {
  return stdout.trim().split("\n").slice(-1)[0] ?? "";
}

/** The tool exits 0: every check passed (warnings allowed). Returns its report. */
export async function assertVerifyPasses(s: StackUnderTest, dockerHost?: string): Promise<string> {
  const r = await runVerify(s, dockerHost);
  if (r.code !== 0) throw new Error(`${s.name}: npm run verify failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  record(s.section, "verify s", seconds(r.ms));
  say(`${s.name}: npm run verify: ${summary(r.stdout)} (${seconds(r.ms)}s)`);
  return r.stdout;
}

/** The tool exits 1 and its report matches `expected` (the failing check's line). Returns the report. */
export async function assertVerifyFails(s: StackUnderTest, expected: RegExp): Promise<string>;
export async function assertVerifyFails(s: StackUnderTest, dockerHost: string | undefined, expected: RegExp): Promise<string>;
export async function assertVerifyFails(s: StackUnderTest, a: string | RegExp | undefined, b?: RegExp): Promise<string> {
  const [dockerHost, expected] = a instanceof RegExp ? [undefined, a] : [a, b!];
  const r = await runVerify(s, dockerHost);
  if (r.code !== 1) throw new Error(`${s.name}: npm run verify should fail (exit 1), it exited ${r.code}:\n${r.stdout}${r.stderr}`);
  if (!expected.test(r.stdout))
    throw new Error(`${s.name}: npm run verify failed, but its report does not match ${expected}:\n${r.stdout}`);
  say(
    `${s.name}: npm run verify failed as expected: ${r.stdout
      .split("\n")
      .filter((l) => l.startsWith("✗"))
      .join(" | ")}`,
  );
  return r.stdout;
}
