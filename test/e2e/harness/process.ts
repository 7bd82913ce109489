import { spawn } from "child_process";
import { detail } from "./log";

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process (and fail) after this long. */
  readonly timeoutMs: number;
  readonly input?: string;
  /** Do not copy stdout into the log (secrets, large JSON). */
  readonly quiet?: boolean;
}

export interface RunResult {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/** Runs a command to completion (bounded by timeoutMs); never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const command = [cmd, ...args].join(" ");
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // stdin only when there is input: a closed pipe to a process that already exited is EPIPE.
    const child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: terraform's provider plugins go with it.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      detail(
        `$ ${command}${opts.cwd ? `   (in ${opts.cwd})` : ""}\n  -> exit ${code}${timedOut ? " (TIMED OUT)" : ""} after ${(ms / 1000).toFixed(1)}s`,
      );
      if (!opts.quiet && stdout.trim()) detail(indent(stdout));
      if (stderr.trim()) detail(indent(stderr));
      resolve({ command, code: timedOut ? 124 : (code ?? 1), stdout, stderr, ms, timedOut });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** Like run, but throws (with the output's tail) unless the exit code is 0. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0)
    throw new Error(`${r.command} failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${tail(r.stderr || r.stdout)}`);
  return r;
}

export function tail(text: string, lines = 40): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

function indent(text: string): string {
  return text.replace(/\n$/, "").replace(/^/gm, "    ");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls check() every intervalMs until it returns a truthy value or timeoutMs passes; then throws
 * with the last value described by describe().
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  opts: { timeoutMs: number; intervalMs?: number; describe?: () => Promise<string> },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      const last = opts.describe ? await opts.describe() : "";
      throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${what}${last ? `:\n${last}` : ""}`);
    }
    await sleep(opts.intervalMs ?? 1000);
  }
}
