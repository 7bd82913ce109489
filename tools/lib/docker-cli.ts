/** DockerApi through the `docker` CLI: every call is `docker -H <host> …`, bounded in time. */
import { spawn } from "child_process";
import {
  ContainerInspect,
  DockerApi,
  DockerError,
  EngineInfo,
  ExecResult,
  NodeInspect,
  ServiceInspect,
  TaskInspect,
} from "./verify-docker";

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

/** First line of the CLI's error output, for reports. */
function firstLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")[0]
      ?.replace(/^Error( response from daemon)?:\s*/, "") ?? ""
  );
}

const NOT_FOUND = /No such (object|container|service|task|node)|not found/i;

export class DockerCli implements DockerApi {
  constructor(
    private readonly host: string,
    private readonly extraEnv: Readonly<Record<string, string>> = {},
  ) {}

  private docker(args: readonly string[], timeoutMs?: number): Promise<ExecResult> {
    return dockerOn(this.host, args, timeoutMs, this.extraEnv);
  }

  private async json<T>(args: readonly string[]): Promise<T[] | undefined> {
    const r = await this.docker(args);
    if (r.code !== 0) {
      if (NOT_FOUND.test(r.stderr)) return undefined;
      throw new DockerError(`docker ${args.join(" ")}: ${firstLine(r.stderr) || `exit ${r.code}`}`);
    }
    return JSON.parse(r.stdout) as T[];
  }

  async engine(): Promise<EngineInfo> {
    const r = await this.docker(["info", "--format", "{{json .}}"]);
    if (r.code !== 0) throw new DockerError(firstLine(r.stderr) || `docker info exited ${r.code}`);
    const info = JSON.parse(r.stdout) as {
      ServerVersion?: string;
      ServerErrors?: string[];
      Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean };
    };
    if (!info.ServerVersion) throw new DockerError(info.ServerErrors?.[0] ?? "the Docker host did not answer");
    const swarm = info.Swarm?.LocalNodeState === "active" ? info.Swarm : undefined;
    return { serverVersion: info.ServerVersion, swarmNodeId: swarm?.NodeID || undefined, swarmManager: swarm?.ControlAvailable === true };
  }

  async container(nameOrId: string): Promise<ContainerInspect | undefined> {
    return (await this.json<ContainerInspect>(["container", "inspect", nameOrId]))?.[0];
  }

  async service(name: string): Promise<ServiceInspect | undefined> {
    return (await this.json<ServiceInspect>(["service", "inspect", name]))?.[0];
  }

  async tasks(service: string): Promise<readonly TaskInspect[]> {
    const r = await this.docker(["service", "ps", "-q", "--no-trunc", "--filter", "desired-state=running", service]);
    if (r.code !== 0) throw new DockerError(`docker service ps ${service}: ${firstLine(r.stderr) || `exit ${r.code}`}`);
    const ids = r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    if (ids.length === 0) return [];
    return (await this.json<TaskInspect>(["inspect", "--type", "task", ...ids])) ?? [];
  }

  async nodes(): Promise<readonly NodeInspect[]> {
    const r = await this.docker(["node", "ls", "-q"]);
    if (r.code !== 0) throw new DockerError(`docker node ls: ${firstLine(r.stderr) || `exit ${r.code}`}`);
    const ids = r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    if (ids.length === 0) return [];
    return (await this.json<NodeInspect>(["node", "inspect", ...ids])) ?? [];
  }

  exec(container: string, argv: readonly string[]): Promise<ExecResult> {
    return this.docker(["exec", container, ...argv], 90_000);
  }
}
