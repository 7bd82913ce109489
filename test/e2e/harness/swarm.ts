import { spawnSync } from "child_process";
import { join } from "path";
import { detail, say } from "./log";
import { tail } from "./process";

/**
 * A multi-node Docker Swarm on this machine (scripts/swarm-testbed.sh): one dockerd per network
 * namespace on a private bridge (10.231.0.0/24), node 0 the manager and the data node (label
 * z3-infra.data=true), the others workers. Needs root. Services on it use endpoint_spec.mode=dnsrr
 * and publish_mode=host ports: the kernel has no IPVS, so there is no ingress mesh.
 *
 * Synchronous on purpose: a few calls in a suite's beforeAll/afterAll, each bounded by a timeout.
 */
export class SwarmTestbed {
  static readonly script = join(__dirname, "..", "..", "..", "scripts", "swarm-testbed.sh");

  /** Builds (or keeps, when already healthy) a bed of `nodes` nodes. */
  static up(nodes = 3): SwarmTestbed {
    say(`swarm test bed: up ${nodes}`);
    script(["up", String(nodes)], 300_000);
    return new SwarmTestbed(nodes);
  }

  /** socket/address answers per node (the script derives them from the index alone). */
  private readonly cache = new Map<string, string>();

  private constructor(readonly size: number) {}

  /** Removes everything up() made; safe to call twice. */
  down(): void {
    say("swarm test bed: down");
    script(["down"], 300_000);
  }

  /** Node i's Docker socket URL (unix:///run/z3-swarm/node<i>.sock). */
  socket(i: number): string {
    return this.ask("socket", i);
  }

  /** Node i's IP address on the bed's bridge (10.231.0.<10+i>), reachable from the host. */
  address(i: number): string {
    return this.ask("address", i);
  }

  private ask(what: "socket" | "address", i: number): string {
    const key = `${what} ${i}`;
    let answer = this.cache.get(key);
    if (answer === undefined) this.cache.set(key, (answer = script([what, String(i)], 10_000).trim()));
    return answer;
  }

  /** docker_host for Terraform's docker provider: the manager, node 0. */
  get managerHost(): string {
    return this.socket(0);
  }

  /** Stops node i's dockerd (SIGTERM, waits for it to exit): a lost node, as the swarm sees it. */
  stopNode(i: number): void {
    script(["stop-node", String(i)], 180_000);
  }

  /** Starts node i's dockerd again and waits until the manager reports it ready. */
  startNode(i: number): void {
    script(["start-node", String(i)], 180_000);
  }

  /** Copies images from the machine's own engine into every running node (skips nodes that have them). */
  loadImages(refs: readonly string[]): void {
    if (refs.length > 0) script(["load-images", ...refs], 900_000);
  }

  /** `docker -H <node i> ...args`; returns stdout, throws (with stderr's tail) on a non-zero exit. */
  docker(i: number, args: readonly string[], timeoutMs = 60_000): string {
    return exec("docker", ["-H", this.socket(i), ...args], timeoutMs);
  }

  /** The swarm's nodes as the manager sees them. */
  nodes(): SwarmNode[] {
    const ids = this.docker(0, ["node", "ls", "-q"]).split("\n").filter(Boolean);
    const raw = JSON.parse(this.docker(0, ["node", "inspect", ...ids], 60_000)) as RawNode[];
    return raw.map((n) => ({
      id: n.ID,
      // A manager may report 0.0.0.0 as its status address; its raft address is the real one.
      address: n.Status.Addr && n.Status.Addr !== "0.0.0.0" ? n.Status.Addr : (n.ManagerStatus?.Addr ?? "").replace(/:\d+$/, ""),
      role: n.Spec.Role,
      state: n.Status.State,
      availability: n.Spec.Availability,
      labels: n.Spec.Labels ?? {},
    }));
  }
}

export interface SwarmNode {
  readonly id: string;
  /** The node's address on the bed's bridge (10.231.0.<10+i>). */
  readonly address: string;
  readonly role: "manager" | "worker";
  /** ready, down, unknown, disconnected. */
  readonly state: string;
  /** active, pause, drain. */
  readonly availability: string;
  readonly labels: Record<string, string>;
}

/** The fields of `docker node inspect` that nodes() reads. */
interface RawNode {
  ID: string;
  Spec: { Role: "manager" | "worker"; Availability: string; Labels?: Record<string, string> | null };
  Status: { State: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}

function script(args: readonly string[], timeoutMs: number): string {
  return exec("bash", [SwarmTestbed.script, ...args], timeoutMs);
}

/** Runs a command to completion, logs it like process.run does, throws unless it exits 0. */
function exec(cmd: string, args: readonly string[], timeoutMs: number): string {
  const started = Date.now();
  const r = spawnSync(cmd, [...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const command = [cmd, ...args].join(" ");
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  detail(
    `$ ${command}\n  -> exit ${r.status ?? r.signal}${timedOut ? " (TIMED OUT)" : ""} after ${((Date.now() - started) / 1000).toFixed(1)}s${r.stderr?.trim() ? `\n${r.stderr.trim().replace(/^/gm, "    ")}` : ""}`,
  );
  if (r.error && !timedOut) throw r.error;
  if (r.status !== 0)
    throw new Error(`${command} failed (${timedOut ? "timed out" : `exit ${r.status ?? r.signal}`}):\n${tail(r.stderr || r.stdout || "")}`);
  return r.stdout;
}
