/**
 * Backups in the suite: the destination is the backup host of scripts/service-hosts-testbed.sh (an
 * SFTP server in a network namespace, off the Docker host as far as the stacks can tell), and the
 * runner is driven through its own program (`docker exec <stack>-backup /etc/restic/backup.sh …`).
 */
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { docker, dockerOk, exec, execOk, mustInspect, waitHealthy } from "./docker-engine";
import { REPO_ROOT } from "./env";
import { say } from "./log";
import { run, RunResult, tail } from "./process";
import { record, seconds } from "./report";
import { randomString } from "./secrets";
import type { StackUnderTest } from "./stacks";

const BED = join(REPO_ROOT, "scripts", "service-hosts-testbed.sh");

/** Brings the service hosts up (idempotent) and returns what `env` prints. */
export function serviceHosts(): Record<string, string> {
  execFileSync("bash", [BED, "up"], { stdio: ["ignore", "ignore", "pipe"], timeout: 180_000 });
  const out = execFileSync("bash", [BED, "env"], { encoding: "utf8" });
  return Object.fromEntries(
    out
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/**
 * Makes the backup host unreachable from one container (its address on its networks), or reachable
 * again: the other stacks of the run, in other lanes, keep backing up meanwhile.
 */
export async function backupHostFrom(action: "block-backup" | "unblock-backup", container: string): Promise<void> {
  const networks = (await mustInspect(container)).NetworkSettings?.Networks ?? {};
  const addresses = Object.values(networks)
    .map((n: { IPAddress?: string }) => n.IPAddress)
    .filter((a): a is string => !!a);
  if (addresses.length === 0) throw new Error(`${container} has no IPv4 address on any network`);
  for (const address of addresses) execFileSync("bash", [BED, action, address], { stdio: ["ignore", "ignore", "pipe"] });
}

/** The backup inputs of one stack: its own repository directory on the backup host. */
export function backupInputs(stack: string): { vars: Record<string, string>; secrets: Record<string, string> } {
  const env = serviceHosts();
  return {
    vars: { backup_repository: `${env.BACKUP_REPOSITORY_BASE}/${stack}`, backup_known_hosts: env.BACKUP_KNOWN_HOSTS },
    secrets: { backup_password: randomString(32), backup_ssh_key: readFileSync(env.BACKUP_SSH_KEY_FILE, "utf8") },
  };
}

/** The stack's backup runner container (`<prefix>-backup`). */
export function runnerOf(s: StackUnderTest): string {
  const runner = s.containers().find((c) => c.id === "backup_runner");
  if (!runner) throw new Error(`${s.name}: no backup runner in the synthesized stack`);
  return runner.name;
}

/** Runs a backup now (`backup.sh once`), as the schedule would; returns its duration. */
export async function backupNow(s: StackUnderTest): Promise<number> {
  const started = Date.now();
  const r = await exec(runnerOf(s), ["/etc/restic/backup.sh", "once"], { timeoutMs: 10 * 60_000 });
  if (r.code !== 0) throw new Error(`${s.name}: backup.sh once failed (exit ${r.code}):\n${tail(r.stderr + r.stdout)}`);
  return Date.now() - started;
}

/** `npm run restore -- <stack> <volume>` as a user runs it. */
export async function runRestore(s: StackUnderTest, volume: string, extra: readonly string[] = []): Promise<RunResult> {
  return run("node", ["tools/run.js", "restore", s.name, volume, "--out", s.config.outDir, "--yes", ...extra], {
    cwd: REPO_ROOT,
    env: { ...process.env },
    timeoutMs: 20 * 60_000,
  });
}

export interface RestoreCase {
  /** The Docker volume lost and restored. */
  readonly volume: string;
  /** Writes known data through the service; returns what `read` must give back. */
  readonly write: () => Promise<string>;
  /** Reads the data back through the service (throws or differs when it is gone). */
  readonly read: () => Promise<string>;
}

/**
 * Backup, loss, restore, read back, on the real engine:
 * 1. known data written through the service; 2. `backup.sh once`; 3. the volume lost on purpose by
 * the documented path (every container mounting it removed, `docker volume rm`, `terraform apply`
 * creates it again, empty: the same path for a protected volume, whose `prevent_destroy` only stops
 * Terraform from deleting it); 4. `npm run restore`; 5. the same data read back through the service.
 * Records backup and restore times and the size of the volume's data.
 */
export async function assertBackupRestore(s: StackUnderTest, c: RestoreCase): Promise<void> {
  const runner = runnerOf(s);
  const marker = await c.write();
  const backupMs = await backupNow(s);
  // The snapshot just taken: after the loss the runner (started again by the apply) snapshots the
  // new, empty volume, so a restore after a loss names the snapshot from before it (docs/backups.md).
  const listed = await execOk(runner, ["/etc/restic/backup.sh", "snapshots", c.volume]);
  const line = listed
    .split("\n")
    .filter((l) => /^[0-9a-f]{8}\s/.test(l))
    .pop();
  const snapshot = line?.slice(0, 8);
  if (!snapshot) throw new Error(`${s.name}: no snapshot of ${c.volume} listed:\n${listed}`);
  // restic's table ends each snapshot's first line with its size ("144.000 KiB", "2.712 KiB").
  const snapshotSize = /\s(\d+(?:\.\d+)? [KMGT]?i?B)\s*$/.exec(line!)?.[1];
  if (snapshotSize) record(s.section, `snapshot ${c.volume} size`, snapshotSize);
  const size = (await execOk(runner, ["sh", "-c", `du -sk /data/${c.volume} 2>/dev/null | cut -f1`])).trim();
  record(s.section, `backup ${c.volume} s`, seconds(backupMs));
  if (size !== "") record(s.section, `backup ${c.volume} data KiB`, Number(size));
  say(`${s.name}: backed up ${c.volume} in ${seconds(backupMs)}s (snapshot ${snapshot}${size ? `, ${size} KiB on the volume` : ""})`);

  const lossStarted = Date.now();
  const mounters = (await dockerOk(["ps", "-a", "--filter", `volume=${c.volume}`, "--format", "{{.Names}}"]))
    .split("\n")
    .filter((n) => n !== "");
  if (mounters.length > 0) await dockerOk(["rm", "-f", ...mounters]);
  await dockerOk(["volume", "rm", c.volume]);
  await s.tf.applyOk();
  const longRunning = new Set(
    s
      .containers()
      .filter((x) => x.config.must_run !== false)
      .map((x) => x.name),
  );
  await waitHealthy(
    mounters.filter((n) => longRunning.has(n) && n !== runner),
    5 * 60_000,
  );
  const afterLoss = await c.read().catch((e: Error) => `(unreadable: ${e.message.split("\n")[0]})`);
  expect(afterLoss).not.toBe(marker);
  record(s.section, `lose ${c.volume} and re-apply s`, seconds(Date.now() - lossStarted));

  const r = await runRestore(s, c.volume, [snapshot]);
  if (r.code !== 0)
    throw new Error(`${s.name}: npm run restore ${c.volume} ${snapshot} failed (exit ${r.code}):\n${r.stdout}${tail(r.stderr)}`);
  record(s.section, `restore ${c.volume} s`, seconds(r.ms));
  say(`${s.name}: restored ${c.volume} in ${seconds(r.ms)}s: ${r.stdout.trim().split("\n").join(" | ")}`);
  expect(await c.read()).toBe(marker);
}

/**
 * The handle probe (Perl: the runner's Debian image has perl-base, an essential package). It asks the
 * kernel for the handle of FILE (`name_to_handle_at`, syscall 303 on x86_64, allowed to every
 * container) and opens that handle through MOUNTDIR (`open_by_handle_at`, 304): the two calls of the
 * "Shocker" escape, which forges a handle for a file outside the container instead. Exit 0 when the
 * handle opened, 1 when open_by_handle_at was refused (errno printed), 3 when no handle was made.
 */
const HANDLE_PROBE = `
use strict; use warnings; use Fcntl;
my ($mountdir, $path) = @ARGV;
my $h = pack("Li", 128, 0) . ("\\0" x 128);
my $mnt = pack("i", 0);
if (syscall(303, -100, $path, $h, $mnt, 0) != 0) { printf "name_to_handle_at: %s (errno %d)\\n", $!, $!+0; exit 3 }
printf "name_to_handle_at: a handle of %d bytes\\n", unpack("L", $h);
sysopen(my $m, $mountdir, O_RDONLY | O_DIRECTORY) or die "open $mountdir: $!";
my $fd = syscall(304, fileno($m), $h, O_RDONLY);
if ($fd < 0) { printf "open_by_handle_at: %s (errno %d)\\n", $!, $!+0; exit 1 }
printf "open_by_handle_at: opened (fd %d)\\n", $fd; exit 0;
`;

/**
 * The runner is not the Shocker's vehicle, on the engine: (a) `docker inspect` shows CapAdd
 * [CAP_DAC_OVERRIDE] only, no security option that replaces the daemon's default seccomp profile,
 * and the kernel reports that one capability (CapEff 0x2) and a seccomp filter; (b) inside the runner
 * open_by_handle_at is refused with EPERM for a handle of a file on its own volume, where a copy of
 * the runner with DAC_READ_SEARCH added (its earlier setting, otherwise the same security settings
 * from docker inspect) opens the same handle: the probe can tell the two apart.
 */
export async function assertRunnerConfinement(s: StackUnderTest, volume: string, file: string): Promise<void> {
  const runner = runnerOf(s);
  const i = await mustInspect(runner);
  expect([i.HostConfig.CapAdd, i.HostConfig.CapDrop, i.HostConfig.Privileged]).toEqual([["CAP_DAC_OVERRIDE"], ["ALL"], false]);
  expect(i.HostConfig.SecurityOpt).toEqual(["no-new-privileges:true"]);
  const status = await execOk(runner, ["grep", "-E", "^(CapEff|CapBnd|NoNewPrivs|Seccomp):", "/proc/self/status"]);
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(status)?.[1];
  // CAP_DAC_OVERRIDE is capability 1: the mask 0x2. Seccomp mode 2 is a filter (the default profile).
  expect([field("CapEff"), field("CapBnd"), field("NoNewPrivs"), field("Seccomp")]).toEqual([
    "0000000000000002",
    "0000000000000002",
    "1",
    "2",
  ]);
  say(`${runner}: CapAdd ${JSON.stringify(i.HostConfig.CapAdd)}, ${status.trim().split("\n").join(", ")}`);

  const args = [`/data/${volume}`, `/data/${volume}/${file}`];
  const inRunner = await exec(runner, ["perl", "-e", HANDLE_PROBE, ...args]);
  expect(inRunner.stdout).toMatch(/^name_to_handle_at: a handle of \d+ bytes$/m);
  expect([inRunner.code, /^open_by_handle_at: (.*)$/m.exec(inRunner.stdout)?.[1]]).toEqual([1, "Operation not permitted (errno 1)"]);
  say(`${runner}: ${inRunner.stdout.trim().split("\n").join("; ")}`);
  record(s.section, "runner open_by_handle_at", "EPERM");

  const withReadSearch = [
    "run",
    "--rm",
    "--network",
    "none",
    "--user",
    i.Config.User || "0:0",
    "--read-only",
    "--cap-drop",
    "ALL",
    "--cap-add",
    "CAP_DAC_READ_SEARCH",
    ...(i.HostConfig.SecurityOpt ?? []).flatMap((o) => ["--security-opt", o]),
    "-v",
    `${volume}:/data/${volume}:ro`,
    "--entrypoint",
    "perl",
    i.Image,
    "-e",
    HANDLE_PROBE,
    ...args,
  ];
  const control = await docker(withReadSearch);
  expect([control.code, /^open_by_handle_at: (opened)/m.exec(control.stdout)?.[1]]).toEqual([0, "opened"]);
  say(`the runner's settings with CAP_DAC_READ_SEARCH instead: ${control.stdout.trim().split("\n").join("; ")}`);
}

/**
 * Files in 0700 directories, mode 0600/0400: root's, and files of other owners that only root with a
 * DAC capability reads.
 */
export const OWNERS_DIR = "e2e-owners";
const OWNER_DIRS = [
  { dir: "root", uid: 0, mode: "700" },
  { dir: "u1000", uid: 1000, mode: "700" },
  { dir: "u70", uid: 70, mode: "700" },
] as const;
const OWNER_CASES = [
  { path: "root/secret", dir: "root", uid: 0, mode: "600" },
  { path: "u1000/secret", dir: "u1000", uid: 1000, mode: "600" },
  // Another owner inside that tree: restic run as 1000 (one run per owner) could not read it.
  { path: "u1000/by-root", dir: "u1000", uid: 0, mode: "400" },
  { path: "u70/secret", dir: "u70", uid: 70, mode: "600" },
] as const;

/** A throwaway container of `image` on `volume` (at /v), no network, with the given capabilities. */
const oneOff = (volume: string, image: string, caps: readonly string[], readOnly: boolean, script: string) =>
  docker([
    "run",
    "--rm",
    "--network",
    "none",
    "--user",
    "0:0",
    "--cap-drop",
    "ALL",
    ...caps.flatMap((c) => ["--cap-add", c]),
    "-v",
    `${volume}:/v${readOnly ? ":ro" : ""}`,
    "--entrypoint",
    "sh",
    image,
    "-c",
    script,
  ]);

/**
 * Lays out OWNER_CASES under `<volume>/e2e-owners` (root with CHOWN, as a service's entrypoint would)
 * with `marker` in each file, checks that root without capabilities cannot read the other owners'
 * (so the runner's reads below prove its capability) and that the runner reads each one. Returns the
 * listing.
 */
export async function writeOwnedFiles(s: StackUnderTest, volume: string, marker: string): Promise<string> {
  const runner = runnerOf(s);
  const image = (await mustInspect(runner)).Image;
  const dirs = OWNER_DIRS;
  const script = [
    `set -e; rm -rf /v/${OWNERS_DIR}; mkdir -m 755 /v/${OWNERS_DIR}; cd /v/${OWNERS_DIR}`,
    ...dirs.map((c) => `mkdir ${c.dir}`),
    ...OWNER_CASES.map(
      (c) => `printf '%s' '${c.path} ${marker}' > ${c.path}; chown ${c.uid}:${c.uid} ${c.path}; chmod ${c.mode} ${c.path}`,
    ),
    ...dirs.map((c) => `chown ${c.uid}:${c.uid} ${c.dir}; chmod ${c.mode} ${c.dir}`),
  ].join("\n");
  const made = await oneOff(volume, image, ["CHOWN", "DAC_OVERRIDE", "FOWNER"], false, script);
  if (made.code !== 0) throw new Error(`laying out ${OWNERS_DIR} in ${volume} failed: ${made.stderr}`);
  for (const c of OWNER_CASES) {
    // Root owns root/: it reads that without capabilities; every other case is behind another owner's 0700 directory.
    const denied = await oneOff(volume, image, [], true, `cat /v/${OWNERS_DIR}/${c.path}`);
    const deniedAsExpected = c.dir === "root" ? denied.code === 0 : denied.code === 1 && /Permission denied/.test(denied.stderr);
    expect([c.path, denied.code, deniedAsExpected]).toEqual([c.path, c.dir === "root" ? 0 : 1, true]);
    expect(await execOk(runner, ["cat", `/data/${volume}/${OWNERS_DIR}/${c.path}`])).toBe(`${c.path} ${marker}`);
  }
  const listing = await ownedFilesListing(volume, image);
  const expected = [
    ...dirs.map((c) => `./${c.dir} ${c.mode} ${c.uid}:${c.uid}`),
    ...OWNER_CASES.map((c) => `./${c.path} ${c.mode} ${c.uid}:${c.uid} ${c.path} ${marker}`),
  ].sort();
  expect(listing.trim().split("\n")).toEqual(expected);
  say(
    `${volume}/${OWNERS_DIR}: root without capabilities is refused the files of 1000 and 70; the runner reads all ${OWNER_CASES.length}: ${listing.trim().split("\n").join(" | ")}`,
  );
  return listing;
}

/** `<path> <mode> <uid>:<gid> <content>` of every entry under `<volume>/e2e-owners`, read as root with DAC_OVERRIDE. */
export async function ownedFilesListing(volume: string, image: string): Promise<string> {
  const r = await oneOff(
    volume,
    image,
    ["DAC_OVERRIDE"],
    true,
    `cd /v/${OWNERS_DIR} && find . -mindepth 1 | sort | while read -r f; do printf '%s %s' "$f" "$(stat -c '%a %u:%g' "$f")"; [ -f "$f" ] && printf ' %s' "$(cat "$f")"; echo; done`,
  );
  if (r.code !== 0) throw new Error(`listing ${OWNERS_DIR} in ${volume} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
