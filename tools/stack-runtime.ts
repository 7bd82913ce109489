/**
 * What the stack pages add to the stack model (`tools/stack-model.ts`), read from the same synthesized
 * Terraform JSON: how each service runs (image, limits, capabilities, health check, update order),
 * which resources exist only under a condition (a `count` gated on a variable, e.g. the backup runner
 * of an environment whose `backup_repository` is empty), and which volumes a backup runner really backs
 * up: those its `sources.json` lists, not every volume it mounts (its own files volumes are mounts too).
 * Names and settings only: no file content but the runner's list of sources, no variable value.
 * The JSON is read through tools/model/synthesized-stack.ts.
 */
import { RUNNER_PATHS } from "../lib/backup-script";
import { readSynthesizedStack } from "./model/synthesized-stack";
import { Json, Service, StackModel, readStack } from "./stack-model";

/** How one service runs, as the page's Runtime table shows it (Markdown cells). */
export interface Runtime {
  readonly image: string;
  readonly limits: string;
  readonly capabilities: string;
  readonly healthCheck: string;
  readonly updateOrder: string;
}

/** A volume a backup runner lists in its sources: copied from its read-only mount, or dumped from its database. */
export interface BackedUp {
  readonly runner: string;
  readonly kind: "files" | "postgres";
  /** `postgres`: the database dumped. */
  readonly database?: string;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** The resource of a model address (`docker_container.x`) in the JSON. */
function resourceAt(json: Json, address: string): Json {
  const [type, name] = address.split(".");
  return readSynthesizedStack(json).resource(type, name) ?? {};
}

/**
 * The condition under which a resource with `count = cond ? 1 : 0` exists, in words:
 * `` `backup_repository` is set `` for `var.backup_repository != ""`, `` `jessy_test_profile` is true ``
 * for a bool variable, else the expression itself. Undefined for a resource without a count.
 */
export function gateOf(resource: Json): string | undefined {
  if (resource.count === undefined) return undefined;
  const text = String(resource.count);
  const condition = /^\$\{(.+) \? 1 : 0\}$/.exec(text)?.[1];
  if (condition === undefined) return `count ${code(text)}`;
  const set = /^var\.([a-z0-9_]+) != ""$/.exec(condition);
  if (set) return `${code(set[1])} is set`;
  const flag = /^var\.([a-z0-9_]+)$/.exec(condition);
  if (flag) return `${code(flag[1])} is true`;
  return code(condition);
}

/** Per resource name (service, network, volume), the condition it exists under, for the count-gated ones. */
export function gatesOf(json: Json): Map<string, string> {
  const gates = new Map<string, string>();
  const stack = readSynthesizedStack(json);
  for (const type of ["docker_container", "docker_service", "docker_network", "docker_volume"])
    for (const { body } of stack.resources(type)) {
      const gate = gateOf(body);
      if (gate !== undefined && body.name !== undefined) gates.set(String(body.name), gate);
    }
  return gates;
}

/**
 * The volumes each backup runner (a service labelled `role=backup`) lists in `sources.json`, the file
 * its program reads (uploaded by its files loader; on a swarm, a `docker_config`): a volume is backed
 * up when it is there, whatever else the runner mounts. A runner whose list cannot be read backs
 * nothing up on the page.
 */
export function backedUpVolumes(json: Json, model: StackModel = readStack(json)): Map<string, BackedUp[]> {
  const result = new Map<string, BackedUp[]>();
  for (const runner of model.services.filter((s) => s.backup)) {
    const uploaded = [...model.loaders.filter((l) => l.loaderFor === runner.name), runner]
      .flatMap((s) => s.uploads)
      .find((u) => u.file === RUNNER_PATHS.sources)?.content;
    const config = runner.swarm?.files.find((f) => f.file === RUNNER_PATHS.sources && f.object.startsWith("docker_config."));
    const text = uploaded ?? (config ? configText(json, config.object.slice("docker_config.".length)) : undefined);
    let sources: Json[] = [];
    try {
      sources = text !== undefined ? (JSON.parse(text).sources ?? []) : [];
    } catch {
      sources = [];
    }
    for (const s of sources) {
      if (typeof s.volume !== "string") continue;
      const entry: BackedUp =
        s.kind === "postgres"
          ? { runner: runner.name, kind: "postgres", database: String(s.database) }
          : { runner: runner.name, kind: "files" };
      result.set(s.volume, [...(result.get(s.volume) ?? []), entry]);
    }
  }
  return result;
}

/** The text of a `docker_config` (Terraform writes `${base64encode(local.<name>)}`, the text in the local). */
function configText(json: Json, address: string): string | undefined {
  const stack = readSynthesizedStack(json);
  const data = stack.resource("docker_config", address)?.data;
  if (typeof data !== "string") return undefined;
  const local = /^\$\{base64encode\(local\.([A-Za-z0-9_]+)\)\}$/.exec(data)?.[1];
  if (local !== undefined) {
    const text = stack.locals[local];
    return typeof text === "string" ? text : undefined;
  }
  return Buffer.from(data, "base64").toString("utf8");
}

/**
 * The stack model with each volume's `backedUpBy` read from the runners' sources (the model itself
 * counts every volume a runner mounts): what the pictures and the inventory mark as backed up.
 */
export function documentedStack(json: Json): StackModel {
  const model = readStack(json);
  const backups = backedUpVolumes(json, model);
  return {
    ...model,
    volumes: model.volumes.map((v) => ({ ...v, backedUpBy: [...new Set((backups.get(v.name) ?? []).map((b) => b.runner))].sort() })),
  };
}

/** `name` of `docker_image.X` a service's image refers to, as a variable (with its default) or a literal. */
function imageText(json: Json, reference: unknown): string {
  const image = /docker_image\.([A-Za-z0-9_-]+)/.exec(String(reference ?? ""))?.[1];
  const stack = readSynthesizedStack(json);
  const name = image ? stack.resource("docker_image", image)?.name : reference;
  if (name === undefined) return "–";
  const variable = /^\$\{var\.([a-z0-9_]+)\}$/.exec(String(name))?.[1];
  if (!variable) return code(String(name));
  const fallback = stack.variables.find((v) => v.name === variable)?.default;
  return fallback === undefined || fallback === ""
    ? `${code(variable)} (required)`
    : `${code(variable)} (default ${code(String(fallback))})`;
}

const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;
const cpus = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(2).replace(/0+$/, "")} CPU`;

function containerLimits(c: Json): string {
  const parts: string[] = [];
  if (c.memory !== undefined)
    parts.push(`memory ${c.memory} MiB${c.memory_swap !== undefined && c.memory_swap === c.memory ? " (no swap)" : ""}`);
  if (c.cpus !== undefined) parts.push(cpus(Number(c.cpus)));
  else if (c.cpu_quota !== undefined) parts.push(cpus(Number(c.cpu_quota) / Number(c.cpu_period ?? 100000)));
  if (c.cpu_shares !== undefined) parts.push(`CPU weight ${c.cpu_shares}`);
  return parts.join(", ") || "none";
}

function swarmLimits(s: Json): string {
  const { limits = {}, reservation = {} } = s.task_spec?.resources ?? {};
  const parts: string[] = [];
  if (limits.memory_bytes !== undefined) parts.push(`memory ${mib(Number(limits.memory_bytes))}`);
  if (limits.nano_cpus !== undefined) parts.push(cpus(Number(limits.nano_cpus) / 1e9));
  const reserved = [
    ...(reservation.memory_bytes !== undefined ? [mib(Number(reservation.memory_bytes))] : []),
    ...(reservation.nano_cpus !== undefined ? [cpus(Number(reservation.nano_cpus) / 1e9)] : []),
  ];
  if (reserved.length > 0) parts.push(`reserved ${reserved.join(", ")}`);
  return parts.join(", ") || "none";
}

function capabilitiesText(add: unknown, drop: unknown): string {
  const names = (list: unknown) => (Array.isArray(list) ? list.map((c) => String(c).replace(/^CAP_/, "")) : []);
  const dropped = names(drop);
  const added = names(add);
  if (dropped.length === 0 && added.length === 0) return "Docker's default set";
  return [...(dropped.length > 0 ? [`drop ${dropped.join(", ")}`] : []), `add ${added.map(code).join(", ") || "none"}`].join("; ");
}

function healthText(h: Json | undefined): string {
  if (!h || !Array.isArray(h.test) || h.test.length === 0) return "none (the image's, if any)";
  const [kind, ...args] = h.test.map(String);
  if (kind === "NONE") return "disabled";
  const command = kind === "CMD-SHELL" ? args.join(" ") : kind === "CMD" ? args.join(" ") : [kind, ...args].join(" ");
  const timing = [
    h.interval !== undefined ? `every ${h.interval}` : undefined,
    h.timeout !== undefined ? `timeout ${h.timeout}` : undefined,
    h.retries !== undefined ? `${h.retries} ${Number(h.retries) === 1 ? "retry" : "retries"}` : undefined,
    h.start_period !== undefined ? `start period ${h.start_period}` : undefined,
  ].filter((x) => x !== undefined);
  return `${code(command)}${timing.length > 0 ? ` (${timing.join(", ")})` : ""}`;
}

/** How one service runs: read from its resource in the JSON. */
export function runtimeOf(json: Json, service: Service): Runtime {
  const r = resourceAt(json, service.address);
  if (service.swarm) {
    const spec = r.task_spec?.container_spec ?? {};
    return {
      image: imageText(json, spec.image),
      limits: swarmLimits(r),
      capabilities: capabilitiesText(spec.cap_add, spec.cap_drop),
      healthCheck: healthText(spec.healthcheck),
      updateOrder: `${service.swarm.order} (rolling, ${r.update_config?.parallelism ?? 1} at a time; on failure ${r.update_config?.failure_action ?? "pause"})`,
    };
  }
  return {
    image: imageText(json, r.image),
    limits: containerLimits(r),
    capabilities: capabilitiesText(r.capabilities?.add, r.capabilities?.drop),
    healthCheck: healthText(r.healthcheck),
    // A container is never updated in place but replaced (almost every attribute forces it).
    updateOrder:
      r.lifecycle?.create_before_destroy === true
        ? "start-first (`create_before_destroy`)"
        : "stop-first (replaced: destroyed, then created)",
  };
}
