import { configMismatches } from "./inspect-expect";
import { docker, dockerOk, exec, existing, inspect, inspectText, Inspect, logsTail, mustInspect, waitHealthy } from "./docker-engine";
import { say } from "./log";
import { tail, waitFor } from "./process";
import { record, seconds } from "./report";
import { ContainerUnderTest, StackUnderTest } from "./stacks";
import { Change, describeChanges, planExcerpt } from "./terraform";
import { tcpAccepts } from "./net";
import { psql } from "./postgres";

const MINUTE = 60_000;

/**
 * Refuses to touch containers, volumes or networks with the stack's names that this run did not
 * create (another deployment on the same engine). With E2E_REMOVE_CONFLICTS=1 (or CI=true, a
 * throwaway machine) they are removed first, loudly.
 */
export async function ensureNoConflicts(s: StackUnderTest): Promise<void> {
  if (s.pgBackend) await ensureEmptyStateSchema(s);
  const containers = await existing(
    "container",
    s.containers().map((c) => c.name),
  );
  const volumes = await existing("volume", s.volumeNames());
  const networks = await existing("network", s.networkNames());
  const all = [...containers, ...volumes, ...networks];
  if (all.length === 0) return;
  const remove = process.env.E2E_REMOVE_CONFLICTS === "1" || process.env.CI === "true" || process.env.CI === "1";
  if (!remove) {
    throw new Error(
      `${s.name}: the engine already has ${all.join(", ")} (not created by this run). Remove them, or set E2E_REMOVE_CONFLICTS=1 to let the suite remove them.`,
    );
  }
  say(`${s.name}: REMOVING pre-existing ${all.join(", ")} (E2E_REMOVE_CONFLICTS / CI)`);
  await removeByName(containers, volumes, networks);
}

/** A pg-backed stack starts from no state: the suite never adopts state it did not write. */
async function ensureEmptyStateSchema(s: StackUnderTest): Promise<void> {
  const schema = s.json.terraform?.backend?.pg?.schema_name as string | undefined;
  if (!schema || !s.config.pgConnStr) return;
  const exists = await psql(
    s.config.pgConnStr,
    `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = 'states'`,
  );
  if (exists === "0") return;
  const rows = await psql(
    s.config.pgConnStr,
    `SELECT count(*) FROM "${schema}".states WHERE length(data) > 0 AND data::jsonb -> 'resources' <> '[]'::jsonb`,
  );
  if (rows !== "0")
    throw new Error(
      `${s.name}: the state schema ${schema} already holds resources; the e2e suite needs a PostgreSQL database used for nothing else`,
    );
}

async function removeByName(containers: string[], volumes: string[], networks: string[]): Promise<void> {
  if (containers.length) await docker(["rm", "-f", "-v", ...containers]);
  if (volumes.length) await docker(["volume", "rm", "-f", ...volumes]);
  if (networks.length) await docker(["network", "rm", ...networks]);
}

/** synth output → terraform init (from the mirror or the registry) → validate → apply. */
export async function initValidateApply(s: StackUnderTest): Promise<void> {
  const init = await s.tf.init();
  say(`${s.name}: ${s.tf.engine} init ${seconds(init.ms)}s: ${init.providerLine}`);
  record(s.section, "init s", seconds(init.ms));
  await s.tf.validate();
  const apply = await s.tf.applyOk();
  record(s.section, "apply s", seconds(apply.ms));
  const state = await s.tf.stateList();
  record(s.section, "resources", state.length);
  record(s.section, "containers", state.filter((a) => a.startsWith("docker_container.")).length);
  say(`${s.name}: ${state.length} resources in state`);
}

/** Containers the state holds (count-gated ones only when enabled). */
export async function deployed(s: StackUnderTest): Promise<ContainerUnderTest[]> {
  const state = new Set(await s.tf.stateList());
  return s.containers().filter((c) => state.has(`docker_container.${c.id}`) || state.has(`docker_container.${c.id}[0]`));
}

/** Services run and are healthy, one-shots exited 0, loaders were never started. */
export async function assertRunningAndHealthy(s: StackUnderTest, timeoutMs = 3 * MINUTE): Promise<void> {
  const all = await deployed(s);
  const services = all.filter((c) => c.config.must_run !== false && c.config.start !== false);
  await waitHealthy(
    services.map((c) => c.name),
    timeoutMs,
  );
  const problems: string[] = [];
  for (const c of all.filter((x) => x.config.must_run === false && x.config.start !== false)) {
    const i = await mustInspect(c.name);
    if (i.State.Status !== "exited" || i.State.ExitCode !== 0)
      problems.push(`${c.name} (one-shot): ${i.State.Status}, exit ${i.State.ExitCode}\n${await logsTail(c.name)}`);
  }
  for (const c of all.filter((x) => x.config.start === false)) {
    const i = await mustInspect(c.name);
    if (i.State.Status !== "created" || i.State.StartedAt !== "0001-01-01T00:00:00Z")
      problems.push(`${c.name} (files loader) was started: ${i.State.Status}`);
  }
  if (problems.length) throw new Error(problems.join("\n"));
  say(`${s.name}: ${services.length} services running${services.some((c) => c.config.healthcheck) ? " and healthy" : ""}`);
}

/** docker inspect of every deployed container against its docker_container block. */
export async function assertEngineMatchesConfig(s: StackUnderTest): Promise<void> {
  const problems: string[] = [];
  for (const c of await deployed(s)) {
    const i = await mustInspect(c.name);
    const mismatches = configMismatches(c.config, i, s.resolve);
    // The container runs the image the stack's docker_image resolved (image ids compared).
    const imageRef = imageReference(s, c);
    if (imageRef) {
      const id = (await dockerOk(["image", "inspect", "-f", "{{.Id}}", imageRef])).trim();
      if (i.Image !== id) mismatches.push(`image: runs ${i.Image}, ${imageRef} is ${id}`);
    }
    if (mismatches.length) problems.push(`${c.name}:\n  - ${mismatches.join("\n  - ")}`);
  }
  if (problems.length) throw new Error(`docker inspect differs from the synthesized configuration:\n${problems.join("\n")}`);
}

/** The image reference behind a container's `image = docker_image.<id>.image_id`. */
export function imageReference(s: StackUnderTest, c: ContainerUnderTest): string | undefined {
  const m = /docker_image\.([A-Za-z0-9_]+)(\[0\])?\.image_id/.exec(c.config.image ?? "");
  if (!m) return undefined;
  const image = s.json.resource?.docker_image?.[m[1]];
  return image ? s.resolve(image.name) : undefined;
}

/** terraform plan -detailed-exitcode right after a change: 0, or a failure listing the diff. */
export async function assertConverged(s: StackUnderTest, label: string, overrides?: Record<string, string>): Promise<void> {
  const p = await s.tf.plan({ overrides });
  record(s.section, `re-plan s (${label})`, seconds(p.ms));
  if (p.code !== 0) {
    throw new Error(
      `${s.name}: plan after ${label} is not empty (exit ${p.code}): ${describeChanges(p.changes)}\n${p.code === 1 ? tail(p.text) : planExcerpt(p.text)}`,
    );
  }
  say(`${s.name}: re-plan after ${label}: no changes (${seconds(p.ms)}s)`);
}

/** Secret values appear nowhere in `docker inspect` of the stack's containers (env, labels, cmd…). */
export async function assertSecretsNotInInspect(s: StackUnderTest, allowed: { container: string; variable: string }[] = []): Promise<void> {
  const leaks: string[] = [];
  for (const c of await deployed(s)) {
    const text = await inspectText("container", c.name);
    for (const [variable, value] of Object.entries(s.secrets)) {
      if (allowed.some((a) => a.container === c.name && a.variable === variable)) continue;
      const needles = [value, ...value.split("\n").filter((l) => l.length >= 24 && !l.startsWith("-----"))];
      if (needles.some((n) => text.includes(n) || text.includes(JSON.stringify(n).slice(1, -1))))
        leaks.push(`${variable} in docker inspect ${c.name}`);
    }
  }
  if (leaks.length) throw new Error(`secret values visible in docker inspect: ${leaks.join(", ")}`);
}

/** A secret delivered as a file: exact content, the expected mode and root ownership. */
export async function assertSecretFile(
  s: StackUnderTest,
  container: string,
  path: string,
  variable: string,
  mode: string,
  user?: string,
): Promise<void> {
  const stat = await exec(container, ["stat", "-L", "-c", "%a %u:%g", path], { user });
  if (stat.code !== 0) throw new Error(`${container}: cannot stat ${path}: ${stat.stderr}`);
  if (stat.stdout.trim() !== `${mode.replace(/^0/, "")} 0:0`)
    throw new Error(`${container}:${path} is ${stat.stdout.trim()}, expected mode ${mode} owned by root`);
  const content = await exec(container, ["cat", path], { user });
  if (content.code !== 0) throw new Error(`${container}: the service user cannot read ${path}: ${content.stderr}`);
  if (content.stdout !== s.secrets[variable]) throw new Error(`${container}:${path} does not hold the value of ${variable}`);
}

/** Writing to `path` inside the container fails with a read-only file system error. */
export async function assertReadOnly(container: string, path: string, user?: string): Promise<void> {
  const r = await exec(container, ["sh", "-c", `echo x > '${path}/.e2e-write-probe'`], { user });
  if (r.code === 0) {
    await exec(container, ["rm", "-f", `${path}/.e2e-write-probe`], { user });
    throw new Error(`${container}: writing under ${path} succeeded; it should be read-only`);
  }
  if (!/Read-only file system/i.test(r.stderr))
    throw new Error(`${container}: writing under ${path} failed, but not as read-only: ${r.stderr.trim()}`);
}

/** Published ports answer on 127.0.0.1; loopback-bound ones refuse the machine's other address, public ones accept it. */
export async function assertPublishedPorts(s: StackUnderTest, externalAddress?: string): Promise<string[]> {
  const notes: string[] = [];
  const problems: string[] = [];
  for (const c of await deployed(s)) {
    if (c.config.must_run === false) continue;
    for (const p of (c.config.ports ?? []) as { internal: number; external: number; ip: string }[]) {
      if (!(await tcpAccepts("127.0.0.1", p.external)))
        problems.push(`${c.name}: nothing answers on 127.0.0.1:${p.external} (-> ${p.internal})`);
      if (externalAddress) {
        const reachable = await tcpAccepts(externalAddress, p.external);
        if (p.ip === "127.0.0.1" && reachable)
          problems.push(`${c.name}: ${externalAddress}:${p.external} accepts connections, but the port is bound to 127.0.0.1`);
        if (p.ip === "0.0.0.0" && !reachable)
          problems.push(`${c.name}: ${externalAddress}:${p.external} refuses connections, but the port is public`);
        notes.push(`${c.name} ${p.ip}:${p.external}`);
      }
    }
  }
  if (problems.length) throw new Error(problems.join("\n"));
  return notes;
}

/**
 * Kills a service's main process and waits (bounded) until the restart policy has brought it back,
 * healthy. `exec-term`: `docker exec <c> kill 1` (SIGTERM to PID 1, which exits); `host-kill`:
 * SIGKILL to the process from the host, a crash. (`docker kill` is not used: Docker treats it like
 * `docker stop` and the restart policy does not restart the container.)
 */
export async function faultKillMainProcess(s: StackUnderTest, container: string, how: "exec-term" | "host-kill"): Promise<void> {
  const before = await mustInspect(container);
  if (how === "exec-term") {
    const r = await exec(container, ["kill", "1"]);
    if (r.code !== 0) throw new Error(`docker exec ${container} kill 1: ${r.stderr}`);
  } else {
    process.kill(before.State.Pid, "SIGKILL");
  }
  const t0 = Date.now();
  await waitFor(
    `${container} to be restarted by its restart policy (${before.HostConfig.RestartPolicy.Name})`,
    async () => {
      const i = await inspect(container);
      return i !== undefined && i.RestartCount > before.RestartCount && i.State.Running && i.State.StartedAt !== before.State.StartedAt;
    },
    { timeoutMs: 2 * MINUTE, intervalMs: 500, describe: async () => logsTail(container) },
  );
  await waitHealthy([container], 3 * MINUTE);
  const after = (await mustInspect(container)) as Inspect;
  if (after.Id !== before.Id) throw new Error(`${container} was replaced (id changed), not restarted`);
  record(s.section, `fault: kill ${container} (${how}) back healthy s`, seconds(Date.now() - t0));
  say(
    `${s.name}: ${container} killed (${how}), restarted by policy ${after.HostConfig.RestartPolicy.Name} (restart count ${after.RestartCount}) and healthy in ${seconds(Date.now() - t0)}s`,
  );
}

/** docker rm -f out of band: the next plan creates exactly that container, and apply heals it. */
export async function faultRemoveContainer(s: StackUnderTest, container: string): Promise<void> {
  const c = s.container(container);
  await dockerOk(["rm", "-f", container]);
  const p = await s.tf.plan();
  const want: Change[] = [{ address: `docker_container.${c.id}${c.gated ? "[0]" : ""}`, actions: ["create"] }];
  if (p.code !== 2 || JSON.stringify(p.changes) !== JSON.stringify(want)) {
    throw new Error(
      `${s.name}: after docker rm -f ${container} the plan should create exactly ${describeChanges(want)}; it has (exit ${p.code}) ${describeChanges(p.changes)}\n${planExcerpt(p.text)}`,
    );
  }
  const t0 = Date.now();
  await s.tf.applyOk();
  await waitHealthy([container], 3 * MINUTE);
  record(s.section, `fault: rm -f ${container} healed s`, seconds(Date.now() - t0));
  say(`${s.name}: docker rm -f ${container} -> plan: ${describeChanges(p.changes)} -> applied, healthy`);
}

/** `terraform destroy`, then nothing with the stack's names is left on the engine. */
export async function destroyAndAssertClean(s: StackUnderTest): Promise<void> {
  const r = await s.tf.destroy();
  if (r.code !== 0) throw new Error(`${s.name}: terraform destroy failed (exit ${r.code}):\n${tail(r.stderr + r.stdout)}`);
  record(s.section, "destroy s", seconds(r.ms));
  const left = [
    ...(await existing(
      "container",
      s.containers().map((c) => c.name),
    )),
    ...(await existing("volume", s.volumeNames())),
    ...(await existing("network", s.networkNames())),
  ];
  if (left.length) throw new Error(`${s.name}: left behind after destroy: ${left.join(", ")}`);
  say(`${s.name}: destroyed in ${seconds(r.ms)}s; no container, volume or network of the stack is left`);
}

/** Best-effort clean-up after a failed run: destroy, then remove by name whatever is left. */
export async function cleanUp(s: StackUnderTest): Promise<void> {
  if (process.env.E2E_KEEP === "1") {
    say(`${s.name}: E2E_KEEP=1, leaving the stack deployed`);
    return;
  }
  const r = await s.tf.destroy().catch(() => undefined);
  const containers = await existing(
    "container",
    s.containers().map((c) => c.name),
  );
  const volumes = await existing("volume", s.volumeNames());
  const networks = await existing("network", s.networkNames());
  if (containers.length + volumes.length + networks.length > 0) {
    say(
      `${s.name}: clean-up${r && r.code === 0 ? "" : " (destroy failed)"}: removing ${[...containers, ...volumes, ...networks].join(", ")}`,
    );
    await removeByName(containers, volumes, networks);
  }
}
