import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../../tools/verify/verify-command";
import { InputError } from "../../../tools/lib/cli";
import {
  ContainerInspect,
  DockerApi,
  DockerError,
  EngineInfo,
  ExecResult,
  NodeInspect,
  ServiceInspect,
  TaskInspect,
  TcpProbe,
} from "../../../tools/verify/docker-api";

/*
 * The checks of `npm run verify` against recorded Docker answers (test/tools/fixtures/verify, trimmed
 * by trim.js there): `docker container inspect` of the containers target as the real-engine suite
 * deployed zfs-sync-dev, jessy-dev, zcash-dev and zcash-staging, and `docker service inspect`,
 * `docker inspect --type task`, `docker node inspect` of zfs-sync-staging on a three-node swarm
 * (converged, in the middle of a rolling update, after a rolled-back update). The stacks are the
 * app's own, synthesized into a temporary directory.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const FIX = path.join(__dirname, "..", "fixtures", "verify");
const EXTERNAL = "192.0.2.2";
const load = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(FIX, ...parts), "utf8")) as T;
/** A recorded answer the test edits (the API's types are read-only). */
type Editable<T> = { -readonly [K in keyof T]: NonNullable<T[K]> extends object ? Editable<NonNullable<T[K]>> : T[K] };
/** The container named `name` in a recording, to edit. */
const editable = (containers: ContainerInspect[], name: (n: string) => boolean) =>
  containers.find((c) => name(c.Name))! as unknown as Editable<ContainerInspect>;

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
  const synth = spawnSync("node", [path.join(ROOT, "scripts", "synth.js")], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: out },
    encoding: "utf8",
  });
  if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

type ExecHandler = (container: string, host: string, ports: number[]) => ExecResult | undefined;

/** A Docker host that answers from recorded JSON; `docker exec` of the probe goes to `onExec`. */
/** `docker info` as recorded: the fields the engine check reads. */
type EngineAnswer = { ServerVersion: string; Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean } };

interface Recording {
  info?: EngineAnswer;
  containers?: ContainerInspect[];
  services?: ServiceInspect[];
  tasks?: (TaskInspect & { ServiceID?: string })[];
  nodes?: NodeInspect[];
  unreachable?: string;
  onExec?: ExecHandler;
}

class RecordedDocker implements DockerApi {
  readonly execs: string[] = [];
  constructor(readonly recording: Recording) {}

  async engine(): Promise<EngineInfo> {
    if (this.recording.unreachable) throw new DockerError(this.recording.unreachable);
    const info = this.recording.info ?? { ServerVersion: "26.1.5+dfsg1" };
    const swarm = info.Swarm?.LocalNodeState === "active" ? info.Swarm : undefined;
    return { serverVersion: info.ServerVersion, swarmNodeId: swarm?.NodeID, swarmManager: swarm?.ControlAvailable === true };
  }
  async container(nameOrId: string): Promise<ContainerInspect | undefined> {
    return (this.recording.containers ?? []).find(
      (c) => c.Name === `/${nameOrId}` || c.Id === nameOrId || (nameOrId.length >= 12 && c.Id.startsWith(nameOrId)),
    );
  }
  async service(name: string): Promise<ServiceInspect | undefined> {
    return (this.recording.services ?? []).find((s) => s.Spec.Name === name);
  }
  async tasks(service: string): Promise<readonly TaskInspect[]> {
    const svc = await this.service(service);
    if (!svc) throw new DockerError(`no such service: ${service}`);
    return (this.recording.tasks ?? []).filter((t) => t.ServiceID === svc.ID && t.DesiredState === "running");
  }
  async nodes(): Promise<readonly NodeInspect[]> {
    return this.recording.nodes ?? [];
  }
  async exec(container: string, argv: readonly string[]): Promise<ExecResult> {
    // argv: sh -c <script> verify-probe <host> <port>...
    const [host, ...ports] = argv.slice(4);
    this.execs.push(`${container} ${host}:${ports.join(",")}`);
    return (
      this.recording.onExec?.(container, host, ports.map(Number)) ?? {
        code: 0,
        stdout: ports.map((p) => `R ${p} open nc`).join("\n") + "\n",
        stderr: "",
      }
    );
  }
}

/** TCP from this machine: only the listed host:port pairs accept. */
function tcp(open: Iterable<string>): TcpProbe & { asked: string[] } {
  const set = new Set(open);
  const asked: string[] = [];
  return {
    asked,
    accepts: async (host, port) => {
      asked.push(`${host}:${port}`);
      return set.has(`${host}:${port}`);
    },
  };
}

/** Runs the CLI's main() on the synthesized stack with a recorded Docker host. */
async function verify(
  args: string[],
  docker: DockerApi,
  net: TcpProbe,
  opts: { env?: NodeJS.ProcessEnv; externalAddress?: string | null } = {},
): Promise<{ exitCode: number; report: string; line: (what: RegExp) => string }> {
  const r = await main([...args, "--out", out], {
    env: opts.env ?? {},
    docker: () => docker,
    tcp: net,
    externalAddress: opts.externalAddress === undefined ? EXTERNAL : opts.externalAddress,
    sleep: async () => undefined,
  });
  const lines = r.output.split("\n");
  return {
    exitCode: r.exitCode,
    report: r.output,
    line: (what) => {
      const l = lines.find((x) => what.test(x));
      if (l === undefined) throw new Error(`no line matches ${what} in:\n${r.output}`);
      return l;
    },
  };
}

const statuses = (report: string) =>
  report
    .split("\n")
    .filter((l) => /^[✓✗!-] /.test(l))
    .map((l) => l[0]);

describe("containers target (recorded docker inspect)", () => {
  const zfsDev = () => load<ContainerInspect[]>("zfs-sync-dev.containers.json");
  const zfsOpen = ["127.0.0.1:8000"];

  test("zfs-sync-dev as deployed: running and healthy, 127.0.0.1:8000 answers, the machine's other address is refused", async () => {
    const r = await verify(["zfs-sync-dev"], new RecordedDocker({ containers: zfsDev() }), tcp(zfsOpen));
    expect(r.exitCode).toBe(0);
    expect(r.line(/service zfs-sync-dev-app/)).toMatch(/^✓ .* running, healthy$/);
    expect(r.line(/endpoint zfs-sync-dev-app 127\.0\.0\.1:8000/)).toMatch(/^✓ .*answers/);
    expect(r.line(/not exposed zfs-sync-dev-app 192\.0\.2\.2:8000/)).toMatch(/^✓ .*refused \(bound to 127\.0\.0\.1 only\)/);
    expect(r.line(/bindings zfs-sync-dev-app/)).toMatch(/^✓ .*only the declared 127\.0\.0\.1:8000$/);
    expect(r.report).toMatch(
      /^verify zfs-sync-dev \(containers\) on unix:\/\/\/var\/run\/docker\.sock \(local; from docker_host variable\)$/m,
    );
    // The backup runner exists only while backup_repository is set (the recording has none): a note, never a failure.
    expect(r.line(/service zfs-sync-dev-backup/)).toMatch(/^- /);
    expect(r.report.trim().split("\n").slice(-1)[0]).toBe("OK: zfs-sync-dev: 5 passed, 0 failed, 1 not checked");
  });

  test("a failing health check fails the service, with the last check's output", async () => {
    const containers = zfsDev();
    const app = editable(containers, (n) => n === "/zfs-sync-dev-app");
    app.State.Health = {
      Status: "unhealthy",
      FailingStreak: 3,
      Log: [{ ExitCode: 22, Output: "curl: (22) The requested URL returned error: 503" }],
    };
    const r = await verify(["zfs-sync-dev"], new RecordedDocker({ containers }), tcp(zfsOpen));
    expect(r.exitCode).toBe(1);
    expect(r.line(/service zfs-sync-dev-app/)).toMatch(
      /^✗ .*running, health unhealthy; last check exit 22: curl: \(22\) The requested URL returned error: 503$/,
    );
  });

  test("a stopped service fails, and so does its endpoint (recorded after docker stop)", async () => {
    const r = await verify(
      ["zfs-sync-dev"],
      new RecordedDocker({ containers: load<ContainerInspect[]>("zfs-sync-dev.stopped.containers.json") }),
      tcp([]),
    );
    expect(r.exitCode).toBe(1);
    expect(r.line(/service zfs-sync-dev-app/)).toMatch(/^✗ .*not running: exited, exit 143$/);
    expect(r.line(/endpoint zfs-sync-dev-app 127\.0\.0\.1:8000/)).toMatch(/^✗ .*nothing answers/);
  });

  test("a port answering where none is declared fails: a loopback-only port reachable on the machine's other address, an undeclared binding", async () => {
    const containers = zfsDev();
    const app = editable(containers, (n) => n === "/zfs-sync-dev-app");
    app.NetworkSettings!.Ports!["9000/tcp"] = [{ HostIp: "0.0.0.0", HostPort: "9000" }];
    const r = await verify(["zfs-sync-dev"], new RecordedDocker({ containers }), tcp([...zfsOpen, `${EXTERNAL}:8000`]));
    expect(r.exitCode).toBe(1);
    expect(r.line(/not exposed zfs-sync-dev-app 192\.0\.2\.2:8000/)).toMatch(
      /^✗ .*answers, but the stack binds this port to 127\.0\.0\.1 only$/,
    );
    expect(r.line(/bindings zfs-sync-dev-app/)).toMatch(/^✗ .*publishes 0\.0\.0\.0:9000 → 9000\/tcp, which the stack does not declare/);
  });

  test("a declared loopback port bound on every interface fails", async () => {
    const containers = zfsDev();
    const app = editable(containers, (n) => n === "/zfs-sync-dev-app");
    app.NetworkSettings!.Ports!["8000/tcp"] = [{ HostIp: "0.0.0.0", HostPort: "8000" }];
    const r = await verify(["zfs-sync-dev"], new RecordedDocker({ containers }), tcp(zfsOpen));
    expect(r.line(/bindings zfs-sync-dev-app/)).toMatch(/^✗ .*8000\/tcp is bound to 0\.0\.0\.0:8000; the stack declares 127\.0\.0\.1:8000/);
  });

  test("a remote host: loopback ports are checked in docker inspect only, public ports at the host's name; the negative check is skipped with a note", async () => {
    const containers = load<ContainerInspect[]>("zcash-staging.containers.json");
    const net = tcp(["zcash-staging.internal:18233"]);
    const env = { TF_VAR_grafana_admin_password: "not-read-at-all", TF_VAR_docker_cert_path: "/secure/tls" };
    const r = await verify(
      ["zcash-staging", "--docker-host", "tcp://zcash-staging.internal:2376"],
      new RecordedDocker({ containers }),
      net,
      { env },
    );
    expect(r.exitCode).toBe(0);
    expect(r.report).toMatch(
      /^verify zcash-staging \(containers\) on tcp:\/\/zcash-staging\.internal:2376 \(remote; from --docker-host\)$/m,
    );
    expect(r.report).toContain("- TLS material from docker_cert_path (/secure/tls)");
    expect(r.line(/endpoint z3-testnet-zebra zcash-staging\.internal:18233/)).toMatch(/^✓ .*answers/);
    expect(r.line(/endpoint z3-testnet-zebra 127\.0\.0\.1:18232/)).toMatch(
      /^✓ .*bound on zcash-staging\.internal \(docker inspect\); loopback-only, so not reachable from here$/,
    );
    expect(r.line(/loopback-only ports/)).toMatch(/^- .*the Docker host \(zcash-staging\.internal\) is remote/);
    expect(net.asked).toEqual(["zcash-staging.internal:18233"]);
    expect(r.report).not.toContain("not-read-at-all");
  });

  test("the docker host does not answer: one failed check, exit 1", async () => {
    const r = await verify(
      ["zfs-sync-dev"],
      new RecordedDocker({
        unreachable: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
      }),
      tcp([]),
    );
    expect(r.exitCode).toBe(1);
    expect(statuses(r.report)).toEqual(["✗"]);
    expect(r.line(/docker host/)).toMatch(/does not answer: Cannot connect to the Docker daemon/);
  });
});

describe("one-shot jobs and connections (jessy-dev, zcash-dev)", () => {
  const jessy = () => load<ContainerInspect[]>("jessy-dev.containers.json");
  const jessyOpen = ["127.0.0.1:3000", "127.0.0.1:8080"];

  test("jessy-dev as deployed: the mmap init exited 0, jessy-api reaches jessy-core:8080, the test profile's jobs are not deployed", async () => {
    const docker = new RecordedDocker({ containers: jessy() });
    const r = await verify(["jessy-dev"], docker, tcp(jessyOpen));
    expect(r.exitCode).toBe(0);
    expect(r.line(/one-shot jessy-dev-mmap-init/)).toMatch(/^✓ .*exited 0$/);
    expect(r.line(/link jessy-dev-api → jessy-core:8080/)).toMatch(
      /^✓ .*open from inside jessy-dev-api \(nc\) \[depends_on, addressed as jessy-core:8080\]$/,
    );
    expect(r.line(/one-shot jessy-dev-unit-tests/)).toMatch(/^- .*not deployed \(count = \$\{var\.jessy_test_profile \? 1 : 0\}\)$/);
    expect(docker.execs).toEqual(["jessy-dev-api jessy-core:8080"]);
  });

  test("a one-shot job that exited non-zero fails", async () => {
    const containers = jessy();
    const init = editable(containers, (n) => n === "/jessy-dev-mmap-init");
    init.State.ExitCode = 3;
    const r = await verify(["jessy-dev"], new RecordedDocker({ containers }), tcp(jessyOpen));
    expect(r.exitCode).toBe(1);
    expect(r.line(/one-shot jessy-dev-mmap-init/)).toMatch(/^✗ .*exited, exit 3: see docker logs jessy-dev-mmap-init$/);
  });

  test("a missing connection fails, naming both ends and what the tool in the image said", async () => {
    const onExec: ExecHandler = (c, host, ports) =>
      c === "jessy-dev-api"
        ? { code: 0, stdout: ports.map((p) => `R ${p} closed nc nc: bad address '${host}'`).join("\n"), stderr: "" }
        : undefined;
    const r = await verify(["jessy-dev"], new RecordedDocker({ containers: jessy(), onExec }), tcp(jessyOpen));
    expect(r.exitCode).toBe(1);
    expect(r.line(/link jessy-dev-api → jessy-core:8080/)).toMatch(
      /^✗ .*from inside jessy-dev-api \(nc\): 8080 closed \(nc: bad address 'jessy-core'\) \[depends_on, addressed as jessy-core:8080\]$/,
    );
  });

  test("-var jessy_test_profile=true expects the test jobs, which were not deployed", async () => {
    const r = await verify(["jessy-dev", "-var", "jessy_test_profile=true"], new RecordedDocker({ containers: jessy() }), tcp(jessyOpen));
    expect(r.exitCode).toBe(1);
    expect(r.line(/one-shot jessy-dev-unit-tests/)).toMatch(/^✗ .*no such container on the Docker host \(the job never ran\)$/);
  });

  test("zcash-dev as deployed: every modelled connection is checked from inside its dependant, with the recorded probe answers", async () => {
    const recordedExec = load<Record<string, string>>("exec.json");
    const onExec: ExecHandler = (c, host, ports) => ({
      code: 0,
      stdout: recordedExec[`${c} ${host} ${ports.join(" ")}`] ?? "",
      stderr: "",
    });
    const docker = new RecordedDocker({ containers: load<ContainerInspect[]>("zcash-dev.containers.json"), onExec });
    const open = ["8181", "28137", "50232", "29232", "28080"].map((p) => `127.0.0.1:${p}`);
    const r = await verify(["zcash-dev"], docker, tcp(open));
    expect(r.exitCode).toBe(0);
    expect(docker.execs.sort()).toEqual([
      "z3-regtest-cookie-permissions zebra:8080,9999,18232",
      "z3-regtest-rpc-router zallet:28232",
      "z3-regtest-rpc-router zebra:8080,9999,18232",
      "z3-regtest-zaino zebra:8080,9999,18232",
      "z3-regtest-zallet zebra:8080,9999,18232",
    ]);
    expect(r.line(/link z3-regtest-zaino → zebra:/)).toMatch(/^✓ .*\[depends_on, addressed as zebra:18232\]$/);
    expect(r.line(/link z3-regtest-zaino → z3-regtest-cookie-permissions/)).toMatch(/^- .*no port to check/);
  });

  test("an image without nc, bash, curl or wget: a warning, not a failure", async () => {
    const onExec: ExecHandler = (c, _h, ports) =>
      c === "z3-regtest-rpc-router" ? { code: 0, stdout: ports.map((p) => `R ${p} none`).join("\n"), stderr: "" } : undefined;
    const r = await verify(
      ["zcash-dev"],
      new RecordedDocker({ containers: load<ContainerInspect[]>("zcash-dev.containers.json"), onExec }),
      tcp(["8181", "28137", "50232", "29232", "28080"].map((p) => `127.0.0.1:${p}`)),
    );
    expect(r.exitCode).toBe(0);
    expect(r.line(/link z3-regtest-rpc-router → zallet/)).toMatch(/^! .*cannot check from inside z3-regtest-rpc-router: no nc\/wget$/);
    // Not checked: the two links to cookie-permissions (no port) and the backup runner (only with backup_repository set).
    expect(r.report).toMatch(/^OK: zcash-dev: \d+ passed, 0 failed, 2 warnings, 3 not checked$/m);
  });

  test("an image without a shell: a warning", async () => {
    const onExec: ExecHandler = (c) =>
      c === "z3-regtest-rpc-router"
        ? {
            code: 127,
            stdout: "",
            stderr:
              'OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown',
          }
        : undefined;
    const r = await verify(
      ["zcash-dev"],
      new RecordedDocker({ containers: load<ContainerInspect[]>("zcash-dev.containers.json"), onExec }),
      tcp(["8181", "28137", "50232", "29232", "28080"].map((p) => `127.0.0.1:${p}`)),
    );
    expect(r.line(/link z3-regtest-rpc-router → zebra/)).toMatch(/^! .*no shell \(sh\) in its image$/);
  });
});

describe("swarm target (zfs-sync-staging on three nodes, recorded)", () => {
  const TB = "unix:///run/z3-swarm/node0.sock";
  const recording = (state: string) => ({
    info: load<EngineAnswer>("zfs-sync-staging", "info.json"),
    services: load<ServiceInspect[]>("zfs-sync-staging", state, "services.json"),
    tasks: load<(TaskInspect & { ServiceID?: string })[]>("zfs-sync-staging", state, "tasks.json"),
    nodes: load<NodeInspect[]>("zfs-sync-staging", state, "nodes.json"),
    containers: load<ContainerInspect[]>("zfs-sync-staging", state, "containers.json"),
  });
  /** Nodes that run a proxy task in a recording answer on 443. */
  const proxyNodes = (state: string) => {
    const rec = recording(state);
    const proxy = rec.services.find((s) => s.Spec.Name === "zfs-sync-staging-proxy")!;
    const ids = rec.tasks
      .filter((t) => t.ServiceID === proxy.ID && t.DesiredState === "running" && t.Status.State === "running")
      .map((t) => t.NodeID);
    return rec.nodes.filter((n) => ids.includes(n.ID)).map((n) => `${n.Status.Addr}:443`);
  };

  test("converged: replicas running, the proxy answers on the nodes that run it and only there, connections from tasks on this node", async () => {
    const docker = new RecordedDocker(recording("converged"));
    const r = await verify(["zfs-sync-staging", "--docker-host", TB], docker, tcp(proxyNodes("converged")));
    expect(r.exitCode).toBe(0);
    expect(r.report).toMatch(
      /^verify zfs-sync-staging \(swarm services, one-shot jobs as containers\) on unix:\/\/\/run\/z3-swarm\/node0\.sock/m,
    );
    expect(r.line(/✓ docker host/)).toMatch(/swarm manager$/);
    expect(r.line(/service zfs-sync-staging-app/)).toMatch(/^✓ .*2\/2 tasks running; healthy: 2 on other nodes by task state/);
    expect(r.line(/service zfs-sync-staging-proxy/)).toMatch(
      /^✓ .*2\/2 tasks running; healthy: 1 inspected on this node, 1 on other nodes/,
    );
    expect(r.line(/service zfs-sync-staging-postgres/)).toMatch(/^✓ .*1\/1 tasks running; healthy: 1 inspected on this node$/);
    expect(r.line(/one-shot zfs-sync-staging-migrate/)).toMatch(/^✓ .*exited 0$/);
    expect(r.line(/endpoint zfs-sync-staging-proxy 10\.231\.0\.10:443/)).toMatch(/^✓ .*answers \(host mode, a task runs on this node\)$/);
    expect(r.line(/not exposed zfs-sync-staging-proxy 10\.231\.0\.12:443/)).toMatch(/^✓ .*refused \(no task on this node\)$/);
    expect(r.line(/bindings zfs-sync-staging-proxy/)).toMatch(/^✓ .*only the declared 443→8443 \(host\)$/);
    // The app's tasks run on the other nodes: docker exec cannot reach them through docker_host.
    expect(r.line(/link zfs-sync-staging-app → postgres:5432/)).toMatch(
      /^! .*none of its tasks runs on the node docker_host points at \(they run on node 10\.231\.0\.1[12], node 10\.231\.0\.1[12]\)$/,
    );
    expect(r.line(/link zfs-sync-staging-proxy → zfs-sync:8000/)).toMatch(
      /^✓ .*open from inside zfs-sync-staging-proxy task 2 \(nc\) \[depends_on, addressed as zfs-sync:8000\]$/,
    );
    expect(docker.execs).toEqual([
      `${recording("converged").tasks.find((t) => t.Slot === 2 && t.NodeID === "tuwrt386z0hd4wsqo43w0xl6v")!.Status.ContainerStatus!.ContainerID} zfs-sync:8000`,
    ]);
  });

  test("during a rolling update: 1/2 proxy tasks running fails, naming the task that is still starting", async () => {
    const r = await verify(
      ["zfs-sync-staging", "--docker-host", TB],
      new RecordedDocker(recording("rolling-update")),
      tcp(proxyNodes("rolling-update")),
    );
    expect(r.exitCode).toBe(1);
    expect(r.line(/service zfs-sync-staging-proxy/)).toMatch(/^✗ .*1\/2 tasks running; task 1 on node 10\.231\.0\.10: starting$/);
  });

  test("--wait retries the service checks until they pass or the time is up", async () => {
    const rolling = recording("rolling-update");
    const converged = recording("converged");
    let calls = 0;
    const docker = new RecordedDocker(rolling);
    const original = docker.tasks.bind(docker);
    docker.tasks = async (s: string) => (calls++ < 3 ? original(s) : new RecordedDocker(converged).tasks(s));
    docker.recording.containers = [...converged.containers, ...rolling.containers];
    const r = await verify(["zfs-sync-staging", "--docker-host", TB, "--wait", "60"], docker, tcp(proxyNodes("converged")));
    expect(r.line(/service zfs-sync-staging-proxy/)).toMatch(/^✓ .*2\/2 tasks running/);
    expect(calls).toBeGreaterThan(3);
  });

  test("after a rolled-back update: a warning, not a failure", async () => {
    const r = await verify(
      ["zfs-sync-staging", "--docker-host", TB],
      new RecordedDocker(recording("rolled-back")),
      tcp(proxyNodes("rolled-back")),
    );
    expect(r.exitCode).toBe(0);
    expect(r.line(/update zfs-sync-staging-app/)).toMatch(/^! .*the last update was rolled back: rollback completed$/);
    // The rolled-back app has a task on this node: the connection to PostgreSQL is checked from inside it.
    expect(r.line(/link zfs-sync-staging-app → postgres:5432/)).toMatch(/^✓ .*open from inside zfs-sync-staging-app task 1/);
  });

  test("a host-mode port answering on a node without a task fails", async () => {
    const r = await verify(
      ["zfs-sync-staging", "--docker-host", TB],
      new RecordedDocker(recording("converged")),
      tcp([...proxyNodes("converged"), "10.231.0.12:443"]),
    );
    expect(r.exitCode).toBe(1);
    expect(r.line(/not exposed zfs-sync-staging-proxy 10\.231\.0\.12:443/)).toMatch(
      /^✗ .*answers, but no task of the service runs on this node \(host mode\)$/,
    );
  });

  test("a task container on this node that turned unhealthy fails the service", async () => {
    const rec = recording("converged");
    const pg = editable(rec.containers, (n) => n.startsWith("/zfs-sync-staging-postgres.1."));
    pg.State.Health = { Status: "unhealthy", FailingStreak: 5, Log: [{ ExitCode: 2, Output: "127.0.0.1:5432 - no response" }] };
    const r = await verify(["zfs-sync-staging", "--docker-host", TB], new RecordedDocker(rec), tcp(proxyNodes("converged")));
    expect(r.line(/service zfs-sync-staging-postgres/)).toMatch(
      /^✗ .*task 1: container health unhealthy; last check exit 2: 127\.0\.0\.1:5432 - no response$/,
    );
  });

  test("a missing service and a host that is not a swarm manager fail", async () => {
    const rec = recording("converged");
    let r = await verify(
      ["zfs-sync-staging", "--docker-host", TB],
      new RecordedDocker({ ...rec, services: rec.services.filter((s) => s.Spec.Name !== "zfs-sync-staging-app") }),
      tcp(proxyNodes("converged")),
    );
    expect(r.line(/service zfs-sync-staging-app/)).toMatch(/^✗ .*no such swarm service$/);
    r = await verify(
      ["zfs-sync-staging", "--docker-host", "unix:///var/run/docker.sock"],
      new RecordedDocker({ ...rec, info: { ServerVersion: "26.1.5+dfsg1", Swarm: { LocalNodeState: "inactive" } } }),
      tcp([]),
    );
    expect(r.exitCode).toBe(1);
    expect(r.line(/service zfs-sync-staging-proxy/)).toMatch(/^✗ .*the Docker host is not a swarm manager/);
  });
});

describe("usage", () => {
  test("unknown stack, no synth output, no Docker host, bad -var: InputErrors", async () => {
    const deps = { env: {}, docker: () => new RecordedDocker({}), tcp: tcp([]), externalAddress: null };
    await expect(main(["nope", "--out", out], deps)).rejects.toThrow(
      /^unknown stack nope; synthesized stacks: jessy-dev, .*zfs-sync-staging$/,
    );
    await expect(main(["zfs-sync-dev", "--out", path.join(out, "missing")], deps)).rejects.toThrow(
      /no synthesized stacks in .*: run `npm run synth` first/,
    );
    await expect(main(["zfs-sync-production", "--out", out], deps)).rejects.toThrow(/no Docker host: pass --docker-host/);
    await expect(main(["zfs-sync-dev", "--out", out, "-var", "docker_host"], deps)).rejects.toThrow(/expected name=value/);
    await expect(main(["zfs-sync-dev", "--out", out, "--docker-host", "http://x"], deps)).rejects.toThrow(
      /expected unix:\/\/, tcp:\/\/ or ssh:\/\//,
    );
    await expect(main(["--out", out], deps)).rejects.toThrow(/which stack\?/);
    await expect(main(["zfs-sync-dev", "--out", out, "--wait", "soon"], deps)).rejects.toThrow(InputError);
    expect((await main(["--help"], deps)).output).toContain("usage: npm run verify -- <stack>");
  });

  test("the launcher exits 2 with a one-line message and no stack trace on a usage error", () => {
    for (const [args, message] of [
      [["nope", "--out", out], /^error: unknown stack nope; synthesized stacks: /],
      [["zfs-sync-dev", "--out", path.join(out, "missing")], /^error: no synthesized stacks in .*: run `npm run synth` first/],
    ] as const) {
      const r = spawnSync("node", [path.join(ROOT, "tools", "run.js"), "verify", ...args], { cwd: ROOT, encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  }, 60_000);

  test("the Docker host comes from --docker-host, then -var docker_host, then TF_VAR_docker_host, then the default", async () => {
    const host = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
      (await verify(["zfs-sync-dev", ...args], new RecordedDocker({ unreachable: "x" }), tcp([]), { env })).report.split("\n")[0];
    expect(await host([])).toMatch(/on unix:\/\/\/var\/run\/docker\.sock \(local; from docker_host variable\)/);
    expect(await host([], { TF_VAR_docker_host: "ssh://deploy@10.0.0.5" })).toMatch(
      /on ssh:\/\/deploy@10\.0\.0\.5 \(remote; from docker_host variable\)/,
    );
    expect(await host(["-var", "docker_host=tcp://127.0.0.1:2375"], { TF_VAR_docker_host: "ssh://deploy@10.0.0.5" })).toMatch(
      /on tcp:\/\/127\.0\.0\.1:2375 \(local;/,
    );
    expect(await host(["--docker-host", "ssh://me@h", "-var=docker_host=tcp://x:1"])).toMatch(
      /on ssh:\/\/me@h \(remote; from --docker-host\)/,
    );
  });

  test("the apply workflow verifies each deployment right after applying the saved plan", () => {
    const apply = fs.readFileSync(path.join(ROOT, ".github", "workflows", "terraform-apply.yml"), "utf8");
    const applied = apply.indexOf("apply -input=false -lock-timeout=5m tfplan");
    const verified = apply.indexOf('npm run --silent verify -- "$STACK"');
    expect(applied).toBeGreaterThan(0);
    expect(verified).toBeGreaterThan(applied);
    expect(verified).toBeLessThan(apply.indexOf("name: Remove the plan"));
    // Sensitive variables never reach the command line.
    expect(apply).toContain("select(($declared[.key].sensitive // false) | not)");
  });
});
