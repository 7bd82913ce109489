/**
 * Checks of generated configuration files by the programs that read them, run from the Debian root
 * filesystem that `scripts/bootstrap-programs.sh` builds (no Docker engine involved).
 *
 * What is checked is what the stacks deploy: the stacks are synthesized in-process, as `npm run synth`
 * builds them (`buildApp`), and each service's files are read from the synthesized JSON (the files
 * loader's `upload` blocks on a single host; the `docker_config`/`docker_secret` data of a swarm
 * service). Their Terraform templates are rendered by Terraform (`terraform console`), with test
 * values for the variables they use.
 *
 * A program runs as the service's user, in `chroot`, inside a private mount and pid namespace
 * (`unshare`) that lays out the container's view and vanishes with the program: the root filesystem
 * as a read-only overlay (the cached tree is never written), the service's files on top of it at their
 * container paths with their modes and owners, its tmpfs mounts, and /proc when asked for.
 */
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { Testing } from "../../lib/cdk";
import { buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import type { EnvironmentName } from "../../config/common";
import { renderTemplates } from "../real-readers";
import type { DockerServiceFile, DockerServiceMount, TfJson } from "../tf-json";

const REPO = join(__dirname, "..", "..");
const BOOTSTRAP = "scripts/bootstrap-programs.sh";

/** The environments, in their declared order (dev, staging, production). */
export const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS) as EnvironmentName[];

// ------------------------------------------------------------------ deployed files --

/** A file as the service's processes see it. `content` is a Terraform template until rendered. */
export interface DeployedFile {
  readonly path: string;
  readonly content: string;
  /** Permission bits, e.g. 0o444. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** One service of one synthesized stack, as far as the checks need it. */
export interface DeployedService {
  readonly stack: string;
  readonly env: EnvironmentName;
  /** Terraform address without the type, e.g. `zfs_sync_proxy`. */
  readonly id: string;
  readonly rendering: "container" | "swarm";
  /** Numeric `uid:gid` the process runs as. */
  readonly user: string;
  /** The process's arguments after the image's entrypoint (`command`, or a swarm service's `args`). */
  readonly command: readonly string[];
  readonly readOnlyRoot: boolean;
  /** tmpfs mounts: path → mount options. */
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly files: readonly DeployedFile[];
}

type Json = TfJson;

let builtStacks: Map<string, { synth: () => Json }> | undefined;
const synthCache = new Map<string, Json>();

/** The synthesized Terraform JSON of the app's stacks (`<system>-<env>` → JSON), built as `npm run synth` builds them. */
export function synthesizedStacks(filter: (stack: string) => boolean = () => true): Map<string, Json> {
  builtStacks ??= new Map(
    buildApp(Testing.app(), ENVIRONMENTS).map((stack) => [stack.node.id, { synth: () => JSON.parse(Testing.synth(stack)) }]),
  );
  const out = new Map<string, Json>();
  for (const [name, stack] of builtStacks) {
    if (!filter(name)) continue;
    if (!synthCache.has(name)) synthCache.set(name, stack.synth());
    out.set(name, synthCache.get(name)!);
  }
  return out;
}

const octal = (permissions: string) => parseInt(permissions, 8);

/** The numeric ids of a `uid:gid` user; names cannot be resolved without the image. */
function ids(user: string | undefined, where: string): { uid: number; gid: number } {
  const m = /^([0-9]+)(?::([0-9]+))?$/.exec(user ?? "0");
  if (!m) throw new Error(`${where}: user ${JSON.stringify(user)} is not numeric uid[:gid]; the checks cannot resolve user names`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

/** `${base64encode(local.x)}` (how a swarm config or secret carries its file) → the local's template. */
function localBehind(json: Json, data: string, where: string): string {
  const m = /^\$\{base64encode\(local\.([A-Za-z0-9_]+)\)\}$/.exec(data);
  if (!m) throw new Error(`${where}: data ${JSON.stringify(data)} is not \${base64encode(local.<name>)}; extend test/programs/programs.ts`);
  const content = json.locals?.[m[1]];
  if (typeof content !== "string") throw new Error(`${where}: local.${m[1]} is missing or not a string`);
  return content;
}

/** `${docker_config.x.id}` → `x`. */
function referenced(type: string, ref: string, where: string): string {
  const m = new RegExp(`^\\$\\{${type}\\.([A-Za-z0-9_]+)\\.id\\}$`).exec(ref);
  if (!m) throw new Error(`${where}: ${JSON.stringify(ref)} is not a reference to a ${type}`);
  return m[1];
}

function fromContainer(json: Json, stack: string, env: EnvironmentName, id: string): DeployedService {
  const c = json.resource.docker_container[id];
  const where = `${stack}: docker_container.${id}`;
  const loader = json.resource.docker_container[`${id}_files`];
  const uploads = loader?.upload ?? [];
  // Uploaded files are owned by root (README, "Files and secret files").
  const files = uploads.map((u) => ({ path: u.file, content: u.content, mode: octal(u.permissions ?? "0644"), uid: 0, gid: 0 }));
  const { uid, gid } = ids(c.user, where);
  return {
    stack,
    env,
    id,
    rendering: "container",
    user: `${uid}:${gid}`,
    command: [...(c.entrypoint ?? []), ...(c.command ?? [])],
    readOnlyRoot: c.read_only === true,
    tmpfs: { ...(c.tmpfs ?? {}) },
    files,
  };
}

function fromSwarm(json: Json, stack: string, env: EnvironmentName, id: string): DeployedService {
  const s = json.resource.docker_service[id];
  const where = `${stack}: docker_service.${id}`;
  const spec = s.task_spec.container_spec;
  const file = (kind: "docker_config" | "docker_secret", ref: string, f: DockerServiceFile): DeployedFile => {
    const name = referenced(kind, ref, where);
    const data = json.resource[kind]?.[name]?.data;
    if (typeof data !== "string") throw new Error(`${where}: ${kind}.${name} has no data`);
    return {
      path: f.file_name,
      content: localBehind(json, data, `${kind}.${name}`),
      mode: Number(f.file_mode ?? 0o444),
      uid: Number(f.file_uid ?? 0),
      gid: Number(f.file_gid ?? 0),
    };
  };
  const tmpfs: Record<string, string> = {};
  for (const m of spec.mounts ?? []) {
    if (m.type !== "tmpfs") continue;
    const o: Partial<DockerServiceMount["tmpfs_options"]> = m.tmpfs_options ?? {};
    // Docker mounts swarm tmpfs noexec,nosuid,nodev, mode 1777 unless given (mode 0 is not given).
    tmpfs[m.target] = [
      "noexec",
      "nosuid",
      "nodev",
      ...(o.size_bytes ? [`size=${o.size_bytes}`] : []),
      `mode=${(o.mode || 0o1777).toString(8)}`,
    ].join(",");
  }
  const { uid, gid } = ids(spec.user, where);
  return {
    stack,
    env,
    id,
    rendering: "swarm",
    user: `${uid}:${gid}`,
    command: [...(spec.command ?? []), ...(spec.args ?? [])],
    readOnlyRoot: spec.read_only === true,
    tmpfs,
    files: [
      ...(spec.configs ?? []).map((f) => file("docker_config", f.config_id, f)),
      ...(spec.secrets ?? []).map((f) => file("docker_secret", f.secret_id, f)),
    ],
  };
}

/** The services whose files the tests here check, by the program that reads them. */
export const CHECKED_SERVICES = {
  prometheus: { system: "zcash", id: "z3_prometheus", program: "promtool (prometheus.test.ts)" },
  alertmanager: { system: "zcash", id: "z3_alertmanager", program: "amtool (alertmanager.test.ts)" },
  proxy: { system: "zfs-sync", id: "zfs_sync_proxy", program: "nginx -t (nginx.test.ts)" },
  // The backup runner's script by Debian's sh; its ssh_config, known_hosts and repository are read by
  // ssh and restic against the SFTP host in the e2e suite (02, 01, 06).
  backupZcash: { system: "zcash", id: "backup_runner", program: "sh (backup-runner.test.ts)" },
  backupJessy: { system: "jessy", id: "backup_runner", program: "sh (backup-runner.test.ts)" },
  backupZfsSync: { system: "zfs-sync", id: "backup_runner", program: "sh (backup-runner.test.ts)" },
} as const;

/** Every service of every environment's `<system>-<env>` stack with that id; missing where it is not deployed. */
export function deployedIn(system: string, id: string): Map<EnvironmentName, DeployedService | undefined> {
  const stacks = synthesizedStacks((name) => name.startsWith(`${system}-`));
  const out = new Map<EnvironmentName, DeployedService | undefined>();
  for (const env of ENVIRONMENT_NAMES) {
    const stack = `${system}-${env}`;
    const json = stacks.get(stack);
    if (!json) throw new Error(`no stack ${stack}; have ${[...stacks.keys()].join(", ")}`);
    const service = json.resource.docker_container?.[id]
      ? fromContainer(json, stack, env, id)
      : json.resource.docker_service?.[id]
        ? fromSwarm(json, stack, env, id)
        : undefined;
    out.set(env, service);
  }
  return out;
}

/** Every service that receives files, in every stack of every environment. */
export function allServicesWithFiles(): DeployedService[] {
  const out: DeployedService[] = [];
  for (const [stack, json] of synthesizedStacks()) {
    const env = stack.slice(stack.lastIndexOf("-") + 1) as EnvironmentName;
    for (const [id, c] of Object.entries(json.resource.docker_container ?? {})) {
      const loader = json.resource.docker_container[`${id}_files`];
      if (c.start !== false && loader) out.push(fromContainer(json, stack, env, id));
    }
    for (const id of Object.keys(json.resource.docker_service ?? {})) {
      const s = fromSwarm(json, stack, env, id);
      if (s.files.length > 0) out.push(s);
    }
  }
  return out;
}

/** The value of a flag in a command: `--flag=value`, `--flag value` or `-c value`. */
export function flagValue(command: readonly string[], flag: string): string {
  for (let i = 0; i < command.length; i++) {
    if (command[i].startsWith(`${flag}=`)) return command[i].slice(flag.length + 1);
    if (command[i] === flag && i + 1 < command.length) return command[i + 1];
  }
  throw new Error(`no ${flag} in the command ${JSON.stringify(command)}: the check would not read the file the program reads`);
}

// ------------------------------------------------------------ Terraform templates --

/**
 * The service's files as Terraform writes them: each template rendered by Terraform itself
 * (`terraform console`, test/real-readers.ts) with `vars` as the values of the variables it reads.
 * A variable without a test value fails: the check must not guess.
 */
export function renderedFiles(service: DeployedService, vars: Readonly<Record<string, string>> = {}): DeployedFile[] {
  const rendered = renderTemplates(Object.fromEntries(service.files.map((f, i) => [String(i), f.content])), vars);
  return service.files.map((f, i) => ({ ...f, content: rendered[String(i)] }));
}

/** A copy of `files` with one file's content changed; fails when the change does not apply. */
export function withChange(files: readonly DeployedFile[], path: string, change: (content: string) => string): DeployedFile[] {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path}; have ${files.map((f) => f.path).join(", ")}`);
  const content = change(file.content);
  if (content === file.content) throw new Error(`the change to ${path} changed nothing`);
  return files.map((f) => (f.path === path ? { ...f, content } : f));
}

// ------------------------------------------------------------------------ running --

let rootCache: string | undefined;

/** The root filesystem with the programs; fails with what to run when it has not been built. */
export function programsRoot(): string {
  if (rootCache) return rootCache;
  const r = spawnSync("bash", [BOOTSTRAP, "--print-root"], { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(
      `The root filesystem with nginx, promtool and amtool is missing. Build it with:\n\n  bash ${BOOTSTRAP}\n\n(${BOOTSTRAP} --print-root said: ${(r.stderr || r.stdout || String(r.error)).trim()})`,
    );
  }
  rootCache = r.stdout.trim().split("\n").pop()!;
  return rootCache;
}

export interface ProgramResult {
  /** The command as run, for messages. */
  readonly command: string;
  readonly status: number | null;
  /** stdout and stderr together, in the order written. */
  readonly output: string;
}

export interface RunOptions {
  /** The service whose view to lay out (user, tmpfs, read-only root). */
  readonly service: DeployedService;
  /** Its files, rendered (see `renderedFiles`). */
  readonly files: readonly DeployedFile[];
  /** Mount /proc (nginx opens /dev/stderr, a link into /proc). @default false */
  readonly proc?: boolean;
}

const SAFE_PATH = /^[A-Za-z0-9_./+-]+$/;
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `argv` in the service's view of the root filesystem; never throws for a failing program. */
export function runProgram(argv: readonly string[], options: RunOptions): ProgramResult {
  const root = programsRoot();
  if (process.getuid?.() !== 0)
    throw new Error("the program checks chroot into the root filesystem and mount in a private namespace: run them as root (CI does)");
  const { service } = options;
  const { uid, gid } = ids(service.user, service.id);
  const stage = mkdtempSync(join(tmpdir(), "z3-programs-"));
  try {
    for (const p of [root, stage]) if (!SAFE_PATH.test(p)) throw new Error(`path ${p} has characters an overlay mount option cannot hold`);
    const layer = join(stage, "files");
    const merged = join(stage, "merged");
    mkdirSync(layer);
    mkdirSync(merged);
    for (const f of options.files) {
      const target = join(layer, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
      chownSync(target, f.uid, f.gid);
      chmodSync(target, f.mode);
    }
    // Set-up errors and the program's output in one stream, in the order written.
    const lines = ["set -euo pipefail", "exec 2>&1"];
    if (service.readOnlyRoot) {
      lines.push(`mount -t overlay overlay -o ro,lowerdir=${layer}:${root} ${merged}`);
    } else {
      mkdirSync(join(stage, "upper"));
      mkdirSync(join(stage, "work"));
      lines.push(`mount -t overlay overlay -o lowerdir=${layer}:${root},upperdir=${stage}/upper,workdir=${stage}/work ${merged}`);
    }
    for (const [path, opts] of Object.entries(service.tmpfs)) {
      mkdirSync(join(layer, path), { recursive: true });
      const withMode = /(^|,)mode=/.test(opts) ? opts : `${opts},mode=1777`;
      lines.push(`mount -t tmpfs -o ${q(withMode)} tmpfs ${q(join(merged, path))}`);
    }
    if (options.proc) lines.push(`mount -t proc -o nosuid,nodev,noexec proc ${q(join(merged, "proc"))}`);
    // The program writes into a pipe, as a container's stdout and stderr are (Node's child stdio are
    // sockets, which /dev/stderr cannot reopen), and, as runc does for a container's user, the pipe
    // belongs to that user, so /dev/stdout and /dev/stderr open.
    const run = `exec chroot --userspec=${uid}:${gid} ${q(merged)} /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/ ${argv.map(q).join(" ")}`;
    lines.push(`{ exec 2>&1; ${uid !== 0 ? `chown ${uid}:${gid} /proc/self/fd/1; ` : ""}${run}; } | cat`);
    const r = spawnSync(
      "unshare",
      ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "bash", "-c", lines.join("\n")],
      {
        encoding: "utf8",
        timeout: 60_000,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const output = [r.stdout, r.stderr].filter((s) => s && s.length > 0).join("") + (r.error ? `\n(${r.error.message})` : "");
    return { command: `${argv.join(" ")}  [as ${uid}:${gid} in ${service.stack}'s ${service.id} view]`, status: r.status, output };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function describeResult(r: ProgramResult): string {
  return `${r.command}\nexit status: ${r.status}\n--- program output ---\n${r.output.trimEnd() || "(none)"}\n--- end ---`;
}

/** Fails, showing the program's output, unless it accepted the configuration (exit 0). */
export function expectAccepted(r: ProgramResult): void {
  if (r.status !== 0) throw new Error(`The program rejected the configuration:\n${describeResult(r)}`);
}

/** Fails, showing the program's output, unless it rejected the configuration with a message matching `why`. */
export function expectRejected(r: ProgramResult, why: RegExp): void {
  if (r.status === 0) throw new Error(`The program accepted a configuration it should reject:\n${describeResult(r)}`);
  if (!why.test(r.output)) throw new Error(`The program rejected the configuration, but not with ${why}:\n${describeResult(r)}`);
}

// ------------------------------------------------------------------- test material --

/** A throwaway self-signed certificate and key for `name` (and a second, unrelated key), made with the host's openssl. */
export function testCertificate(name: string): { certificate: string; privateKey: string; otherKey: string } {
  const dir = mkdtempSync(join(tmpdir(), "z3-programs-tls-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    const other = join(dir, "other.pem");
    const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
    run([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      `subjectAltName=DNS:${name}`,
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other]);
    const read = (p: string) => readFileSync(p, "utf8");
    return { certificate: read(cert), privateKey: read(key), otherKey: read(other) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
