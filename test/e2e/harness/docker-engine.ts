import { run, RunResult, runOk, sleep, waitFor } from "./process";
import { say } from "./log";

/** What `docker inspect` says about a container (the fields the suite reads). */
export interface Inspect {
  Id: string;
  Name: string;
  RestartCount: number;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    Pid: number;
    StartedAt: string;
    Health?: { Status: string; Log?: { Output: string; ExitCode: number }[] };
  };
  Config: {
    User: string;
    Env: string[] | null;
    Labels: Record<string, string> | null;
    /** Durations in nanoseconds. */
    Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
    Image: string;
    Cmd: string[] | null;
    Entrypoint: string[] | null;
    StopTimeout?: number;
    WorkingDir: string;
  };
  Image: string;
  HostConfig: {
    ReadonlyRootfs: boolean;
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    Privileged: boolean;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
    LogConfig: { Type: string; Config: Record<string, string> };
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null;
    Tmpfs: Record<string, string> | null;
    Memory: number;
    MemorySwap: number;
    CpuQuota: number;
    CpuPeriod: number;
    NanoCpus: number;
    CpuShares: number;
    NetworkMode: string;
    /** "host" when the container shares the host's PID or IPC namespace; empty otherwise. */
    PidMode?: string;
    IpcMode?: string;
  };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
  NetworkSettings: {
    Networks: Record<string, { Aliases: string[] | null; IPAddress: string }>;
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
  };
}

const T = { timeoutMs: 60_000 };

export async function docker(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run("docker", args, { timeoutMs });
}

export async function dockerOk(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return (await runOk("docker", args, { timeoutMs })).stdout;
}

export async function inspect(name: string): Promise<Inspect | undefined> {
  const r = await run("docker", ["container", "inspect", name], { ...T, quiet: true });
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as Inspect[])[0];
}

export async function mustInspect(name: string): Promise<Inspect> {
  const i = await inspect(name);
  if (!i) throw new Error(`container ${name} does not exist`);
  return i;
}

/** The raw `docker inspect` JSON text (secret scans look at all of it). */
export async function inspectText(kind: "container" | "volume" | "network", name: string): Promise<string> {
  return (await runOk("docker", [kind, "inspect", name], { ...T, quiet: true })).stdout;
}

/** docker exec; never throws for a non-zero exit (read-only checks expect failures). */
export async function exec(name: string, cmd: readonly string[], opts: { user?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run("docker", ["exec", ...(opts.user ? ["-u", opts.user] : []), name, ...cmd], { timeoutMs: opts.timeoutMs ?? 30_000 });
}

export async function execOk(name: string, cmd: readonly string[], opts: { user?: string } = {}): Promise<string> {
  const r = await exec(name, cmd, opts);
  if (r.code !== 0) throw new Error(`docker exec ${name} ${cmd.join(" ")} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function logsTail(name: string, lines = 30): Promise<string> {
  const r = await run("docker", ["logs", "--tail", String(lines), name], T);
  return `--- docker logs ${name} (last ${lines}) ---\n${(r.stdout + r.stderr).trim()}`;
}

/** Names of existing containers / volumes / networks among `names`. */
export async function existing(kind: "container" | "volume" | "network", names: readonly string[]): Promise<string[]> {
  const args = kind === "container" ? ["ps", "-a", "--format", "{{.Names}}"] : [kind, "ls", "--format", "{{.Name}}"];
  const all = new Set((await dockerOk(args)).split("\n").filter(Boolean));
  return names.filter((n) => all.has(n));
}

/** Waits until every named container runs and, when it has a health check, is healthy. */
export async function waitHealthy(names: readonly string[], timeoutMs: number): Promise<void> {
  const pending = new Set(names);
  await waitFor(
    `${names.join(", ")} running and healthy`,
    async () => {
      for (const n of [...pending]) {
        const i = await inspect(n);
        if (i && i.State.Running && (!i.State.Health || i.State.Health.Status === "healthy")) pending.delete(n);
      }
      return pending.size === 0;
    },
    {
      timeoutMs,
      intervalMs: 2000,
      describe: async () => {
        const parts: string[] = [];
        for (const n of pending) {
          const i = await inspect(n);
          const health = i?.State.Health;
          const lastCheck = health?.Log?.slice(-1)[0];
          parts.push(
            `${n}: ${i ? `${i.State.Status}, health ${health?.Status ?? "none"}, restarts ${i.RestartCount}${lastCheck ? `, last check exit ${lastCheck.ExitCode}: ${lastCheck.Output.trim().slice(0, 300)}` : ""}` : "missing"}`,
          );
          parts.push(await logsTail(n, 15));
        }
        return parts.join("\n");
      },
    },
  );
}

/** The dockerd process id (bootstrap-engine.sh starts it detached and it writes /var/run/docker.pid). */
export async function dockerdPid(): Promise<number | undefined> {
  const r = await run("cat", ["/var/run/docker.pid"], T);
  const pid = Number(r.stdout.trim());
  return r.code === 0 && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Restarts the Docker daemon the way scripts/bootstrap-engine.sh manages it: SIGTERM to the pid in
 * /var/run/docker.pid (dockerd stops its containers), wait for it to exit, then run the bootstrap,
 * which starts dockerd again and waits until it answers. Bounded at every step.
 */
export async function restartDockerd(repoRoot: string): Promise<{ stopMs: number; startMs: number }> {
  const pid = await dockerdPid();
  if (!pid || !alive(pid)) throw new Error("dockerd is not running from /var/run/docker.pid; cannot restart it");
  const t0 = Date.now();
  say(`stopping dockerd (pid ${pid}, SIGTERM)`);
  process.kill(pid, "SIGTERM");
  await waitFor("dockerd to exit", async () => !alive(pid), { timeoutMs: 90_000, intervalMs: 500 });
  const stopMs = Date.now() - t0;
  await sleep(500);
  const t1 = Date.now();
  say("starting dockerd through scripts/bootstrap-engine.sh --skip-provider");
  await runOk("bash", ["scripts/bootstrap-engine.sh", "--skip-provider"], {
    cwd: repoRoot,
    timeoutMs: 180_000,
    env: { ...process.env, CI: "true" },
  });
  await waitFor("docker to answer", async () => (await docker(["version", "--format", "{{.Server.Version}}"])).code === 0, {
    timeoutMs: 60_000,
  });
  return { stopMs, startMs: Date.now() - t1 };
}
