/**
 * The backup runner's program (`/etc/restic/backup.sh`): POSIX sh around restic, written into the
 * runner by `Backup` (`backup.ts`). One snapshot per volume, tagged `volume=<name>`, host = the
 * stack. The same script restores (`tools/restore.ts` calls it), so taking and restoring a backup
 * use one definition of paths, tags and commands. Every value is one single-quoted word
 * (`shellQuote`); `Backup` hands the text to Terraform through `FileText.of`.
 */
import { shellQuote as q } from "./shell-quote";

/** Where the runner mounts a backed-up volume (read-only) and where a restore writes it. */
export const dataPath = (volume: string) => `/data/${volume}`;
/** Where the runner reads a database's password (the secret's variable names the file). */
export const postgresPasswordPath = (variableName: string) => `/run/secrets/postgres/${variableName}`;
/** Where the runner reads a companion secret file, stored with its volume's snapshot. */
export const companionPath = (variableName: string) => `/run/secrets/companions/${variableName}`;
/** Runner paths of the restic and ssh material. */
export const RUNNER_PATHS = {
  script: "/etc/restic/backup.sh",
  sources: "/etc/restic/sources.json",
  repository: "/etc/restic/repository",
  sshConfig: "/etc/restic/ssh_config",
  knownHosts: "/etc/restic/known_hosts",
  password: "/run/secrets/restic/password",
  sshKey: "/run/secrets/restic/ssh_key",
  /** tmpfs: status files and the metrics the runner serves. */
  state: "/run/backup",
} as const;
/** Port of the runner's metrics (busybox httpd serving `/metrics.txt`). */
export const METRICS_PORT = 9102;
export const METRICS_PATH = "/metrics.txt";

/** One volume as the runner sees it; `sources.json` holds the list, the script one call per entry. */
export type RunnerSource =
  | {
      readonly kind: "files";
      readonly volume: string;
      /** Secret files stored in the same snapshot (Zallet's age identity with its wallet). */
      readonly companions: readonly string[];
    }
  | {
      readonly kind: "postgres";
      readonly volume: string;
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly passwordFile: string;
      /** Services that write through the database, stopped while it is restored. */
      readonly clients: readonly string[];
    };

export interface RunnerScriptProps {
  /** restic `--host` of every snapshot: the stack. */
  readonly host: string;
  readonly sources: readonly RunnerSource[];
  readonly intervalMinutes: number;
  readonly maxAgeMinutes: number;
  readonly keep: { readonly withinHours: number; readonly daily: number; readonly weekly: number; readonly monthly: number };
}

/** The script, with the sources as calls of its functions. */
export function runnerScript(p: RunnerScriptProps): string {
  const calls = p.sources.map((s) =>
    s.kind === "files"
      ? `  backup_files ${q(s.volume)}${s.companions.map((c) => ` ${q(c)}`).join("")} || failed=1`
      : `  backup_postgres ${q(s.volume)} ${q(s.host)} ${s.port} ${q(s.database)} ${q(s.user)} ${q(s.passwordFile)} || failed=1`,
  );
  // Docker volume names are letters, digits, "_", "." and "-": the list splits on its spaces.
  const volumes = p.sources.map((s) => s.volume).join(" ");
  const postgresCases = p.sources
    .flatMap((s) =>
      s.kind === "postgres"
        ? [`    ${q(s.volume)}) echo ${q(s.host)} ${s.port} ${q(s.database)} ${q(s.user)} ${q(s.passwordFile)} ;;`]
        : [],
    )
    .join("\n");
  const companionCases = p.sources
    .flatMap((s) => (s.kind === "files" && s.companions.length > 0 ? [`    ${q(s.volume)}) echo ${s.companions.map(q).join(" ")} ;;`] : []))
    .join("\n");
  return `#!/bin/sh
# Backup runner of the stack in HOST: restic snapshots of each volume, every ${p.intervalMinutes} min. Written
# by the stack (lib/backup-script.ts); do not edit in the container.
#   backup.sh run                      serve metrics, back up now and every interval (the main process)
#   backup.sh once                     back up every volume now; exit 1 when any failed
#   backup.sh health                   exit 0 when the last run succeeded and each volume is recent
#   backup.sh snapshots [VOLUME]       list the snapshots (of one volume)
#   backup.sh restore-files VOLUME SNAPSHOT       restore into ${dataPath("VOLUME")} (mounted rw)
#   backup.sh restore-postgres VOLUME SNAPSHOT    pg_restore the dump into the running database
#   backup.sh companion-check VOLUME SNAPSHOT     compare the snapshot's companion files with the deployed ones
set -u
HOST=${q(p.host)}
VOLUMES=${q(volumes)}
STATE=${RUNNER_PATHS.state}
export HOME=/tmp RESTIC_CACHE_DIR=/tmp/restic-cache
export RESTIC_REPOSITORY_FILE=${RUNNER_PATHS.repository} RESTIC_PASSWORD_FILE=${RUNNER_PATHS.password}

log() { echo "backup: $*" >&2; }
r() { restic --quiet -o sftp.args="-F ${RUNNER_PATHS.sshConfig}" "$@"; }
now() { date +%s; }

# Status per volume: $STATE/<volume>.ok holds the time of its last good snapshot, .failed exists
# while its last attempt failed. metrics_write renders them for Prometheus.
mark() { # VOLUME ok|failed
  if [ "$2" = ok ]; then now >"$STATE/$1.ok"; rm -f "$STATE/$1.failed"; else : >"$STATE/$1.failed"; fi
}
metrics_write() {
  mkdir -p "$STATE/www"
  {
    echo "# HELP z3infra_backup_last_run_success 1 when the volume's last backup attempt succeeded."
    echo "# TYPE z3infra_backup_last_run_success gauge"
    for v in $VOLUMES; do
      if [ -e "$STATE/$v.failed" ] || [ ! -e "$STATE/$v.ok" ]; then s=0; else s=1; fi
      echo "z3infra_backup_last_run_success{volume=\\"$v\\"} $s"
    done
    echo "# HELP z3infra_backup_last_success_timestamp_seconds Time of the volume's newest snapshot (0: none yet)."
    echo "# TYPE z3infra_backup_last_success_timestamp_seconds gauge"
    for v in $VOLUMES; do
      t=0; [ -e "$STATE/$v.ok" ] && t=$(cat "$STATE/$v.ok")
      echo "z3infra_backup_last_success_timestamp_seconds{volume=\\"$v\\"} $t"
    done
  } >"$STATE/www/metrics.txt.new" && mv "$STATE/www/metrics.txt.new" "$STATE/www/metrics.txt"
}

# restic exits 10 when no repository exists at the destination (then it is made), other codes for
# an unreachable destination or a wrong password.
ensure_repository() {
  r cat config >/dev/null 2>"$STATE/repository.err"; rc=$?
  [ "$rc" = 0 ] && return 0
  if [ "$rc" = 10 ]; then log "no repository at the destination yet: restic init"; r init >/dev/null; return; fi
  cat "$STATE/repository.err" >&2
  return 1
}

# A volume copied while its writer runs: the copy is taken again when a file changed during it
# (mtime newer than the start), up to 3 times; a volume that never holds still fails the run.
backup_files() { # VOLUME [COMPANION...]
  v="$1"; shift
  dir=${dataPath("$v")}
  for attempt in 1 2 3; do
    touch "$STATE/$v.start"
    if ! r backup --host "$HOST" --tag "volume=$v" "$dir" "$@"; then
      log "$v: restic backup failed"; mark "$v" failed; return 1
    fi
    changed=$(find "$dir" -newer "$STATE/$v.start" 2>/dev/null | head -n 1)
    if [ -z "$changed" ]; then log "$v: snapshot taken"; mark "$v" ok; return 0; fi
    log "$v: $changed changed during the copy (attempt $attempt): copying again"
  done
  log "$v: still changing after 3 copies: not consistent, run failed"; mark "$v" failed; return 1
}

# PostgreSQL through its own dump (custom format, one transaction: consistent while the app writes).
backup_postgres() { # VOLUME HOST PORT DATABASE USER PASSWORD_FILE
  v="$1"
  if ! PGPASSWORD="$(cat "$6")" r backup --host "$HOST" --tag "volume=$v" --stdin-filename "$v.dump" \\
      --stdin-from-command -- pg_dump --format=custom --no-owner --host="$2" --port="$3" --username="$5" --dbname="$4"; then
    log "$v: pg_dump or restic failed"; mark "$v" failed; return 1
  fi
  log "$v: snapshot taken (pg_dump)"; mark "$v" ok
}

run_once() {
  mkdir -p "$STATE"
  # One run at a time (the loop and a manual "once"); mkdir is atomic.
  until mkdir "$STATE/lock" 2>/dev/null; do sleep 1; done
  failed=0
  if ! ensure_repository; then
    log "the repository cannot be reached or opened"
    for v in $VOLUMES; do mark "$v" failed; done
    failed=1
  else
${calls.map((c) => "  " + c).join("\n")}
    if [ "$failed" = 0 ]; then
      r forget --host "$HOST" --group-by host,tags --keep-within ${p.keep.withinHours}h --keep-daily ${p.keep.daily} --keep-weekly ${p.keep.weekly} --keep-monthly ${p.keep.monthly} --prune >/dev/null \\
        || { log "restic forget --prune failed"; failed=1; }
    fi
  fi
  if [ "$failed" = 0 ]; then rm -f "$STATE/last.failed"; else : >"$STATE/last.failed"; fi
  metrics_write
  rmdir "$STATE/lock"
  [ "$failed" = 0 ] && log "run finished: every volume backed up" || log "run finished: FAILED"
  return "$failed"
}

health() {
  [ ! -e "$STATE/last.failed" ] || { echo "the last backup run failed"; return 1; }
  for v in $VOLUMES; do
    [ -e "$STATE/$v.ok" ] || { echo "$v: no snapshot yet"; return 1; }
    age=$(( $(now) - $(cat "$STATE/$v.ok") ))
    [ "$age" -le ${p.maxAgeMinutes * 60} ] || { echo "$v: newest snapshot is $age seconds old"; return 1; }
  done
  echo "ok"
}

# The restore side's view of the sources (volume -> connection, companion files).
postgres_of() {
  case "$1" in
${postgresCases}
  esac
}
companions_of() {
  case "$1" in
${companionCases}
  esac
}

snapshot_of() { # VOLUME SNAPSHOT -> a snapshot id of that volume ("latest": the newest)
  if [ "$2" = latest ]; then
    r snapshots --host "$HOST" --tag "volume=$1" --latest 1 --json | sed -n 's/.*"short_id":"\\([0-9a-f]*\\)".*/\\1/p' | tail -n 1
  else echo "$2"; fi
}

action=""; [ $# -gt 0 ] && action="$1"
case "$action" in
  run)
    mkdir -p "$STATE/www"; metrics_write
    busybox httpd -p ${METRICS_PORT} -h "$STATE/www"
    while :; do run_once || true; sleep ${p.intervalMinutes * 60}; done ;;
  once) run_once ;;
  health) health ;;
  snapshots) ensure_repository >/dev/null 2>&1; if [ $# -gt 1 ]; then r snapshots --host "$HOST" --tag "volume=$2"; else r snapshots --host "$HOST"; fi ;;
  restore-files)
    v="$2"; id=$(snapshot_of "$v" "$3"); [ -n "$id" ] || { log "no snapshot of $v"; exit 1; }
    log "restoring $v from snapshot $id"
    r restore "$id:${dataPath("$v")}" --target ${dataPath("$v")} --delete ;;
  restore-postgres)
    v="$2"; id=$(snapshot_of "$v" "$3"); [ -n "$id" ] || { log "no snapshot of $v"; exit 1; }
    set -- $(postgres_of "$v")
    [ $# -eq 5 ] || { log "$v is not a PostgreSQL volume of this stack"; exit 1; }
    log "restoring database $3 from snapshot $id"
    r dump "$id" "/$v.dump" | PGPASSWORD="$(cat "$5")" pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \\
      --host="$1" --port="$2" --username="$4" --dbname="$3" ;;
  companion-check)
    v="$2"; id=$(snapshot_of "$v" "$3"); shift 3
    for f in $(companions_of "$v"); do
      a=$(r dump "$id" "$f" | sha256sum | cut -d' ' -f1); b=$(sha256sum <"$f" | cut -d' ' -f1)
      if [ "$a" = "$b" ]; then echo "$f: the deployed file matches the snapshot"; else echo "$f: DIFFERS from the snapshot (restic dump $id $f)"; exit 1; fi
    done ;;
  *) echo "usage: backup.sh run|once|health|snapshots [VOLUME]|restore-files VOLUME SNAPSHOT|restore-postgres VOLUME SNAPSHOT|companion-check VOLUME SNAPSHOT" >&2; exit 2 ;;
esac
`;
}
