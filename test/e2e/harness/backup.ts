/**
 * Backups in the suite: the destination is the backup host of scripts/service-hosts-testbed.sh (an
 * SFTP server in a network namespace, off the Docker host as far as the stacks can tell), and the
 * runner is driven through its own program (`docker exec <stack>-backup /etc/restic/backup.sh …`).
 */
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { dockerOk, exec, execOk, mustInspect, waitHealthy } from "./docker";
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
  const addresses = Object.values(networks).map((n: { IPAddress?: string }) => n.IPAddress).filter((a): a is string => !!a);
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
  return run("node", ["tools/run.js", "restore", s.name, volume, ...extra], { cwd: REPO_ROOT, env: { ...process.env }, timeoutMs: 20 * 60_000 });
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
  const line = listed.split("\n").filter((l) => /^[0-9a-f]{8}\s/.test(l)).pop();
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
  const mounters = (await dockerOk(["ps", "-a", "--filter", `volume=${c.volume}`, "--format", "{{.Names}}"])).split("\n").filter((n) => n !== "");
  if (mounters.length > 0) await dockerOk(["rm", "-f", ...mounters]);
  await dockerOk(["volume", "rm", c.volume]);
  await s.tf.applyOk();
  const longRunning = new Set(s.containers().filter((x) => x.config.must_run !== false).map((x) => x.name));
  await waitHealthy(mounters.filter((n) => longRunning.has(n) && n !== runner), 5 * 60_000);
  const afterLoss = await c.read().catch((e: Error) => `(unreadable: ${e.message.split("\n")[0]})`);
  expect(afterLoss).not.toBe(marker);
  record(s.section, `lose ${c.volume} and re-apply s`, seconds(Date.now() - lossStarted));

  const r = await runRestore(s, c.volume, [snapshot]);
  if (r.code !== 0) throw new Error(`${s.name}: npm run restore ${c.volume} ${snapshot} failed (exit ${r.code}):\n${r.stdout}${tail(r.stderr)}`);
  record(s.section, `restore ${c.volume} s`, seconds(r.ms));
  say(`${s.name}: restored ${c.volume} in ${seconds(r.ms)}s: ${r.stdout.trim().split("\n").join(" | ")}`);
  expect(await c.read()).toBe(marker);
}
