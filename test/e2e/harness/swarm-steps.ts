/**
 * Steps of the swarm scenarios: tasks and where they run, files inside tasks, a bounded load in the
 * background, and what is left on every node after destroy. Everything goes to the test bed's own
 * daemons (network namespaces on this machine), never to the local engine.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";
import { SwarmTestbed } from "./swarm";
import { E2eConfig, REPO_ROOT } from "./env";
import { say } from "./log";
import { waitFor } from "./process";

export interface Task {
  readonly id: string;
  readonly node: number;
  readonly state: string;
  readonly containerId: string;
  readonly image: string;
}

/** The bed's nodes keyed by their index (`docker node ls` lists them in its own order): id → index. */
export function nodeIndexes(bed: SwarmTestbed): Map<string, number> {
  const addresses = Array.from({ length: bed.size }, (_, i) => bed.address(i));
  return new Map(bed.nodes().map((n) => [n.id, addresses.indexOf(n.address)]));
}

/** The state of node `i` as the manager sees it (ready, down, …). */
export function nodeState(bed: SwarmTestbed, i: number): string | undefined {
  const byIndex = nodeIndexes(bed);
  return bed.nodes().find((n) => byIndex.get(n.id) === i)?.state;
}

/** The running tasks of a service, with the index of the node each runs on. */
export function runningTasks(bed: SwarmTestbed, service: string): Task[] {
  const ids = bed
    .docker(0, ["service", "ps", "-q", "--no-trunc", "--filter", "desired-state=running", service])
    .split("\n")
    .filter((x) => x.trim() !== "");
  if (ids.length === 0) return [];
  const byId = nodeIndexes(bed);
  const tasks = JSON.parse(bed.docker(0, ["inspect", "--type", "task", ...ids])) as {
    ID: string;
    NodeID: string;
    Status: { State: string; ContainerStatus?: { ContainerID?: string } };
    Spec?: { ContainerSpec?: { Image?: string } };
  }[];
  return tasks
    .filter((t) => t.Status.State === "running")
    .map((t) => ({
      id: t.ID,
      node: byId.get(t.NodeID) ?? -1,
      state: t.Status.State,
      containerId: t.Status.ContainerStatus?.ContainerID ?? "",
      image: t.Spec?.ContainerSpec?.Image ?? "",
    }));
}

/** Waits until a service has `replicas` running tasks whose image contains `image`; returns the ms it took. */
export async function waitForTasks(
  bed: SwarmTestbed,
  service: string,
  replicas: number,
  opts: { image?: string; timeoutMs?: number; notOn?: number } = {},
): Promise<number> {
  const t0 = Date.now();
  await waitFor(
    `${service}: ${replicas} running task(s)${opts.image ? ` of ${opts.image}` : ""}${opts.notOn !== undefined ? ` off node ${opts.notOn}` : ""}`,
    async () => {
      const tasks = runningTasks(bed, service).filter(
        (t) => (opts.image === undefined || t.image.includes(opts.image)) && t.node !== opts.notOn,
      );
      return tasks.length === replicas;
    },
    { timeoutMs: opts.timeoutMs ?? 180_000, intervalMs: 1000 },
  );
  return Date.now() - t0;
}

/** Runs a command in a task's container, on the node the task runs on. */
export function taskExec(bed: SwarmTestbed, task: Task, cmd: readonly string[]): string {
  return bed.docker(task.node, ["exec", task.containerId, ...cmd]);
}

/** Builds the load generator (Go, standard library only) once per run. */
export function buildLoadgen(config: E2eConfig): string {
  const out = join(config.outDir, "loadgen");
  // The Go toolchain the engine bootstrap builds the provider with (on PATH, or Go's default prefix).
  const go = spawnSync("go", ["version"]).status === 0 ? "go" : existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined;
  if (!go) throw new Error("the load generator needs Go (go on PATH or /usr/local/go/bin/go), as scripts/bootstrap-engine.sh does");
  execFileSync(go, ["build", "-trimpath", "-o", out, "."], {
    cwd: join(REPO_ROOT, "e2e", "loadgen"),
    env: { ...process.env, CGO_ENABLED: "0" },
    stdio: "pipe",
  });
  return out;
}

export interface LoadSummary {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly retries: number;
  readonly durationMs: number;
  readonly ratePerSecond: number;
  readonly stoppedBy: string;
  readonly failureKinds: Record<string, number>;
}

/** A bounded load in the background (count and duration capped); `stop()` ends it and returns its summary. */
export class Load {
  private readonly child: ChildProcess;
  private output = "";
  private readonly done: Promise<void>;

  constructor(
    binary: string,
    readonly urls: readonly string[],
    readonly limits: { maxRequests: number; maxSeconds: number; ratePerSecond: number },
  ) {
    this.child = spawn(
      binary,
      [
        "-urls",
        urls.join(","),
        "-max-requests",
        String(limits.maxRequests),
        "-max-duration",
        `${limits.maxSeconds}s`,
        "-rate",
        String(limits.ratePerSecond),
        "-timeout",
        "5s",
        // The certificate is the suite's own; its chain is checked by the scenario itself.
        ...(urls.some((u) => u.startsWith("https:")) ? ["-insecure"] : []),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    this.child.stdout!.on("data", (d) => (this.output += String(d)));
    this.done = new Promise((resolve) => this.child.on("exit", () => resolve()));
    say(`load: ${limits.ratePerSecond} req/s, at most ${limits.maxRequests} requests or ${limits.maxSeconds}s, over ${urls.join(", ")}`);
  }

  async stop(): Promise<LoadSummary> {
    this.child.kill("SIGINT");
    await this.done;
    const summary = JSON.parse(this.output.trim()) as LoadSummary;
    say(
      `load: ${summary.requests} sent, ${summary.ok} ok, ${summary.failed} failed, ${summary.retries} retried on another node (${summary.stoppedBy})`,
    );
    return summary;
  }
}

/** Names of the stack's objects left on any node: services, secrets, configs, containers, volumes, networks. */
export function leftOnNodes(bed: SwarmTestbed, prefix: string): string[] {
  const left: string[] = [];
  const ls = (node: number, kind: string, extra: string[] = []) =>
    bed
      .docker(node, [kind, "ls", ...extra, "--format", "{{.Name}}"])
      .split("\n")
      .filter((n) => n.startsWith(prefix));
  left.push(
    ...ls(0, "service").map((n) => `service ${n}`),
    ...ls(0, "secret").map((n) => `secret ${n}`),
    ...ls(0, "config").map((n) => `config ${n}`),
  );
  bed.nodes().forEach((_, i) => {
    left.push(
      ...bed
        .docker(i, ["ps", "-a", "--format", "{{.Names}}"])
        .split("\n")
        .filter((n) => n.startsWith(prefix))
        .map((n) => `node${i} container ${n}`),
    );
    left.push(...ls(i, "volume").map((n) => `node${i} volume ${n}`));
    left.push(...ls(i, "network").map((n) => `node${i} network ${n}`));
    // Anonymous volumes carry no name prefix; the stack's tasks are gone, so any volume left is theirs.
    left.push(
      ...bed
        .docker(i, ["volume", "ls", "-q", "--filter", "dangling=true"])
        .split("\n")
        .filter((n) => n.trim() !== "")
        .map((n) => `node${i} anonymous volume ${n.slice(0, 12)}`),
    );
  });
  return left;
}
