/**
 * Restores one backed-up volume of a deployed stack from its restic repository, through the stack's
 * own backup runner (`<prefix>-backup`, lib/backup.ts). See docs/backups.md.
 *
 *   npm run restore -- <stack> <volume> [<snapshot>] [--docker-host <url>] [--list] [--dry-run] [--yes]
 *   z3ops restore …                (the same, from the operator CLI)
 *
 * The stack and the volume are checked against the synthesized stack (its runner's sources.json)
 * before Docker is contacted. `--dry-run` lists what the restore would change (files and sizes, or
 * the database objects of the dump) and changes nothing; a real restore asks on a terminal and needs
 * `--yes` without one (CI).
 *
 * Files volumes: the services mounting the volume (and the runner) are stopped, a one-off container
 * of the runner's image restores the snapshot into the volume (`restic restore --delete`: the volume
 * ends up exactly as the snapshot), they start again and must become healthy; companion files (the
 * Zallet identity) are compared with the deployed ones. PostgreSQL: the database's clients are
 * stopped, the runner pipes the dump into `pg_restore --clean --if-exists --single-transaction`
 * (all or nothing), the clients start again. On a swarm, services are scaled to 0 and back.
 *
 * Exit codes: 0 restored (or listed); 1 the restore failed (the message says where; stopped services
 * are started again); 2 bad usage.
 */
import * as path from "path";
import { createInterface } from "readline";
import { RUNNER_PATHS } from "../lib/backup-script";
import { InputError, parseArgs } from "./lib/cli";
import { dockerOn, DockerCliMissing } from "./lib/docker-cli";
import { isObject } from "./lib/json";
import { environmentOf, systemAndEnvironment } from "./lib/stack-name";
import { dockerHost } from "./verify/docker-host";
import { extractVarArgs, Variables, VariableBlocks } from "./verify/variable-values";
import { loadSynthesized } from "./model/synth-output";
import { readSynthesizedStack } from "./model/synthesized-stack";

export const USAGE = `usage: npm run restore -- <stack> <volume> [<snapshot>] [options]

Restores a volume of a deployed stack from its backups (restic), through the stack's backup runner.
<snapshot> is a snapshot id from --list (default: the newest snapshot of the volume).

  --docker-host <url>   unix://, tcp:// or ssh:// (default: -var docker_host, TF_VAR_docker_host, DOCKER_HOST, the local engine)
  --out <dir>           synth output directory the stack and volume are checked against (default: $CDKTF_OUTDIR or cdktf.out)
  -var name=value       a Terraform variable's value (also TF_VAR_<name>), e.g. docker_cert_path; repeatable
  --list                list the volume's snapshots and change nothing
  --dry-run             list what the restore would change (files and sizes, or database objects) and change nothing
  --yes                 restore without asking (required without a terminal, e.g. in CI)
  --help                this text

Exit codes: 0 restored (or listed), 1 the restore failed, 2 usage error.
`;

const SCRIPT = "/etc/restic/backup.sh";
const HEALTH_TIMEOUT_MS = 10 * 60_000;

interface RunnerSource {
  readonly kind: "files" | "postgres";
  readonly volume: string;
  readonly companions?: readonly string[];
  readonly clients?: readonly string[];
}

interface Mount {
  readonly Type: string;
  readonly Name?: string;
  readonly Destination: string;
  readonly RW: boolean;
}

/** A failed step: exit 1 with this message. */
export class RestoreError extends Error {}

/** The Docker host, through the docker CLI (`tools/lib/docker-cli.ts`). */
export class Docker {
  constructor(
    readonly host: string,
    private readonly extraEnv: Readonly<Record<string, string>> = {},
  ) {}

  async run(args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      return await dockerOn(this.host, args, opts.timeoutMs ?? 30 * 60_000, this.extraEnv);
    } catch (e) {
      if (e instanceof DockerCliMissing) throw new InputError("the docker CLI is not on PATH: install it (only the client is needed)");
      throw e;
    }
  }

  async ok(args: readonly string[], what: string, timeoutMs?: number): Promise<string> {
    const r = await this.run(args, { timeoutMs });
    if (r.code !== 0) throw new RestoreError(`${what} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`);
    return r.stdout;
  }
}

/** A container or swarm service stopped for the restore, and how to bring it back. */
interface Stopped {
  readonly name: string;
  readonly kind: "container" | "service";
  readonly replicas?: number;
}

function log(line: string): void {
  process.stderr.write(`restore: ${line}\n`);
}

async function runnerOf(docker: Docker, stack: string): Promise<string> {
  const { system, environment } = systemAndEnvironment(stack);
  if (environment === "unknown" || system === "") throw new InputError(`${stack} is not a stack name (<system>-<dev|staging|production>)`);
  const names = (
    await docker.ok(
      [
        "ps",
        "-a",
        "--filter",
        "label=role=backup",
        "--filter",
        `label=system=${system}`,
        "--filter",
        `label=environment=${environment}`,
        "--format",
        "{{.Names}}",
      ],
      "listing containers",
    )
  )
    .split("\n")
    .filter((n) => n !== "");
  if (names.length === 0)
    throw new InputError(`no backup runner of ${stack} on ${docker.host}: is the stack deployed with backup_repository set?`);
  return names[0];
}

async function sourcesOf(docker: Docker, runner: string): Promise<RunnerSource[]> {
  const text = await docker.ok(["exec", runner, "cat", "/etc/restic/sources.json"], `reading ${runner}'s sources (is it running?)`);
  return (JSON.parse(text) as { sources: RunnerSource[] }).sources;
}

/** Whether a container is a task of a swarm service (then the service is what is stopped). */
async function serviceOfTask(docker: Docker, container: string): Promise<string | undefined> {
  const name = (
    await docker.ok(["inspect", "-f", '{{index .Config.Labels "com.docker.swarm.service.name"}}', container], `inspecting ${container}`)
  ).trim();
  return name === "" || name === "<no value>" ? undefined : name;
}

async function stopAll(docker: Docker, names: readonly string[]): Promise<Stopped[]> {
  const stopped: Stopped[] = [];
  const services = new Set<string>();
  for (const name of names) {
    const isService = (await docker.run(["service", "inspect", name])).code === 0;
    const service = isService ? name : await serviceOfTask(docker, name);
    if (service) {
      if (services.has(service)) continue;
      services.add(service);
      const replicas = Number(
        (await docker.ok(["service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", service], `inspecting ${service}`)).trim(),
      );
      log(`scaling swarm service ${service} to 0 (from ${replicas})`);
      await docker.ok(["service", "scale", "--detach=false", `${service}=0`], `scaling ${service} to 0`, 5 * 60_000);
      stopped.push({ name: service, kind: "service", replicas });
      continue;
    }
    const running = (await docker.ok(["inspect", "-f", "{{.State.Running}}", name], `inspecting ${name}`)).trim() === "true";
    if (!running) continue;
    log(`stopping ${name}`);
    await docker.ok(["stop", name], `stopping ${name}`, 5 * 60_000);
    stopped.push({ name, kind: "container" });
  }
  return stopped;
}

async function startAll(docker: Docker, stopped: readonly Stopped[]): Promise<void> {
  for (const s of [...stopped].reverse()) {
    if (s.kind === "service") {
      log(`scaling swarm service ${s.name} back to ${s.replicas}`);
      await docker.ok(["service", "scale", "--detach=false", `${s.name}=${s.replicas}`], `scaling ${s.name} back`, 10 * 60_000);
    } else {
      log(`starting ${s.name}`);
      await docker.ok(["start", s.name], `starting ${s.name}`);
    }
  }
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (const s of stopped.filter((x) => x.kind === "container")) {
    for (;;) {
      const state = (
        await docker.ok(
          ["inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", s.name],
          `inspecting ${s.name}`,
        )
      ).trim();
      if (/^running (healthy|none)$/.test(state)) break;
      if (!state.startsWith("running") || Date.now() > deadline)
        throw new RestoreError(`${s.name} did not come back healthy after the restore (${state})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Containers that mount the volume, the runner included. */
async function mountersOf(docker: Docker, volume: string): Promise<string[]> {
  return (await docker.ok(["ps", "-a", "--filter", `volume=${volume}`, "--format", "{{.Names}}"], "listing containers"))
    .split("\n")
    .filter((n) => n !== "");
}

/** `docker run` arguments of a one-off copy of the runner that mounts `volume` read-write. */
async function oneOffArgs(docker: Docker, runner: string, volume: string, snapshot: string): Promise<string[]> {
  const inspect = JSON.parse(await docker.ok(["inspect", runner], `inspecting ${runner}`))[0] as {
    Image: string;
    Mounts: Mount[];
    NetworkSettings: { Networks: Record<string, unknown> };
  };
  const egress = Object.keys(inspect.NetworkSettings.Networks).find((n) => n.endsWith("-backup-egress"));
  if (!egress) throw new RestoreError(`${runner} is on no *-backup-egress network`);
  const mounts = inspect.Mounts.filter((m) => m.Type === "volume" && m.Name && !m.Destination.startsWith("/data/")).flatMap((m) => [
    "-v",
    `${m.Name}:${m.Destination}:ro`,
  ]);
  return [
    "run",
    "--rm",
    "--name",
    `${runner}-restore`,
    "--user",
    "0:0",
    // restic restores owners and modes: CHOWN, FOWNER, FSETID and DAC_OVERRIDE, nothing else.
    "--cap-drop",
    "ALL",
    "--cap-add",
    "CHOWN",
    "--cap-add",
    "DAC_OVERRIDE",
    "--cap-add",
    "FOWNER",
    "--cap-add",
    "FSETID",
    "--security-opt",
    "no-new-privileges",
    "--read-only",
    "--tmpfs",
    "/tmp:rw,noexec,nosuid,size=256m",
    "--tmpfs",
    "/run/backup:rw,size=1m",
    "--network",
    egress,
    ...mounts,
    "-v",
    `${volume}:/data/${volume}`,
    "--entrypoint",
    SCRIPT,
    inspect.Image,
    "restore-files",
    volume,
    snapshot,
  ];
}

export async function restore(docker: Docker, stack: string, volume: string, snapshot: string): Promise<string> {
  const started = Date.now();
  const runner = await runnerOf(docker, stack);
  const sources = await sourcesOf(docker, runner);
  const source = sources.find((s) => s.volume === volume);
  if (!source) {
    const known = sources.map((s) => s.volume);
    throw new InputError(`${volume} is not backed up by ${stack}; its backed-up volumes: ${known.join(", ") || "(none)"}`);
  }
  const lines: string[] = [];
  if (source.kind === "postgres") {
    const stopped = await stopAll(docker, source.clients ?? []);
    try {
      log(`pg_restore of ${volume} (snapshot ${snapshot}) through ${runner}`);
      await docker.ok(["exec", runner, SCRIPT, "restore-postgres", volume, snapshot], `restoring ${volume}`, 60 * 60_000);
    } finally {
      await startAll(docker, stopped);
    }
    lines.push(
      `restored database of ${volume} from snapshot ${snapshot}; clients started: ${stopped.map((s) => s.name).join(", ") || "(none)"}`,
    );
  } else {
    const stopped = await stopAll(
      docker,
      (await mountersOf(docker, volume)).filter((n) => n !== `${runner}-restore`),
    );
    const runnerStopped = stopped.some((s) => s.name === runner);
    if (!runnerStopped) stopped.push(...(await stopAll(docker, [runner])));
    try {
      log(`restic restore of ${volume} (snapshot ${snapshot}) into the volume`);
      await docker.ok(await oneOffArgs(docker, runner, volume, snapshot), `restoring ${volume}`, 60 * 60_000);
    } finally {
      await startAll(docker, stopped);
    }
    lines.push(`restored ${volume} from snapshot ${snapshot}; started again: ${stopped.map((s) => s.name).join(", ")}`);
    if ((source.companions ?? []).length > 0) {
      const r = await docker.run(["exec", runner, SCRIPT, "companion-check", volume, snapshot]);
      lines.push(r.stdout.trim());
      if (r.code !== 0)
        throw new RestoreError(
          `${lines.join("\n")}\nthe restored data needs the companion file of the snapshot: set its variable to that value and apply`,
        );
    }
  }
  lines.push(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return lines.join("\n") + "\n";
}

/** The volumes the synthesized stack's backup runner backs up (its sources.json), read before Docker is contacted. */
export function backedUpVolumes(config: unknown, stack: string): RunnerSource[] {
  const upload = readSynthesizedStack(config)
    .workloads.flatMap((w) => w.uploads)
    .find((u) => u.file === RUNNER_PATHS.sources);
  if (upload === undefined)
    throw new InputError(`${stack} has no backup runner in its synthesized stack: backups are not configured for it`);
  try {
    return (JSON.parse(upload.text) as { sources: RunnerSource[] }).sources;
  } catch {
    throw new InputError(`${stack}: the backup runner's ${RUNNER_PATHS.sources} in the synthesized stack is not JSON`);
  }
}

/** Environment of a one-off restic call, as backup.sh sets it. */
const RESTIC_ENV = [
  "HOME=/tmp",
  "RESTIC_CACHE_DIR=/tmp/restic-cache",
  `RESTIC_REPOSITORY_FILE=${RUNNER_PATHS.repository}`,
  `RESTIC_PASSWORD_FILE=${RUNNER_PATHS.password}`,
];
const RESTIC = ["restic", "--quiet", "-o", `sftp.args=-F ${RUNNER_PATHS.sshConfig}`];

/** `latest` of one volume (`--host <stack> --tag volume=<v>`, as backup.sh writes them), or an id. */
function snapshotArgs(stack: string, volume: string, snapshot: string): { ref: string; filters: string[] } {
  return { ref: snapshot, filters: snapshot === "latest" ? ["--host", stack, "--tag", `volume=${volume}`] : [] };
}

/**
 * What a restore would change, and nothing changed: for a files volume, `restic restore --dry-run
 * --delete -vv` into the volume mounted read-only in a one-off copy of the runner (every file it would
 * restore, update or delete, with sizes, and restic's summary); for PostgreSQL, `pg_restore --list` of
 * the snapshot's dump (every database object that `--clean` drops and recreates).
 */
export async function dryRun(docker: Docker, stack: string, volume: string, snapshot: string): Promise<string> {
  const runner = await runnerOf(docker, stack);
  const sources = await sourcesOf(docker, runner);
  const source = sources.find((s) => s.volume === volume);
  if (!source) throw new InputError(`${volume} is not backed up by ${runner}; its sources: ${sources.map((s) => s.volume).join(", ")}`);
  const { ref, filters } = snapshotArgs(stack, volume, snapshot);
  if (source.kind === "postgres") {
    const script = `set -o pipefail 2>/dev/null; ${RESTIC_ENV.map((e) => `export ${e};`).join(" ")} restic --quiet -o "sftp.args=-F ${RUNNER_PATHS.sshConfig}" dump "$@" | pg_restore --list`;
    const out = await docker.ok(
      ["exec", runner, "sh", "-c", script, "sh", ...filters, ref, `/${volume}.dump`],
      `reading the dump of ${volume}`,
      10 * 60_000,
    );
    const objects = out.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(";"));
    return (
      `dry run: restoring ${volume} (PostgreSQL) from snapshot ${snapshot} would drop and recreate these ${objects.length} database objects ` +
      `(pg_restore --clean --single-transaction); clients stopped meanwhile: ${(source.clients ?? []).join(", ") || "(none)"}\n` +
      `${objects.join("\n")}\nnothing was changed\n`
    );
  }
  const args = await oneOffArgs(docker, runner, volume, snapshot);
  const image = args[args.indexOf("--entrypoint") + 2];
  const head = args.slice(0, args.indexOf("--entrypoint"));
  // The volume read-only and no capability to change owners: a dry run cannot write.
  const readOnly = head
    .map((a) => (a === `${volume}:/data/${volume}` ? `${volume}:/data/${volume}:ro` : a === `${runner}-restore` ? `${runner}-dry-run` : a))
    .filter((a, i, all) => !(all[i - 1] === "--cap-add" && a !== "DAC_OVERRIDE") && !(a === "--cap-add" && all[i + 1] !== "DAC_OVERRIDE"));
  const out = await docker.ok(
    [
      ...readOnly,
      ...RESTIC_ENV.flatMap((e) => ["-e", e]),
      "--entrypoint",
      "restic",
      image,
      ...RESTIC.slice(2),
      "restore",
      `${ref}:/data/${volume}`,
      ...filters,
      "--target",
      `/data/${volume}`,
      "--delete",
      "--dry-run",
      "-vv",
    ],
    `dry run of ${volume}`,
    30 * 60_000,
  );
  const mounters = (await mountersOf(docker, volume)).filter((n) => !n.endsWith("-dry-run"));
  const changes = out.split("\n").filter((l) => /^(restored|updated|deleted|unchanged|would)/.test(l.trim()) || /^Summary:/.test(l.trim()));
  return (
    `dry run: restoring ${volume} from snapshot ${snapshot} (restic restore --delete: the volume ends up exactly as the snapshot)\n` +
    `would stop and start again: ${[...new Set([...mounters, runner])].join(", ")}\n` +
    `${(changes.length > 0 ? changes : out.split("\n").filter((l) => l.trim() !== "")).join("\n")}\nnothing was changed\n`
  );
}

/** What main() needs of the world besides the arguments; the tests replace the terminal and Docker. */
export interface RestoreDeps {
  readonly cwd?: string;
  /** Whether standard input is a terminal that can answer the confirmation. @default process.stdin.isTTY */
  readonly isTTY?: boolean;
  /** Asks the question; true when the answer confirms. @default - readline on stdin/stderr */
  readonly confirm?: (question: string, expected: string) => Promise<boolean>;
  readonly docker?: (host: string, env: Readonly<Record<string, string>>) => Docker;
}

async function askOnTerminal(question: string, expected: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return answer.trim() === expected;
  } finally {
    rl.close();
  }
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  deps: RestoreDeps = {},
): Promise<{ output: string; exitCode: number }> {
  const { vars: cliVars, rest } = extractVarArgs(argv);
  const args = parseArgs(rest, { flags: ["help", "list", "dry-run", "yes"], values: ["docker-host", "out"] });
  if (args.flags.has("help")) return { output: USAGE, exitCode: 0 };
  const [stack, volume, snapshot = "latest", ...extra] = args.positional;
  if (!stack || !volume || extra.length > 0) throw new InputError(`expected <stack> <volume> [<snapshot>]\n\n${USAGE}`);
  if (!/^(latest|[0-9a-f]{8,64})$/.test(snapshot))
    throw new InputError(`snapshot ${JSON.stringify(snapshot)}: allowed: "latest" or a snapshot id (hex) from --list`);
  const modes = ["list", "dry-run"].filter((f) => args.flags.has(f));
  if (modes.length > 1) throw new InputError("--list and --dry-run: give one of them");
  const flagHost = args.values.get("docker-host")?.[0];
  const hostOf = (vars?: Variables) =>
    flagHost ??
    cliVars.docker_host ??
    env.TF_VAR_docker_host ??
    vars?.value("docker_host") ??
    env.DOCKER_HOST ??
    "unix:///var/run/docker.sock";
  const url = hostOf();
  if (!/^(unix|tcp|ssh):\/\/.+/.test(url))
    throw new InputError(`--docker-host ${JSON.stringify(url)}: allowed: a unix://, tcp:// or ssh:// Docker host`);
  const environment = environmentOf(stack);
  if (environment === "unknown" || stack.length <= environment.length + 1)
    throw new InputError(`${stack} is not a stack name (<system>-<dev|staging|production>)`);

  // The synthesized stack says which volumes its runner backs up: checked before Docker is contacted.
  const outDir = path.resolve(deps.cwd ?? process.cwd(), args.values.get("out")?.[0] ?? env.CDKTF_OUTDIR ?? "cdktf.out");
  const config = loadSynthesized(outDir, stack);
  const sources = backedUpVolumes(config, stack);
  if (!sources.some((s) => s.volume === volume))
    throw new InputError(
      `${volume} is not backed up by ${stack}; its backed-up volumes: ${sources.map((s) => s.volume).join(", ") || "(none)"}`,
    );
  const blocks = (isObject(config) && isObject(config.variable) ? config.variable : {}) as unknown as VariableBlocks;
  const vars = new Variables(blocks, cliVars, env);
  const host = dockerHost(hostOf(vars), vars, env);

  const restoring = modes.length === 0;
  if (restoring && !args.flags.has("yes")) {
    const isTTY = deps.isTTY ?? process.stdin.isTTY === true;
    if (!isTTY)
      throw new InputError(
        `restoring ${volume} replaces its data with snapshot ${snapshot}: confirm with --yes (no terminal to ask on), or see first with --dry-run`,
      );
    const confirm = deps.confirm ?? askOnTerminal;
    const ok = await confirm(
      `Restore ${volume} of ${stack} on ${host.url} from snapshot ${snapshot}? The services using it stop, and its data is replaced ` +
        `by the snapshot (see --dry-run). Type the volume name to go on: `,
      volume,
    );
    if (!ok) return { output: "restore: not confirmed; nothing was changed\n", exitCode: 1 };
  }

  const docker = deps.docker ? deps.docker(host.url, host.env) : new Docker(host.url, host.env);
  if (args.flags.has("list")) {
    const runner = await runnerOf(docker, stack);
    return { output: await docker.ok(["exec", runner, SCRIPT, "snapshots", volume], "listing snapshots"), exitCode: 0 };
  }
  if (args.flags.has("dry-run")) return { output: await dryRun(docker, stack, volume, snapshot), exitCode: 0 };
  return { output: await restore(docker, stack, volume, snapshot), exitCode: 0 };
}

export async function run(argv: readonly string[]): Promise<void> {
  try {
    const result = await main(argv);
    process.stdout.write(result.output);
    process.exitCode = result.exitCode;
  } catch (error) {
    if (error instanceof InputError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof RestoreError) {
      process.stderr.write(`restore failed: ${error.message}\n`);
      process.exitCode = 1;
    } else throw error;
  }
}
