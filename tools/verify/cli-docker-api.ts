/** DockerApi through the `docker` CLI (tools/lib/docker-cli.ts): every call is `docker -H <host> …`, bounded in time. */
import { dockerOn, ExecResult } from "../lib/docker-cli";
import { ContainerInspect, DockerApi, DockerError, EngineInfo, NodeInspect, ServiceInspect, TaskInspect } from "./docker-api";

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
