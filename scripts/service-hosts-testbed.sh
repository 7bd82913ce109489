#!/usr/bin/env bash
# Service test hosts for the real-engine (e2e) tests: the off-host places a
# deployed stack talks to, each in a network namespace of its own on this
# machine, reached from containers through the machine's routing (Docker
# masquerades container traffic leaving its bridges).
#
#   backup  10.251.0.10  sshd serving SFTP only, to user z3backup (key only):
#                        the restic repository destination
#                        (sftp:z3backup@10.251.0.10:/srv/restic/<stack>)
#   alerts  10.251.0.20  the webhook receiver of e2e/webhook on :9099
#                        (POST: an Alertmanager notification; GET /received)
#
# Usage: scripts/service-hosts-testbed.sh <command>
#   up               build the bed (a healthy bed is left as it is)
#   down             remove everything `up` made (succeeds when nothing exists)
#   stop-backup      stop the backup host's sshd (an unreachable destination)
#   start-backup     start it again
#   block-backup IP  reject the backup host's traffic from one container
#                    address only (an unreachable destination for that stack
#                    while the others keep backing up: e2e lanes run together)
#   unblock-backup IP   remove that rule
#   env              print, as KEY=value lines, what a test needs: the
#                    repository base, the client key file, the known_hosts
#                    line, the webhook URL
#
# Layout (removed by `down`): bridge z3shbr0 10.251.0.1/24; namespaces
# z3sh-backup and z3sh-alerts (veths z3shv-backup, z3shv-alerts); state in
# /var/lib/z3-service-hosts (keys, repositories, sshd config); logs in
# /var/log/z3-service-hosts; iptables rules tagged "z3-sh"; the system user
# z3backup. Replies to connections the machine's containers opened are
# accepted; anything else routed out of the bed is dropped.
#
# Needs root, iproute2, iptables, util-linux, openssh (openssh-server is
# installed from Debian's packages when missing) and Go (for the receiver).
# Exit codes: 0 ok, 1 failure (the message says what failed), 2 bad usage.
set -euo pipefail

readonly BRIDGE="z3shbr0"
readonly NET_PREFIX="10.251.0"
readonly BRIDGE_ADDR="$NET_PREFIX.1"
readonly DATA_BASE="/var/lib/z3-service-hosts"
readonly LOG_BASE="/var/log/z3-service-hosts"
readonly RULE_COMMENT="z3-sh"
readonly BACKUP_USER="z3backup"
readonly REPO_BASE="/srv/restic"
readonly WEBHOOK_PORT=9099
readonly HOSTS=(backup alerts)
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly REPO_ROOT
START_TIMEOUT="${Z3_SH_START_TIMEOUT:-30}"
STOP_TIMEOUT=5
BED_NAME="service-hosts-testbed"
# shellcheck source=lib/bed-net.sh
. "$(dirname "$0")/lib/bed-net.sh"
# shellcheck source=lib/bed-sshd.sh
. "$(dirname "$0")/lib/bed-sshd.sh"
# shellcheck source=lib/bed-common.sh
. "$(dirname "$0")/lib/bed-common.sh"

host_addr() { case "$1" in backup) echo "$NET_PREFIX.10" ;; alerts) echo "$NET_PREFIX.20" ;; esac; }
ns_name() { echo "z3sh-$1"; }
veth_name() { echo "z3shv-$1"; }
pid_file() { echo "$DATA_BASE/$1.pid"; }
log_file() { echo "$LOG_BASE/$1.log"; }

# -------------------------------------------------------------- network ---
# Replies to connections the machine's containers open are accepted, anything
# else routed out of the bed is dropped (scripts/lib/bed-net.sh).
bed_rules replies

create_network() {
  local h
  bed_bridge_add
  for h in "${HOSTS[@]}"; do bed_host_add "$(ns_name "$h")" "$(veth_name "$h")" "$(veth_name "$h")-p" "$(host_addr "$h")"; done
}

# ------------------------------------------------------------ processes ---
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop_pid() {
  if pid_alive "$1"; then bed_stop_pid "$(cat "$1")"; fi
  rm -f "$1"
}
port_open() { bash -c "exec 3<>/dev/tcp/$(host_addr "$1")/$2" 2>/dev/null; }
wait_port() {
  local host="$1" port="$2" what="$3"
  bed_wait "$START_TIMEOUT" port_open "$host" "$port" \
    || { tail -n 20 "$(log_file "$what")" >&2 || true; die "$what did not listen on :$port within ${START_TIMEOUT}s"; }
}

install_packages() { [ -x /usr/sbin/sshd ] || bed_apt_install openssh-server; }

make_backup_host() {
  local d="$DATA_BASE/backup"
  mkdir -p "$d/authorized_keys" "$REPO_BASE"
  id "$BACKUP_USER" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir "$REPO_BASE" --shell /usr/sbin/nologin "$BACKUP_USER"
  # Key-only, but not locked: sshd without PAM refuses a locked account ("!" in /etc/shadow).
  usermod -p "*" "$BACKUP_USER"
  chown "$BACKUP_USER:" "$REPO_BASE"; chmod 0700 "$REPO_BASE"
  [ -f "$d/host_key" ] || ssh-keygen -q -t ed25519 -N "" -C "z3sh-backup host" -f "$d/host_key"
  [ -f "$DATA_BASE/client_key" ] || ssh-keygen -q -t ed25519 -N "" -C "z3sh backup client" -f "$DATA_BASE/client_key"
  install -m 0644 "$DATA_BASE/client_key.pub" "$d/authorized_keys/$BACKUP_USER"
  {
    cat <<EOF
ListenAddress $(host_addr backup):22
HostKey $d/host_key
PidFile $(pid_file sshd)
AuthorizedKeysFile $d/authorized_keys/%u
AllowUsers $BACKUP_USER
Subsystem sftp internal-sftp
ForceCommand internal-sftp
EOF
    bed_sshd_key_only
  } >"$d/sshd_config"
  mkdir -p /run/sshd
  /usr/sbin/sshd -t -f "$d/sshd_config" || die "sshd refuses its configuration ($d/sshd_config)"
}

start_sshd() {
  mkdir -p /run/sshd
  echo "=== $(date -u +%FT%TZ) starting sshd" >>"$(log_file sshd)"
  setsid ip netns exec "$(ns_name backup)" /usr/sbin/sshd -D -e -f "$DATA_BASE/backup/sshd_config" \
    >>"$(log_file sshd)" 2>&1 </dev/null &
  echo $! >"$(pid_file sshd)"
  wait_port backup 22 sshd
}

build_webhook() {
  local go out="$DATA_BASE/webhook"
  go="$(command -v go || echo /usr/local/go/bin/go)"
  [ -x "$go" ] || die "the webhook receiver needs Go (go on PATH or /usr/local/go/bin/go), as scripts/bootstrap-engine.sh installs"
  (cd "$REPO_ROOT/e2e/webhook" && CGO_ENABLED=0 "$go" build -trimpath -o "$out" .) || die "building e2e/webhook failed"
}

start_webhook() {
  echo "=== $(date -u +%FT%TZ) starting webhook" >>"$(log_file webhook)"
  setsid ip netns exec "$(ns_name alerts)" "$DATA_BASE/webhook" -listen "$(host_addr alerts):$WEBHOOK_PORT" \
    >>"$(log_file webhook)" 2>&1 </dev/null &
  echo $! >"$(pid_file webhook)"
  wait_port alerts "$WEBHOOK_PORT" webhook
}

healthy() {
  ip link show "$BRIDGE" >/dev/null 2>&1 && bed_fw_present && pid_alive "$(pid_file sshd)" && pid_alive "$(pid_file webhook)"
}

cmd_down() {
  local h rule chain
  # Per-container blocks left by an interrupted test (block-backup).
  chain=$(bed_fw_chain)
  while read -r rule; do
    [ -n "$rule" ] || continue
    eval "iptables -w ${rule/-A /-D }" || true
  done < <(iptables -w -S "$chain" 2>/dev/null | grep -- "--comment \"\?$RULE_COMMENT-block" || true)
  stop_pid "$(pid_file webhook)"
  stop_pid "$(pid_file sshd)"
  for h in "${HOSTS[@]}"; do bed_host_remove "$(ns_name "$h")" "$(veth_name "$h")"; done
  bed_bridge_remove
  rm -rf "$DATA_BASE" "$REPO_BASE"
  if id "$BACKUP_USER" >/dev/null 2>&1; then userdel "$BACKUP_USER" 2>/dev/null || true; fi
}

cmd_up() {
  bed_require_tools "namespaces, bridges, iptables, sshd"
  if healthy; then say "bed already up"; return 0; fi
  local t0=$SECONDS
  cmd_down
  install_packages
  mkdir -p "$DATA_BASE" "$LOG_BASE"
  create_network
  make_backup_host
  build_webhook
  start_sshd
  start_webhook
  say "up in $(( SECONDS - t0 )) s"
}

cmd_env() {
  healthy || die "the bed is not up (scripts/service-hosts-testbed.sh up)"
  echo "BACKUP_REPOSITORY_BASE=sftp:$BACKUP_USER@$(host_addr backup):$REPO_BASE"
  echo "BACKUP_SSH_KEY_FILE=$DATA_BASE/client_key"
  echo "BACKUP_KNOWN_HOSTS=$(host_addr backup) $(cut -d' ' -f1,2 "$DATA_BASE/backup/host_key.pub")"
  echo "BACKUP_REPOSITORY_DIR=$REPO_BASE"
  echo "WEBHOOK_URL=http://$(host_addr alerts):$WEBHOOK_PORT"
}

# One bed for every e2e lane: `up` and `down` run one at a time (lanes bring it up concurrently).
# flock -o: the daemons `up` starts must not inherit the lock, or it would be held as long as they run.
if { [ "${1:-}" = up ] || [ "${1:-}" = down ]; } && [ -z "${Z3_SH_LOCKED:-}" ]; then
  Z3_SH_LOCKED=1 exec flock -o -w 300 /run/z3-service-hosts.lock bash "$0" "$@"
fi

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down; say "down" ;;
  stop-backup) stop_pid "$(pid_file sshd)"; say "backup host's sshd stopped" ;;
  start-backup) pid_alive "$(pid_file sshd)" || start_sshd; say "backup host's sshd running" ;;
  env) cmd_env ;;
  block-backup|unblock-backup)
    [[ "${2:-}" =~ ^[0-9]+(\.[0-9]+){3}$ ]] || { echo "usage: $0 $1 <container IPv4 address>" >&2; exit 2; }
    rule=(-s "$2" -d "$(host_addr backup)" -m comment --comment "$RULE_COMMENT-block" -j REJECT --reject-with icmp-host-unreachable)
    chain=$(bed_fw_chain)
    if [ "$1" = block-backup ]; then
      iptables -w -C "$chain" "${rule[@]}" 2>/dev/null || iptables -w -I "$chain" 1 "${rule[@]}"
      say "backup host unreachable from $2"
    else
      while iptables -w -D "$chain" "${rule[@]}" 2>/dev/null; do :; done
      say "backup host reachable from $2 again"
    fi
    ;;
  *) echo "usage: $0 up|down|stop-backup|start-backup|block-backup IP|unblock-backup IP|env" >&2; exit 2 ;;
esac
