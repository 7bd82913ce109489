/**
 * Terraform in a synthesized stack's directory, as `cdktf deploy` runs it there: the engine is
 * TERRAFORM_BINARY_NAME (as cdktf reads it) or terraform; -var values are passed on, sensitive ones
 * stay in TF_VAR_* of the environment.
 */
import { spawn } from "child_process";
import { ExecResult } from "../verify/docker-api";

export interface TerraformRunner {
  run(args: readonly string[], opts: { cwd: string; timeoutMs?: number; stream?: boolean }): Promise<ExecResult>;
}

export function terraformRunner(env: NodeJS.ProcessEnv): TerraformRunner {
  const bin = env.TERRAFORM_BINARY_NAME || "terraform";
  return {
    run: (args, opts) =>
      new Promise((resolve, reject) => {
        const child = spawn(bin, [...args], {
          cwd: opts.cwd,
          env: { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          if (opts.stream) process.stderr.write(d);
        });
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
          if (opts.stream) process.stderr.write(d);
        });
        const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 30 * 60_000);
        child.on("error", (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(e.code === "ENOENT" ? new Error(`${bin} is not on PATH (TERRAFORM_BINARY_NAME picks another engine)`) : e);
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stdout, stderr });
        });
      }),
  };
}

/** `-var name=value` for the values given on the command line (the rest comes from TF_VAR_* or defaults). */
export function varArgs(vars: Readonly<Record<string, string>>): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
}

/** Runs `terraform init` when the directory has never been initialised. */
export async function ensureInit(tf: TerraformRunner, dir: string, exists: (p: string) => boolean): Promise<void> {
  if (exists(`${dir}/.terraform`)) return;
  const r = await tf.run(["init", "-input=false", "-no-color"], { cwd: dir, timeoutMs: 10 * 60_000 });
  if (r.code !== 0) throw new TerraformFailed(`terraform init in ${dir} failed:\n${lastLines(r.stderr || r.stdout)}`);
}

export class TerraformFailed extends Error {}

export function lastLines(text: string, n = 20): string {
  return text.trim().split("\n").slice(-n).join("\n");
}
