/**
 * `z3ops status <stack>`: every service and one-shot job of a deployed stack, as its Docker host
 * has it: state, health, the release it came from (the `release` label, lib/release.ts), the image
 * digest it runs and the host (node) it runs on, for containers and swarm services alike.
 */
import { DockerError } from "../verify/docker-api";
import { DockerRunner } from "./docker-runner";
import { Deployed, deployed, StackContext } from "./stack-context";

export interface StatusRow {
  readonly service: string;
  readonly kind: "container" | "swarm" | "job";
  readonly state: string;
  readonly health: string;
  readonly release: string;
  readonly image: string;
  readonly host: string;
  /** Not running (or a job that did not exit 0), or unhealthy. */
  readonly failed: boolean;
}

interface ContainerJson {
  readonly Image: string;
  readonly Config?: { readonly Image?: string; readonly Labels?: Record<string, string> | null };
  readonly State: { readonly Status: string; readonly ExitCode: number; readonly Health?: { readonly Status: string } | null };
}

interface ServiceJson {
  readonly Spec: {
    readonly Labels?: Record<string, string> | null;
    readonly TaskTemplate?: { readonly ContainerSpec?: { readonly Image?: string } };
    readonly Mode?: { readonly Replicated?: { readonly Replicas?: number } };
  };
}

interface TaskLine {
  readonly Node: string;
  readonly CurrentState: string;
  readonly DesiredState: string;
}

async function json<T>(docker: DockerRunner, args: readonly string[]): Promise<T | undefined> {
  const r = await docker.capture(args);
  if (r.code !== 0) {
    if (/No such|not found/i.test(r.stderr)) return undefined;
    throw new DockerError(`docker ${args.join(" ")}: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}`);
  }
  return (JSON.parse(r.stdout) as T[])[0];
}

/** `sha256:…` digest the image is pulled by (its repo digest), else its image id. */
async function digestOf(docker: DockerRunner, imageId: string): Promise<string> {
  const image = await json<{ Id: string; RepoDigests?: string[] | null }>(docker, ["image", "inspect", imageId]);
  const repoDigest = image?.RepoDigests?.[0];
  return repoDigest ? repoDigest.slice(repoDigest.indexOf("@") + 1) : (image?.Id ?? imageId);
}

async function containerRow(docker: DockerRunner, s: Deployed, engineName: string): Promise<StatusRow> {
  const kind = s.oneShot ? "job" : "container";
  const c = await json<ContainerJson>(docker, ["container", "inspect", s.name]);
  if (!c) return { service: s.name, kind, state: "missing", health: "-", release: "-", image: "-", host: engineName, failed: true };
  const health = c.State.Health?.Status ?? "none";
  const state = c.State.Status === "exited" ? `exited ${c.State.ExitCode}` : c.State.Status;
  const failed = s.oneShot
    ? !(c.State.Status === "exited" && c.State.ExitCode === 0)
    : c.State.Status !== "running" || health === "unhealthy";
  return {
    service: s.name,
    kind,
    state,
    health,
    release: c.Config?.Labels?.release ?? "-",
    image: await digestOf(docker, c.Image),
    host: engineName,
    failed,
  };
}

async function swarmRow(docker: DockerRunner, s: Deployed): Promise<StatusRow> {
  const svc = await json<ServiceJson>(docker, ["service", "inspect", s.name]);
  if (!svc) return { service: s.name, kind: "swarm", state: "missing", health: "-", release: "-", image: "-", host: "-", failed: true };
  const r = await docker.capture(["service", "ps", "--no-trunc", "--filter", "desired-state=running", "--format", "{{json .}}", s.name]);
  if (r.code !== 0) throw new DockerError(`docker service ps ${s.name}: ${r.stderr.trim().split("\n")[0]}`);
  const tasks = r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as TaskLine);
  const running = tasks.filter((t) => /^Running/.test(t.CurrentState)).length;
  const wanted = svc.Spec.Mode?.Replicated?.Replicas;
  const image = svc.Spec.TaskTemplate?.ContainerSpec?.Image ?? "-";
  return {
    service: s.name,
    kind: "swarm",
    state: `running ${running}/${wanted ?? tasks.length}`,
    // Swarm starts a task only once its health check passes; a running task is a healthy one.
    health: running > 0 ? "healthy (tasks)" : "none",
    release: svc.Spec.Labels?.release ?? "-",
    image: image.includes("@") ? image.slice(image.indexOf("@") + 1) : image,
    host: [...new Set(tasks.map((t) => t.Node))].sort().join(",") || "-",
    failed: wanted === undefined ? running === 0 : running < wanted,
  };
}

export async function status(ctx: StackContext, docker: DockerRunner): Promise<StatusRow[]> {
  const info = await docker.capture(["info", "--format", "{{.Name}}"]);
  if (info.code !== 0) throw new DockerError(`the Docker host ${ctx.host.url} did not answer: ${info.stderr.trim().split("\n")[0]}`);
  const engineName = info.stdout.trim() || ctx.host.address;
  const rows: StatusRow[] = [];
  for (const s of deployed(ctx.model))
    rows.push(!s.oneShot && s.kind === "swarm" ? await swarmRow(docker, s) : await containerRow(docker, s, engineName));
  return rows;
}

/** A fixed-width table, then one line with the verdict. */
export function renderStatus(stack: string, hostUrl: string, rows: readonly StatusRow[]): string {
  const header = ["SERVICE", "KIND", "STATE", "HEALTH", "RELEASE", "IMAGE", "HOST"];
  const cells = rows.map((r) => [r.service, r.kind, r.state, r.health, r.release, shortDigest(r.image), r.host]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const failed = rows.filter((r) => r.failed);
  return [
    `${stack} on ${hostUrl}`,
    line(header),
    ...cells.map(line),
    failed.length === 0
      ? `ok: ${rows.length} running as configured`
      : `FAILED: ${failed.map((r) => `${r.service} ${r.state}${r.health === "unhealthy" ? " unhealthy" : ""}`).join(", ")}`,
    "",
  ].join("\n");
}

/** `sha256:0123456789ab` (12 hex digits, as docker ps prints ids). */
export function shortDigest(image: string): string {
  const m = /^sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(image);
  return m ? `sha256:${m[1]}` : image;
}
