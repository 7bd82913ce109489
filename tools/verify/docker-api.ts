/**
 * The Docker questions `npm run verify` asks, behind one small interface: the CLI implementation
 * (tools/verify/cli-docker-api.ts) runs `docker -H <host> …`; the unit tests answer from recorded
 * `docker inspect` / `docker service ps` JSON. Only the fields the checks read are typed.
 */

export interface HealthLog {
  readonly ExitCode: number;
  readonly Output: string;
}

export interface PortBinding {
  readonly HostIp: string;
  readonly HostPort: string;
}

/** `docker container inspect` (one element of the array). */
export interface ContainerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly RestartCount?: number;
  readonly State: {
    readonly Status: string;
    readonly Running: boolean;
    readonly ExitCode: number;
    readonly Error?: string;
    readonly FinishedAt?: string;
    readonly Health?: { readonly Status: string; readonly FailingStreak?: number; readonly Log?: readonly HealthLog[] | null } | null;
  };
  readonly NetworkSettings?: { readonly Ports?: Readonly<Record<string, readonly PortBinding[] | null>> | null } | null;
}

/** `docker service inspect`. */
export interface ServiceInspect {
  readonly ID: string;
  readonly Spec: {
    readonly Name: string;
    readonly Mode?: { readonly Replicated?: { readonly Replicas?: number }; readonly Global?: unknown };
  };
  readonly Endpoint?: {
    readonly Ports?:
      | readonly {
          readonly Protocol?: string;
          readonly TargetPort: number;
          readonly PublishedPort?: number;
          readonly PublishMode?: string;
        }[]
      | null;
  } | null;
  readonly UpdateStatus?: { readonly State?: string; readonly Message?: string } | null;
}

/** `docker inspect --type task` of the ids `docker service ps -q` lists. */
export interface TaskInspect {
  readonly ID: string;
  readonly Slot?: number;
  readonly NodeID?: string;
  readonly DesiredState: string;
  readonly Status: {
    readonly State: string;
    readonly Err?: string;
    readonly Message?: string;
    readonly ContainerStatus?: { readonly ContainerID?: string; readonly ExitCode?: number } | null;
  };
}

/** `docker node inspect`. */
export interface NodeInspect {
  readonly ID: string;
  readonly Description?: { readonly Hostname?: string };
  readonly Spec?: { readonly Availability?: string; readonly Role?: string };
  readonly Status: { readonly State: string; readonly Addr?: string };
  readonly ManagerStatus?: { readonly Addr?: string } | null;
}

/** `docker info`: the engine answers; its swarm role. */
export interface EngineInfo {
  readonly serverVersion: string;
  /** This engine's node id when it is part of a swarm. */
  readonly swarmNodeId?: string;
  /** This engine is a swarm manager (can list services and tasks). */
  readonly swarmManager: boolean;
}

/** What a docker command answered (`docker exec` in the checks). */
export type { ExecResult } from "../lib/docker-cli";
import type { ExecResult } from "../lib/docker-cli";

/** A docker command failed for another reason than "no such object" (message from the CLI). */
export class DockerError extends Error {}

export interface DockerApi {
  /** Throws DockerError when the engine does not answer. */
  engine(): Promise<EngineInfo>;
  /** undefined: no such container on this engine. */
  container(nameOrId: string): Promise<ContainerInspect | undefined>;
  /** undefined: no such service. */
  service(name: string): Promise<ServiceInspect | undefined>;
  /** The tasks of a service that should be running (`docker service ps --filter desired-state=running`). */
  tasks(service: string): Promise<readonly TaskInspect[]>;
  nodes(): Promise<readonly NodeInspect[]>;
  /** `docker exec <container> <argv…>`. */
  exec(container: string, argv: readonly string[]): Promise<ExecResult>;
}

/** Whether something answers a TCP connection on host:port (from this machine). */
export interface TcpProbe {
  accepts(host: string, port: number): Promise<boolean>;
}

/** A node's address as other machines reach it (a manager may report 0.0.0.0; its raft address is the real one). */
export function nodeAddress(node: NodeInspect): string | undefined {
  const addr = node.Status.Addr;
  if (addr && addr !== "0.0.0.0") return addr;
  const raft = node.ManagerStatus?.Addr;
  return raft ? raft.replace(/:\d+$/, "") : undefined;
}
