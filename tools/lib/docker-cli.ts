/**
 * The `docker` CLI against a given host: every call is `docker -H <host> …`, bounded in time. Used by
 * `npm run restore` and by `npm run verify` (tools/verify/cli-docker-api.ts).
 */
import { spawn } from "child_process";

/** What a docker command answered. */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The docker CLI is not installed: a usage problem, not a failed check. */
export class DockerCliMissing extends Error {}

const TIMEOUT_MS = 60_000;

function run(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = TIMEOUT_MS): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === "ENOENT"
          ? new DockerCliMissing("the docker CLI is not on PATH: install it (only the client is needed) to verify a deployment")
          : e,
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n(timed out after ${Math.round(timeoutMs / 1000)}s)`;
      resolve({ code: timedOut ? 124 : (code ?? 1), stdout, stderr });
    });
  });
}

/** The environment of `docker -H <host>`: a context or DOCKER_HOST from the environment must not compete with -H. */
function hostEnv(extraEnv: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_HOST;
  return env;
}

/** `docker -H <host> …`, bounded in time (`timeoutMs`); throws DockerCliMissing without the CLI. */
export function dockerOn(
  host: string,
  args: readonly string[],
  timeoutMs = TIMEOUT_MS,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<ExecResult> {
  return run(["-H", host, ...args], hostEnv(extraEnv), timeoutMs);
}
