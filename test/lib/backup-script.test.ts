import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dataPath, METRICS_PORT, RUNNER_PATHS, RunnerScriptProps, runnerScript, RunnerSource } from "../../lib/backup-script";
import { bashSyntax, HOSTILE_VALUES } from "../real-readers";

/** The backup runner's program (lib/backup-script.ts): its text, and runs of it by the shells on this machine. */

const FILES: RunnerSource = { kind: "files", volume: "z3-regtest-zallet", companions: ["/run/secrets/companions/zallet_identity"] };
const PLAIN: RunnerSource = { kind: "files", volume: "jessy-dev-mmap-data", companions: [] };
const POSTGRES: RunnerSource = {
  kind: "postgres",
  volume: "zfs-sync-staging-postgres-data",
  host: "postgres",
  port: 5432,
  database: "zfssync",
  user: "zfssync",
  passwordFile: "/run/secrets/postgres/postgres_password",
  clients: ["zfs-sync-staging-app"],
};
const props = (sources: readonly RunnerSource[], extra: Partial<RunnerScriptProps> = {}): RunnerScriptProps => ({
  host: "test-dev",
  sources,
  intervalMinutes: 60,
  maxAgeMinutes: 150,
  keep: { withinHours: 24, daily: 7, weekly: 4, monthly: 2 },
  ...extra,
});

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-script-"));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The shells on this machine that run the script: `sh` always, dash and busybox's ash when installed. */
const SHELLS: string[][] = [
  ["sh"],
  ...(["dash", "busybox"] as const)
    .filter((s) => spawnSync("sh", ["-c", `command -v ${s}`]).status === 0)
    .map((s) => (s === "busybox" ? ["busybox", "sh"] : [s])),
];

/** The script with its state directory in a temporary directory (it is a tmpfs in the runner). */
function installed(script: string): { file: string; state: string; dir: string } {
  const dir = tempDir();
  const state = path.join(dir, "state");
  fs.mkdirSync(state);
  const file = path.join(dir, "backup.sh");
  const text = script.replace(`STATE=${RUNNER_PATHS.state}\n`, `STATE=${state}\n`);
  expect(text).not.toBe(script);
  fs.writeFileSync(file, text, { mode: 0o755 });
  return { file, state, dir };
}

function run(shell: string[], file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(shell[0], [...shell.slice(1), file, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, ...env },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the generated script", () => {
  test.each([
    ["files with a companion, and PostgreSQL", [FILES, PLAIN, POSTGRES]],
    ["files only", [PLAIN]],
    ["PostgreSQL only", [POSTGRES]],
    ["no source", []],
  ] as const)("is accepted by sh -n: %s", (_what, sources) => {
    const file = path.join(tempDir(), "backup.sh");
    fs.writeFileSync(file, runnerScript(props(sources)));
    for (const shell of SHELLS) {
      const r = spawnSync(shell[0], [...shell.slice(1), "-n", file], { encoding: "utf8" });
      expect([shell.join(" "), r.status, r.stderr]).toEqual([shell.join(" "), 0, ""]);
    }
  });

  test("backs up each volume once per run, as one snapshot tagged volume=<name> with the stack as host", () => {
    const script = runnerScript(props([FILES, PLAIN, POSTGRES]));
    const calls = script
      .split("\n")
      .filter((l) => /^\s+backup_(files|postgres) '/.test(l))
      .map((l) => l.trim());
    expect(calls).toEqual([
      "backup_files 'z3-regtest-zallet' '/run/secrets/companions/zallet_identity' || failed=1",
      "backup_files 'jessy-dev-mmap-data' || failed=1",
      "backup_postgres 'zfs-sync-staging-postgres-data' 'postgres' 5432 'zfssync' 'zfssync' '/run/secrets/postgres/postgres_password' || failed=1",
    ]);
    expect(script).toContain("HOST='test-dev'");
    expect(script).toContain("VOLUMES='z3-regtest-zallet jessy-dev-mmap-data zfs-sync-staging-postgres-data'");
    // Both kinds snapshot with the stack as host and the volume as tag.
    expect(script.match(/r backup --host "\$HOST" --tag "volume=\$v"/g)).toHaveLength(2);
    expect(script).toContain(`dir=${dataPath("$v")}`);
    expect(script).toContain("--stdin-from-command -- pg_dump --format=custom");
  });

  test("keeps snapshots per host and volume as the policy says", () => {
    const script = runnerScript(props([PLAIN]));
    expect(script).toContain(
      'r forget --host "$HOST" --group-by host,tags --keep-within 24h --keep-daily 7 --keep-weekly 4 --keep-monthly 2 --prune',
    );
    expect(script).toContain("sleep 3600");
    expect(script).toContain('[ "$age" -le 9000 ]');
    expect(script).toContain(`busybox httpd -p ${METRICS_PORT} -h "$STATE/www"`);
  });

  test("postgres_of and companions_of: one case per source of that kind", () => {
    const script = runnerScript(props([FILES, PLAIN, POSTGRES]));
    const caseBody = (fn: string) => script.slice(script.indexOf(`${fn}() {`), script.indexOf("}", script.indexOf(`${fn}() {`)) + 1);
    expect(caseBody("postgres_of")).toContain(
      "'zfs-sync-staging-postgres-data') echo 'postgres' 5432 'zfssync' 'zfssync' '/run/secrets/postgres/postgres_password' ;;",
    );
    expect(caseBody("postgres_of")).not.toContain("zallet");
    expect(caseBody("companions_of")).toContain("'z3-regtest-zallet') echo '/run/secrets/companions/zallet_identity' ;;");
    expect(caseBody("companions_of")).not.toContain("jessy-dev-mmap-data");
    expect(caseBody("companions_of")).not.toContain("postgres");
  });

  test.each(SHELLS.map((s) => [s.join(" "), s]))("postgres_of and companions_of answer for each volume (%s)", (_name, shell) => {
    const script = runnerScript(props([FILES, PLAIN, POSTGRES]));
    // The functions alone, without the dispatch at the end.
    const functions = script.slice(0, script.indexOf('action=""'));
    const file = path.join(tempDir(), "functions.sh");
    fs.writeFileSync(file, functions);
    const ask = (call: string) => spawnSync(shell[0], [...shell.slice(1), "-c", `. "$1"; ${call}`, "sh", file], { encoding: "utf8" });
    expect(ask("postgres_of zfs-sync-staging-postgres-data").stdout).toBe(
      "postgres 5432 zfssync zfssync /run/secrets/postgres/postgres_password\n",
    );
    expect(ask("postgres_of z3-regtest-zallet").stdout).toBe("");
    expect(ask("companions_of z3-regtest-zallet").stdout).toBe("/run/secrets/companions/zallet_identity\n");
    expect(ask("companions_of jessy-dev-mmap-data").stdout).toBe("");
    expect(ask("set -- $(postgres_of zfs-sync-staging-postgres-data); echo $#").stdout).toBe("5\n");
  });

  test("carries no secret value: passwords and keys are read from their files at run time", () => {
    const script = runnerScript(props([FILES, POSTGRES]));
    expect(script).not.toMatch(/\$\{|%\{/);
    expect(script).toContain(`RESTIC_PASSWORD_FILE=${RUNNER_PATHS.password}`);
    expect(script).toContain(`-F ${RUNNER_PATHS.sshConfig}`);
    expect(script).toContain('PGPASSWORD="$(cat "$6")"');
    expect(script).not.toMatch(/RESTIC_PASSWORD=|PGPASSWORD=[^"]|PGPASSWORD="[^$]/);
  });

  test.each(HOSTILE_VALUES)("a value %j stays one word: sh reads HOST and each argument of a call back unchanged", (value) => {
    const script = runnerScript(props([{ ...POSTGRES, database: value, user: value }], { host: value }));
    expect(bashSyntax(script)).toBe("");
    // The statements as written (a quoted value may span lines): the HOST assignment, and the call of the source.
    const between = (from: string, to: string) => script.slice(script.indexOf(from), script.indexOf(to, script.indexOf(from)));
    const assignment = between("HOST=", "\nVOLUMES=");
    const call = between("backup_postgres '", " || failed=1");
    for (const shell of SHELLS) {
      const host = spawnSync(shell[0], [...shell.slice(1), "-c", `${assignment}\nprintf %s "$HOST"`], { encoding: "utf8" });
      expect(host.stdout).toBe(value);
      const args = spawnSync(shell[0], [...shell.slice(1), "-c", `backup_postgres() { printf '[%s]' "$@"; }\n${call}`], {
        encoding: "utf8",
      });
      expect(args.stdout).toBe(
        ["zfs-sync-staging-postgres-data", "postgres", "5432", value, value, "/run/secrets/postgres/postgres_password"]
          .map((a) => `[${a}]`)
          .join(""),
      );
    }
  });

  test("quotes values for sh (a quote in a value stays one word)", () => {
    const script = runnerScript(props([{ ...POSTGRES, user: "o'brien" }]));
    expect(script).toContain("'o'\\''brien'");
  });
});

describe("running the script", () => {
  const now = () => Math.floor(Date.now() / 1000);

  describe.each(SHELLS.map((s) => [s.join(" "), s]))("%s", (_name, shell) => {
    test("health: ok while every volume has a recent snapshot and the last run succeeded", () => {
      const { file, state } = installed(runnerScript(props([FILES, PLAIN])));
      for (const v of [FILES.volume, PLAIN.volume]) fs.writeFileSync(path.join(state, `${v}.ok`), `${now() - 60}\n`);
      expect(run(shell, file, ["health"])).toMatchObject({ code: 0, stdout: "ok\n" });
    });
    test("health fails when a volume has no snapshot yet", () => {
      const { file, state } = installed(runnerScript(props([FILES, PLAIN])));
      fs.writeFileSync(path.join(state, `${FILES.volume}.ok`), `${now()}\n`);
      expect(run(shell, file, ["health"])).toMatchObject({ code: 1, stdout: `${PLAIN.volume}: no snapshot yet\n` });
    });
    test("health fails when a volume's newest snapshot is older than maxAgeMinutes", () => {
      const { file, state } = installed(runnerScript(props([PLAIN])));
      fs.writeFileSync(path.join(state, `${PLAIN.volume}.ok`), `${now() - 151 * 60}\n`);
      const r = run(shell, file, ["health"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^${PLAIN.volume}: newest snapshot is 90[6-9][0-9] seconds old\\n$`));
    });
    test("health fails when the last run failed", () => {
      const { file, state } = installed(runnerScript(props([PLAIN])));
      fs.writeFileSync(path.join(state, `${PLAIN.volume}.ok`), `${now()}\n`);
      fs.writeFileSync(path.join(state, "last.failed"), "");
      expect(run(shell, file, ["health"])).toMatchObject({ code: 1, stdout: "the last backup run failed\n" });
    });
    test("an unknown action prints the usage and exits 2", () => {
      const { file } = installed(runnerScript(props([PLAIN])));
      const r = run(shell, file, ["bogus"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^usage: backup\.sh run\|once\|health/);
    });

    /** A stand-in restic on PATH that records its arguments (and PGPASSWORD) and succeeds, or fails `backup`. */
    function fakeRestic(dir: string, failBackup = false): string {
      const bin = path.join(dir, "bin");
      fs.mkdirSync(bin);
      const log = path.join(dir, "restic.log");
      fs.writeFileSync(
        path.join(bin, "restic"),
        `#!/bin/sh\necho "PGPASSWORD=\${PGPASSWORD:-} $*" >>"${log}"\n${failBackup ? 'case " $* " in *" backup "*) exit 1 ;; esac\n' : ""}exit 0\n`,
        { mode: 0o755 },
      );
      return log;
    }

    test("once: one restic backup per volume, then forget; the metrics say every volume succeeded", () => {
      const secret = "pg-secret-from-its-file";
      const passwordFile = path.join(tempDir(), "pw");
      fs.writeFileSync(passwordFile, secret);
      const { file, state, dir } = installed(runnerScript(props([FILES, { ...POSTGRES, passwordFile }])));
      const log = fakeRestic(dir);
      const r = run(shell, file, ["once"], { PATH: `${path.join(dir, "bin")}:${process.env.PATH}` });
      expect([r.code, r.stderr]).toEqual([0, expect.stringContaining("run finished: every volume backed up")]);
      const calls = fs.readFileSync(log, "utf8").trim().split("\n");
      const sftp = `--quiet -o sftp.args=-F ${RUNNER_PATHS.sshConfig}`;
      expect(calls).toEqual([
        `PGPASSWORD= ${sftp} cat config`,
        `PGPASSWORD= ${sftp} backup --host test-dev --tag volume=z3-regtest-zallet /data/z3-regtest-zallet /run/secrets/companions/zallet_identity`,
        `PGPASSWORD=${secret} ${sftp} backup --host test-dev --tag volume=zfs-sync-staging-postgres-data --stdin-filename zfs-sync-staging-postgres-data.dump --stdin-from-command -- pg_dump --format=custom --no-owner --host=postgres --port=5432 --username=zfssync --dbname=zfssync`,
        `PGPASSWORD= ${sftp} forget --host test-dev --group-by host,tags --keep-within 24h --keep-daily 7 --keep-weekly 4 --keep-monthly 2 --prune`,
      ]);
      const metrics = fs.readFileSync(path.join(state, "www", "metrics.txt"), "utf8");
      expect(metrics).toContain('z3infra_backup_last_run_success{volume="z3-regtest-zallet"} 1');
      expect(metrics).toContain('z3infra_backup_last_run_success{volume="zfs-sync-staging-postgres-data"} 1');
      expect(metrics).toMatch(/z3infra_backup_last_success_timestamp_seconds\{volume="z3-regtest-zallet"\} [1-9][0-9]{9}\n/);
      expect(run(shell, file, ["health"])).toMatchObject({ code: 0, stdout: "ok\n" });
      // The lock is released.
      expect(fs.existsSync(path.join(state, "lock"))).toBe(false);
    });

    test("once: a failed backup fails the run, skips forget, reads 0 in the metrics and turns the health check red", () => {
      const { file, state, dir } = installed(runnerScript(props([PLAIN])));
      const log = fakeRestic(dir, true);
      const r = run(shell, file, ["once"], { PATH: `${path.join(dir, "bin")}:${process.env.PATH}` });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("jessy-dev-mmap-data: restic backup failed");
      expect(fs.readFileSync(log, "utf8")).not.toContain(" forget ");
      const metrics = fs.readFileSync(path.join(state, "www", "metrics.txt"), "utf8");
      expect(metrics).toContain('z3infra_backup_last_run_success{volume="jessy-dev-mmap-data"} 0');
      expect(metrics).toContain('z3infra_backup_last_success_timestamp_seconds{volume="jessy-dev-mmap-data"} 0');
      expect(run(shell, file, ["health"])).toMatchObject({ code: 1, stdout: "the last backup run failed\n" });
    });
  });
});
