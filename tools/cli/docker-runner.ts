/** `docker -H <host> …` for the operator commands: captured (status) or attached to the terminal (logs, exec). */
import { spawn } from "child_process";
import { DockerCliMissing, dockerOn } from "../lib/docker-cli";
import { ExecResult } from "../verify/docker-api";
import { DockerHost } from "../verify/docker-host";

export interface DockerRunner {
  /** Runs and captures the output. */
  capture(args: readonly string[], timeoutMs?: number): Promise<ExecResult>;
  /** Runs with the caller's stdin, stdout and stderr; resolves to the exit code. */
  attach(args: readonly string[]): Promise<number>;
}

export function dockerRunner(host: DockerHost): DockerRunner {
  return {
    capture: (args, timeoutMs = 60_000) => dockerOn(host.url, args, timeoutMs, host.env),
    attach: (args) =>
      new Promise((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env, ...host.env };
        delete env.DOCKER_CONTEXT;
        delete env.DOCKER_HOST;
        const child = spawn("docker", ["-H", host.url, ...args], { env, stdio: "inherit" });
        child.on("error", (e: NodeJS.ErrnoException) =>
          reject(e.code === "ENOENT" ? new DockerCliMissing("the docker CLI is not on PATH: install it (only the client is needed)") : e),
        );
        child.on("close", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 130 : 1)));
      }),
  };
}
