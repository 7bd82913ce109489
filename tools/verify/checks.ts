/**
 * The checks of `npm run verify`, run against a DockerApi and a TcpProbe (the real ones, or recorded
 * answers in the unit tests):
 *   1. the engine answers (and is a swarm manager when the stack has swarm services);
 *   2. every long-running service runs and is healthy (containers: running, health "healthy" when a
 *      health check is defined; swarm: running tasks = desired replicas, each task's container
 *      healthy), every one-shot job exited 0;
 *   3. every published port answers on its declared address, and nothing answers where nothing is
 *      declared (no undeclared bindings; a loopback-bound port refuses this machine's other address
 *      when the host is local; a swarm host-mode port refuses on nodes that run no task);
 *   4. every modelled connection works from inside the dependant (tools/verify/links.ts).
 * `waitSeconds` repeats step 2 until it passes or the time is up (services still starting).
 */
import { isLoopback, DockerHost } from "./docker-host";
import {
  ContainerInspect,
  DockerApi,
  DockerError,
  EngineInfo,
  NodeInspect,
  nodeAddress,
  ServiceInspect,
  TaskInspect,
  TcpProbe,
} from "./docker-api";
import { modelledLinks } from "./links";
import { noShell, parseProbe, probeCommand, safeProbeTarget } from "./container-probe";
import { OneShotModel, Presence, PublishedPort, ServiceModel, StackModel } from "./expected-stack";

export type CheckStatus = "pass" | "fail" | "warn" | "note";

export interface Check {
  readonly status: CheckStatus;
  /** What was checked, e.g. `service zfs-sync-dev-app`. */
  readonly what: string;
  readonly detail: string;
}

export interface VerifyOptions {
  readonly model: StackModel;
  readonly docker: DockerApi;
  readonly tcp: TcpProbe;
  readonly host: DockerHost;
  /** A non-loopback IPv4 address of this machine, for the "nothing answers" checks on a local host. */
  readonly externalAddress?: string;
  /** Repeat the state checks until they pass, up to this long. @default 0 */
  readonly waitSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface VerifyResult {
  readonly engine?: EngineInfo;
  readonly checks: readonly Check[];
}

const pass = (what: string, detail: string): Check => ({ status: "pass", what, detail });
const fail = (what: string, detail: string): Check => ({ status: "fail", what, detail });
const warn = (what: string, detail: string): Check => ({ status: "warn", what, detail });
const note = (what: string, detail: string): Check => ({ status: "note", what, detail });

function oneLine(text: string, max = 160): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function countNote(p: Presence): string {
  return p.count ? `count = ${p.count}` : "";
}

/** What the state phase learned, for the endpoint and connection checks. */
interface Observed {
  readonly containers: Map<string, ContainerInspect | undefined>;
  readonly services: Map<string, ServiceInspect | undefined>;
  readonly tasks: Map<string, readonly TaskInspect[]>;
  /** Services found not deployed (count = 0, or an unknown count and nothing there). */
  readonly absent: Set<string>;
}

function healthDetail(i: ContainerInspect): string {
  const last = i.State.Health?.Log?.slice(-1)[0];
  return last ? `; last check exit ${last.ExitCode}: ${oneLine(last.Output, 120)}` : "";
}

/** A container that should run: running, and healthy when it has a health check. */
function containerServiceCheck(s: ServiceModel, i: ContainerInspect | undefined): Check {
  const what = `service ${s.name}`;
  if (!i) return fail(what, "no such container on the Docker host");
  const st = i.State as ContainerInspect["State"] & { Restarting?: boolean };
  if (st.Restarting) return fail(what, `restarting (last exit ${st.ExitCode}, ${i.RestartCount ?? 0} restarts)`);
  if (!st.Running)
    return fail(
      what,
      `not running: ${st.Status}${st.Status === "exited" ? `, exit ${st.ExitCode}` : ""}${st.Error ? ` (${oneLine(st.Error, 100)})` : ""}`,
    );
  const health = st.Health ?? undefined;
  if (s.healthcheck || health) {
    if (!health) return fail(what, "running, but without the health check the stack defines");
    if (health.Status !== "healthy") return fail(what, `running, health ${health.Status}${healthDetail(i)}`);
    return pass(what, "running, healthy");
  }
  return pass(what, "running (no health check defined)");
}

function oneShotCheck(j: OneShotModel, i: ContainerInspect | undefined): Check {
  const what = `one-shot ${j.name}`;
  if (!i) return fail(what, "no such container on the Docker host (the job never ran)");
  const st = i.State;
  if (st.Running) return fail(what, "still running");
  if (st.Status === "created") return fail(what, "created but never started");
  if (st.Status !== "exited" || st.ExitCode !== 0) return fail(what, `${st.Status}, exit ${st.ExitCode}: see docker logs ${j.name}`);
  return pass(what, "exited 0");
}

function nodeLabel(id: string | undefined, nodes: readonly NodeInspect[]): string {
  const n = nodes.find((x) => x.ID === id);
  if (!n) return `node ${id?.slice(0, 12) ?? "?"}`;
  return `node ${nodeAddress(n) ?? n.Description?.Hostname ?? n.ID.slice(0, 12)}`;
}

/** A swarm service: desired replicas running, each task's container healthy. */
async function swarmServiceCheck(
  s: ServiceModel,
  svc: ServiceInspect | undefined,
  tasks: readonly TaskInspect[],
  engine: EngineInfo,
  nodes: readonly NodeInspect[],
  docker: DockerApi,
): Promise<Check[]> {
  const what = `service ${s.name}`;
  if (!svc) return [fail(what, "no such swarm service")];
  const problems: string[] = [];
  const specReplicas = svc.Spec.Mode?.Replicated ? (svc.Spec.Mode.Replicated.Replicas ?? 1) : undefined;
  if (s.replicas !== undefined && specReplicas !== undefined && specReplicas !== s.replicas)
    problems.push(`the stack declares ${s.replicas} replicas, the service has ${specReplicas}`);
  const desired = specReplicas ?? s.replicas;
  const running = tasks.filter((t) => t.Status.State === "running");
  for (const t of tasks.filter((x) => x.Status.State !== "running")) {
    problems.push(
      `task ${t.Slot ?? t.ID.slice(0, 12)} on ${nodeLabel(t.NodeID, nodes)}: ${t.Status.State}${t.Status.Err ? ` (${oneLine(t.Status.Err, 100)})` : ""}`,
    );
  }
  let inspected = 0;
  let remote = 0;
  for (const t of running) {
    const id = t.Status.ContainerStatus?.ContainerID;
    if (engine.swarmNodeId && t.NodeID === engine.swarmNodeId && id) {
      const c = await docker.container(id);
      inspected++;
      const health = c?.State.Health ?? undefined;
      if (!c) problems.push(`task ${t.Slot ?? t.ID.slice(0, 12)}: its container ${id.slice(0, 12)} is not on this node`);
      else if (!c.State.Running) problems.push(`task ${t.Slot ?? t.ID.slice(0, 12)}: container ${c.State.Status}`);
      else if ((s.healthcheck || health) && health?.Status !== "healthy")
        problems.push(`task ${t.Slot ?? t.ID.slice(0, 12)}: container health ${health?.Status ?? "missing"}${healthDetail(c)}`);
    } else {
      remote++;
    }
  }
  const count = desired === undefined ? `${running.length} tasks running (global)` : `${running.length}/${desired} tasks running`;
  if ((desired !== undefined && running.length !== desired) || (desired === undefined && running.length === 0)) problems.unshift(count);
  const update = svc.UpdateStatus?.State;
  if (update === "paused" || update === "rollback_paused")
    problems.push(`update ${update}${svc.UpdateStatus?.Message ? `: ${oneLine(svc.UpdateStatus.Message, 100)}` : ""}`);
  if (problems.length) return [fail(what, problems.join("; "))];
  const health = !s.healthcheck
    ? "no health check defined"
    : `healthy: ${[inspected ? `${inspected} inspected on this node` : "", remote ? `${remote} on other nodes by task state (a running task has passed its health check)` : ""].filter(Boolean).join(", ")}`;
  const out = [pass(what, `${count}; ${health}`)];
  if (update === "rollback_completed")
    out.push(
      warn(
        `update ${s.name}`,
        `the last update was rolled back${svc.UpdateStatus?.Message ? `: ${oneLine(svc.UpdateStatus.Message, 100)}` : ""}`,
      ),
    );
  return out;
}

async function safely<T>(f: () => Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await f() };
  } catch (e) {
    if (e instanceof DockerError) return { error: e.message };
    throw e;
  }
}

/** Services and one-shot jobs: states, health, replicas. */
async function stateChecks(
  o: VerifyOptions,
  engine: EngineInfo,
  nodes: readonly NodeInspect[],
): Promise<{ checks: Check[]; observed: Observed }> {
  const checks: Check[] = [];
  const observed: Observed = { containers: new Map(), services: new Map(), tasks: new Map(), absent: new Set() };
  for (const s of o.model.services) {
    if (s.deployed === false) {
      observed.absent.add(s.address);
      checks.push(note(`service ${s.name}`, `not deployed (${countNote(s)})`));
      continue;
    }
    if (s.kind === "container") {
      const r = await safely(() => o.docker.container(s.name));
      if (r.error) {
        checks.push(fail(`service ${s.name}`, r.error));
        continue;
      }
      if (!r.value && s.deployed === undefined) {
        observed.absent.add(s.address);
        checks.push(
          note(`service ${s.name}`, `not found, and its ${countNote(s)} could not be evaluated: pass that variable with -var to check it`),
        );
        continue;
      }
      observed.containers.set(s.address, r.value);
      checks.push(containerServiceCheck(s, r.value));
    } else {
      if (!engine.swarmManager) {
        checks.push(fail(`service ${s.name}`, "the Docker host is not a swarm manager: point --docker-host at a manager of the swarm"));
        continue;
      }
      const svc = await safely(() => o.docker.service(s.name));
      const tasks = svc.value ? await safely(() => o.docker.tasks(s.name)) : { value: [] as TaskInspect[] };
      if (svc.error || tasks.error) {
        checks.push(fail(`service ${s.name}`, (svc.error ?? tasks.error)!));
        continue;
      }
      if (!svc.value && s.deployed === undefined) {
        observed.absent.add(s.address);
        checks.push(
          note(`service ${s.name}`, `not found, and its ${countNote(s)} could not be evaluated: pass that variable with -var to check it`),
        );
        continue;
      }
      observed.services.set(s.address, svc.value);
      observed.tasks.set(s.address, tasks.value ?? []);
      checks.push(...(await swarmServiceCheck(s, svc.value, tasks.value ?? [], engine, nodes, o.docker)));
    }
  }
  for (const j of o.model.oneShots) {
    if (j.deployed === false) {
      checks.push(note(`one-shot ${j.name}`, `not deployed (${countNote(j)})`));
      continue;
    }
    const r = await safely(() => o.docker.container(j.name));
    if (r.error) {
      checks.push(fail(`one-shot ${j.name}`, r.error));
      continue;
    }
    if (!r.value && j.deployed === undefined) {
      checks.push(
        note(`one-shot ${j.name}`, `not found, and its ${countNote(j)} could not be evaluated: pass that variable with -var to check it`),
      );
      continue;
    }
    checks.push(oneShotCheck(j, r.value));
  }
  return { checks, observed };
}

const portKey = (p: PublishedPort) => `${p.internal}/${p.protocol}`;
const everyInterface = (ip: string) => ip === "" || ip === "0.0.0.0" || ip === "::";

/** Host bindings docker inspect shows that the stack does not declare, or declares on loopback only. */
function containerBindings(s: ServiceModel, i: ContainerInspect): Check {
  const what = `bindings ${s.name}`;
  const problems: string[] = [];
  const seen: string[] = [];
  for (const [key, bindings] of Object.entries(i.NetworkSettings?.Ports ?? {})) {
    for (const b of bindings ?? []) {
      if (!b.HostPort) continue;
      const declared = s.ports.find((p) => portKey(p) === key && (p.external === undefined || String(p.external) === b.HostPort));
      const at = `${b.HostIp || "0.0.0.0"}:${b.HostPort}`;
      if (!declared) problems.push(`publishes ${at} → ${key}, which the stack does not declare`);
      else if (!everyInterface(declared.ip) && b.HostIp !== declared.ip)
        problems.push(`${key} is bound to ${at}; the stack declares ${declared.ip}:${declared.external}`);
      else seen.push(`${declared.ip}:${b.HostPort}`);
    }
  }
  if (problems.length) return fail(what, problems.join("; "));
  const unique = [...new Set(seen)];
  return pass(what, unique.length ? `only the declared ${unique.join(", ")}` : "no host port published");
}

/** Published container ports: answer on the declared address; loopback-only ones refuse elsewhere. */
async function containerEndpoints(
  o: VerifyOptions,
  s: ServiceModel,
  i: ContainerInspect | undefined,
  notes: Set<string>,
): Promise<Check[]> {
  const checks: Check[] = [];
  if (i?.State.Running) checks.push(containerBindings(s, i));
  for (const p of s.ports) {
    const bound = i?.NetworkSettings?.Ports?.[portKey(p)] ?? [];
    const external = p.external ?? Number(bound.find((b) => b.HostPort)?.HostPort ?? NaN);
    if (p.protocol !== "tcp" || !Number.isFinite(external)) {
      checks.push(
        note(
          `endpoint ${s.name} ${p.ip}:${p.external ?? "?"}/${p.protocol}`,
          p.protocol !== "tcp" ? "not a TCP port: not checked" : "no host port assigned",
        ),
      );
      continue;
    }
    let targets: string[];
    if (o.host.local) {
      targets = everyInterface(p.ip) ? ["127.0.0.1", ...(o.externalAddress ? [o.externalAddress] : [])] : [p.ip];
    } else if (everyInterface(p.ip)) {
      targets = [o.host.address];
    } else if (isLoopback(p.ip)) {
      const what = `endpoint ${s.name} ${p.ip}:${external}`;
      if (!i?.State.Running) checks.push(fail(what, "the container is not running"));
      else if (bound.some((b) => b.HostIp === p.ip && b.HostPort === String(external)))
        checks.push(pass(what, `bound on ${o.host.address} (docker inspect); loopback-only, so not reachable from here`));
      else checks.push(fail(what, "not published (docker inspect shows no such binding)"));
      notes.add("remote-loopback");
      continue;
    } else {
      targets = [p.ip];
    }
    for (const t of targets) {
      const ok = await o.tcp.accepts(t, external);
      checks.push(
        ok
          ? pass(`endpoint ${s.name} ${t}:${external}`, `answers (→ ${p.internal})`)
          : fail(`endpoint ${s.name} ${t}:${external}`, `nothing answers (declared ${p.ip}:${external} → ${p.internal})`),
      );
    }
    if (o.host.local && isLoopback(p.ip)) {
      if (!o.externalAddress) {
        notes.add("no-external-address");
        continue;
      }
      const what = `not exposed ${s.name} ${o.externalAddress}:${external}`;
      const answers = await o.tcp.accepts(o.externalAddress, external);
      checks.push(
        answers ? fail(what, `answers, but the stack binds this port to ${p.ip} only`) : pass(what, `refused (bound to ${p.ip} only)`),
      );
    }
  }
  return checks;
}

/** Swarm ports: host mode answers on the nodes that run a task and nowhere else; ingress on every node. */
async function swarmEndpoints(
  o: VerifyOptions,
  s: ServiceModel,
  svc: ServiceInspect | undefined,
  tasks: readonly TaskInspect[],
  nodes: readonly NodeInspect[],
): Promise<Check[]> {
  const checks: Check[] = [];
  if (svc) {
    const problems: string[] = [];
    for (const p of svc.Endpoint?.Ports ?? []) {
      const mode = p.PublishMode === "host" ? "host" : "ingress";
      const declared = s.ports.find(
        (d) =>
          d.internal === p.TargetPort &&
          d.protocol === (p.Protocol ?? "tcp") &&
          (d.external === undefined || d.external === p.PublishedPort) &&
          d.mode === mode,
      );
      if (!declared)
        problems.push(
          `publishes ${p.PublishedPort} → ${p.TargetPort}/${p.Protocol ?? "tcp"} (${mode} mode), which the stack does not declare`,
        );
    }
    checks.push(
      problems.length
        ? fail(`bindings ${s.name}`, problems.join("; "))
        : pass(
            `bindings ${s.name}`,
            s.ports.length
              ? `only the declared ${s.ports.map((p) => `${p.external}→${p.internal} (${p.mode})`).join(", ")}`
              : "no port published",
          ),
    );
  }
  const ready = nodes.filter((n) => n.Status.State === "ready" && nodeAddress(n));
  const withTask = new Set(tasks.filter((t) => t.Status.State === "running").map((t) => t.NodeID));
  for (const p of s.ports) {
    if (p.protocol !== "tcp" || p.external === undefined) {
      checks.push(note(`endpoint ${s.name} ${p.external ?? "?"}/${p.protocol}`, "not a TCP port with a fixed published port: not checked"));
      continue;
    }
    for (const n of ready) {
      const addr = nodeAddress(n)!;
      const expected = p.mode === "ingress" || withTask.has(n.ID);
      const ok = await o.tcp.accepts(addr, p.external);
      if (expected) {
        checks.push(
          ok
            ? pass(
                `endpoint ${s.name} ${addr}:${p.external}`,
                `answers (${p.mode} mode${p.mode === "host" ? ", a task runs on this node" : ""})`,
              )
            : fail(
                `endpoint ${s.name} ${addr}:${p.external}`,
                `nothing answers (${p.mode} mode${p.mode === "host" ? ", a task runs on this node" : ""})`,
              ),
        );
      } else {
        checks.push(
          ok
            ? fail(`not exposed ${s.name} ${addr}:${p.external}`, "answers, but no task of the service runs on this node (host mode)")
            : pass(`not exposed ${s.name} ${addr}:${p.external}`, "refused (no task on this node)"),
        );
      }
    }
  }
  return checks;
}

/** Connections from inside each dependant (docker exec), see tools/verify/links.ts. */
async function linkChecks(o: VerifyOptions, engine: EngineInfo, observed: Observed, nodes: readonly NodeInspect[]): Promise<Check[]> {
  const checks: Check[] = [];
  for (const link of modelledLinks(o.model)) {
    if (observed.absent.has(link.from.address) || observed.absent.has(link.to.address)) continue;
    const label = `link ${link.from.name} → ${link.alias ?? link.to.name}`;
    const why = link.reasons.join(", ");
    if (link.alias === undefined) {
      checks.push(note(label, `${why}: they share no network, so only the creation order is modelled; nothing to check`));
      continue;
    }
    if (link.ports.length === 0) {
      checks.push(
        note(
          label,
          `${why}: no port to check (${link.to.name} publishes none, and neither its health check nor any listen address names one)`,
        ),
      );
      continue;
    }
    const what = `${label}:${link.ports.join(",")}`;
    if (!safeProbeTarget(link.alias, link.ports)) {
      checks.push(warn(what, `cannot check: ${link.alias} is not a plain host name`));
      continue;
    }
    let container: string | undefined;
    let where = link.from.name;
    if (link.from.kind === "container") {
      const i = observed.containers.get(link.from.address);
      if (!i?.State.Running) {
        checks.push(warn(what, `cannot check from inside ${link.from.name}: it is not running`));
        continue;
      }
      container = link.from.name;
    } else {
      const local = (observed.tasks.get(link.from.address) ?? []).find(
        (t) =>
          t.Status.State === "running" && engine.swarmNodeId && t.NodeID === engine.swarmNodeId && t.Status.ContainerStatus?.ContainerID,
      );
      if (!local) {
        const others = [...new Set((observed.tasks.get(link.from.address) ?? []).map((t) => nodeLabel(t.NodeID, nodes)))];
        checks.push(
          warn(
            what,
            `cannot check from inside ${link.from.name}: none of its tasks runs on the node docker_host points at${others.length ? ` (they run on ${others.join(", ")})` : ""}`,
          ),
        );
        continue;
      }
      container = local.Status.ContainerStatus!.ContainerID!;
      where = `${link.from.name} task ${local.Slot ?? local.ID.slice(0, 12)}`;
    }
    const r = await safely(() => o.docker.exec(container!, probeCommand(link.alias!, link.ports)));
    if (r.error) {
      checks.push(warn(what, `cannot check from inside ${where}: ${r.error}`));
      continue;
    }
    const ex = r.value!;
    if (noShell(ex.code, ex.stderr)) {
      checks.push(warn(what, `cannot check from inside ${where}: no shell (sh) in its image`));
      continue;
    }
    const results = parseProbe(ex.stdout, link.ports);
    if (results.every((x) => x.state === "none")) {
      const reason = ex.code !== 0 && ex.stdout.trim() === "" ? oneLine(ex.stderr, 120) || `docker exec exited ${ex.code}` : "no nc/wget";
      checks.push(warn(what, `cannot check from inside ${where}: ${reason}`));
      continue;
    }
    const closed = results.filter((x) => x.state === "closed");
    const methods = [...new Set(results.filter((x) => x.method).map((x) => x.method))].join("/");
    if (closed.length) {
      checks.push(
        fail(
          what,
          `from inside ${where} (${methods}): ${closed.map((x) => `${x.port} closed${x.detail ? ` (${oneLine(x.detail, 80)})` : ""}`).join(", ")}${
            closed.length < results.length
              ? `; ${results
                  .filter((x) => x.state === "open")
                  .map((x) => x.port)
                  .join(", ")} open`
              : ""
          } [${why}]`,
        ),
      );
    } else {
      checks.push(pass(what, `open from inside ${where} (${methods}) [${why}]`));
    }
  }
  return checks;
}

export async function verifyStack(o: VerifyOptions): Promise<VerifyResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  let engine: EngineInfo;
  try {
    engine = await o.docker.engine();
  } catch (e) {
    if (!(e instanceof DockerError)) throw e;
    return { checks: [fail(`docker host ${o.host.url}`, `does not answer: ${e.message}`)] };
  }
  const checks: Check[] = [
    pass(
      `docker host ${o.host.url}`,
      `Docker Engine ${engine.serverVersion}${engine.swarmManager ? ", swarm manager" : engine.swarmNodeId ? ", swarm worker" : ""}`,
    ),
  ];
  const hasSwarm = o.model.services.some((s) => s.kind === "swarm" && s.deployed !== false);
  let nodes: readonly NodeInspect[] = [];
  if (hasSwarm && engine.swarmManager) {
    const r = await safely(() => o.docker.nodes());
    if (r.error) checks.push(fail("swarm nodes", r.error));
    nodes = r.value ?? [];
  }

  const deadline = now() + (o.waitSeconds ?? 0) * 1000;
  let state = await stateChecks(o, engine, nodes);
  while (state.checks.some((c) => c.status === "fail") && now() < deadline) {
    await sleep(3000);
    state = await stateChecks(o, engine, nodes);
  }
  checks.push(...state.checks);

  const notes = new Set<string>();
  for (const s of o.model.services) {
    if (state.observed.absent.has(s.address) || s.deployed === false) continue;
    if (s.kind === "container") checks.push(...(await containerEndpoints(o, s, state.observed.containers.get(s.address), notes)));
    else if (state.observed.services.has(s.address))
      checks.push(
        ...(await swarmEndpoints(o, s, state.observed.services.get(s.address), state.observed.tasks.get(s.address) ?? [], nodes)),
      );
  }
  if (notes.has("remote-loopback"))
    checks.push(
      note(
        "loopback-only ports",
        `not checked that they refuse other addresses: the Docker host (${o.host.address}) is remote, and only it can reach its loopback`,
      ),
    );
  if (notes.has("no-external-address"))
    checks.push(note("loopback-only ports", "not checked that they refuse other addresses: this machine has no non-loopback IPv4 address"));

  checks.push(...(await linkChecks(o, engine, state.observed, nodes)));
  return { engine, checks };
}
