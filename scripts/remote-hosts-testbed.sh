#!/usr/bin/env bash
# Remote Docker hosts and a private registry on one machine, for the real-engine
# (e2e) tests of remote deployment: each in its own network namespace on a
# private Linux bridge, reached from the machine the way a deploy job reaches
# real hosts.
#
#   tls       dockerd on tcp://10.241.0.10:2376 with mutual TLS (--tlsverify):
#             server certificate for its IP, client certificate in a directory
#             laid out as the provider's docker_cert_path expects
#   ssh       dockerd on its unix socket only, plus sshd on 10.241.0.11:22:
#             user `deploy` (group `docker`, which owns the socket), key-only
#             auth; the provider connects with ssh://deploy@10.241.0.11
#   registry  Debian's docker-registry (distribution 2.8) on 10.241.0.12:5000
#             with TLS and htpasswd (bcrypt) auth; every engine of the machine
#             trusts its CA through /etc/docker/certs.d/10.241.0.12:5000/ca.crt
#
# All certificates come from one throwaway CA made with openssl by `up`.
#
# Usage: scripts/remote-hosts-testbed.sh <command>
#
#   up       build the bed (installs openssh-server, docker-registry and
#            apache2-utils with apt-get when missing). A healthy bed is left as
#            it is; anything else is torn down and rebuilt. Prints how long it took.
#   down     remove everything `up` made. Succeeds when nothing exists.
#   status   each host's processes, then an end-to-end check of each way in:
#            docker over TLS, docker over ssh, the registry's /v2/ with and
#            without credentials.
#   env      print the bed's coordinates as shell assignments (no secret values:
#            the registry password is given as a file).
#
# How the ssh host works: Docker's ssh connection helper (docker CLI and the
# Terraform provider alike) runs the system `ssh` client with the remote command
# `docker system dial-stdio`, which the remote docker CLI answers by relaying
# stdin/stdout to its default socket, /var/run/docker.sock. So the remote side
# needs the docker CLI on the user's PATH and that user able to open the socket.
# Here the "remote" filesystem is this machine's, so sshd runs in a mount
# namespace of its own with a private /run in which /run/docker.sock points at
# the ssh host's daemon: a session on the ssh host sees that daemon at the
# default path, as on a real host, and cannot see this machine's own engine.
#
# Layout (all of it removed by `down`):
#   bridge z3rhbr0 10.241.0.1/24; namespaces z3rh-tls (.10), z3rh-ssh (.11),
#   z3rh-registry (.12), veths z3rhv-<host>; iptables rules tagged "z3-rh";
#   /var/lib/z3-rh (daemons' data roots and sockets, registry storage, CA,
#   client material under /var/lib/z3-rh/client), /run/z3-rh (exec roots),
#   /var/log/z3-rh (logs); /etc/docker/certs.d/10.241.0.12:5000; the `deploy`
#   user (only one this script created: its comment says so).
#
# Address ranges, outside Docker's default pools and the swarm test bed's
# (10.231-10.234), checked at `up` against the machine's routes:
#   10.241.0.0/24   the bridge            10.242.0.1/24   tls host's docker0
#   10.242.1.1/24   ssh host's docker0    10.243.0.0/20   tls host's networks
#   10.243.16.0/20  ssh host's networks
#
# Needs root, dockerd (with containerd and runc), the docker CLI, iproute2,
# iptables, util-linux, openssl, curl. Never touches the machine's own dockerd.
#
# Exit codes: 0 ok, 1 failure (the message says what failed), 2 bad usage.
set -euo pipefail

# ---------------------------------------------------------------- constants --
readonly BRIDGE="z3rhbr0"
readonly NET_PREFIX="10.241.0"
readonly BRIDGE_ADDR="$NET_PREFIX.1"
readonly BRIDGE_CIDR="$NET_PREFIX.0/24"
readonly HOSTS=(tls ssh registry)
readonly DAEMON_HOSTS=(tls ssh)
readonly DATA_BASE="/var/lib/z3-rh"
readonly RUN_BASE="/run/z3-rh"
readonly LOG_BASE="/var/log/z3-rh"
readonly CLIENT_DIR="$DATA_BASE/client"
readonly PKI_DIR="$DATA_BASE/pki"
readonly DAEMON_CONFIG="$DATA_BASE/daemon.json"
readonly RULE_COMMENT="z3-rh"
readonly DEPLOY_USER="deploy"
readonly DEPLOY_COMMENT="z3-rh test bed deploy user"
readonly DOCKER_GROUP="docker"
readonly REGISTRY_USER="z3rh-push"
readonly TLS_PORT=2376
readonly REGISTRY_PORT=5000
readonly CERT_DAYS=7
START_TIMEOUT="${Z3RH_START_TIMEOUT:-60}"
STOP_TIMEOUT="${Z3RH_STOP_TIMEOUT:-60}"

BED_NAME="remote-hosts-testbed"
# shellcheck source=lib/bed-net.sh
. "$(dirname "$0")/lib/bed-net.sh"
# shellcheck source=lib/bed-sshd.sh
. "$(dirname "$0")/lib/bed-sshd.sh"
# shellcheck source=lib/bed-common.sh
. "$(dirname "$0")/lib/bed-common.sh"
# shellcheck source=lib/bed-dockerd.sh
. "$(dirname "$0")/lib/bed-dockerd.sh"

# ------------------------------------------------------------------ helpers --
host_index() { case "$1" in tls) echo 10 ;; ssh) echo 11 ;; registry) echo 12 ;; *) die "unknown host $1" ;; esac; }
host_addr() { echo "$NET_PREFIX.$(host_index "$1")"; }
ns_name() { echo "z3rh-$1"; }
veth_name() { case "$1" in registry) echo "z3rhv-reg" ;; *) echo "z3rhv-$1" ;; esac; }
peer_name() { case "$1" in registry) echo "z3rhp-reg" ;; *) echo "z3rhp-$1" ;; esac; }
bip() { case "$1" in tls) echo "10.242.0.1/24" ;; ssh) echo "10.242.1.1/24" ;; esac; }
pool() { case "$1" in tls) echo "10.243.0.0/20" ;; ssh) echo "10.243.16.0/20" ;; esac; }
host_dir() { echo "$DATA_BASE/$1"; }
sock_path() { echo "$DATA_BASE/$1/docker.sock"; }
sock_url() { echo "unix://$(sock_path "$1")"; }
pid_file() { echo "$DATA_BASE/$1/$2.pid"; }
log_file() { echo "$LOG_BASE/$1.log"; }
registry_address() { echo "$(host_addr registry):$REGISTRY_PORT"; }
certs_d() { echo "/etc/docker/certs.d/$(registry_address)"; }

require_tools() {
  bed_require_tools "namespaces, bridges, iptables, dockerd, sshd" \
    dockerd:docker.io containerd:containerd runc:runc docker:docker-cli ip:iproute2 iptables:iptables \
    nsenter:util-linux unshare:util-linux setsid:util-linux flock:util-linux openssl:openssl curl:curl \
    timeout:coreutils useradd:passwd
}

# sshd, the registry and htpasswd come from Debian 12 packages, installed here
# when missing. Debian's policy-rc.d (or the lack of an init system) keeps the
# packaged services from starting; a packaged sshd that did start is left alone
# (this bed's sshd listens only inside its namespace).
install_packages() {
  local need=()
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
  command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
  [ ${#need[@]} -eq 0 ] || bed_apt_install "${need[@]}"
}

daemon_answers() { bed_dockerd_answers "$(sock_url "$1")"; }
log_tail() { bed_log_tail "$(log_file "$1")"; }
check_address_ranges() { bed_check_routes "$BRIDGE_CIDR" 10.242.0.0/23 10.243.0.0/19; }

# ----------------------------------------------------------------- network --
# As in scripts/swarm-testbed.sh: traffic between the bed's ports is accepted,
# anything routed out of the bed is dropped (scripts/lib/bed-net.sh).
bed_rules between

create_network() {
  local h
  bed_bridge_add
  for h in "${HOSTS[@]}"; do bed_host_add "$(ns_name "$h")" "$(veth_name "$h")" "$(peer_name "$h")" "$(host_addr "$h")"; done
}

# --------------------------------------------------------------------- PKI --
# sign <name> <subject CN> <extensions> <CA dir>: key + certificate in $PKI_DIR/<name>-{key,cert}.pem.
sign() {
  local name="$1" cn="$2" ext="$3" ca="$4"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj "/CN=$cn" \
    -keyout "$PKI_DIR/$name-key.pem" -out "$PKI_DIR/$name.csr" 2>/dev/null
  openssl x509 -req -days "$CERT_DAYS" -in "$PKI_DIR/$name.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 8)" -extfile <(printf '%s\n' "$ext") -out "$PKI_DIR/$name-cert.pem" 2>/dev/null
  rm -f "$PKI_DIR/$name.csr"
}

make_ca() {
  local dir="$1" cn="$2"
  mkdir -p "$dir"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days "$CERT_DAYS" -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
}

make_pki() {
  local server_ext client_ext
  umask 077
  mkdir -p "$PKI_DIR" "$CLIENT_DIR/tls" "$CLIENT_DIR/tls-untrusted" "$CLIENT_DIR/registry"
  make_ca "$PKI_DIR" "z3-rh test bed CA"
  # A second CA the daemons do not trust: its client certificate must be refused.
  make_ca "$PKI_DIR/untrusted" "z3-rh untrusted CA"
  server_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth"
  client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
  sign tls-server "$(host_addr tls)" "$server_ext
subjectAltName=IP:$(host_addr tls)" "$PKI_DIR"
  sign registry "$(host_addr registry)" "$server_ext
subjectAltName=IP:$(host_addr registry)" "$PKI_DIR"
  sign client "deploy" "$client_ext" "$PKI_DIR"
  sign client-untrusted "deploy" "$client_ext" "$PKI_DIR/untrusted"
  # docker_cert_path layout: ca.pem (the CA that signed the daemon's certificate), cert.pem, key.pem.
  cp "$PKI_DIR/ca.pem" "$CLIENT_DIR/tls/ca.pem"
  cp "$PKI_DIR/client-cert.pem" "$CLIENT_DIR/tls/cert.pem"
  cp "$PKI_DIR/client-key.pem" "$CLIENT_DIR/tls/key.pem"
  cp "$PKI_DIR/ca.pem" "$CLIENT_DIR/tls-untrusted/ca.pem"
  cp "$PKI_DIR/client-untrusted-cert.pem" "$CLIENT_DIR/tls-untrusted/cert.pem"
  cp "$PKI_DIR/client-untrusted-key.pem" "$CLIENT_DIR/tls-untrusted/key.pem"
  cp "$PKI_DIR/ca.pem" "$CLIENT_DIR/registry/ca.pem"
  umask 022
  chmod 0755 "$CLIENT_DIR" "$CLIENT_DIR/tls" "$CLIENT_DIR/tls-untrusted"
  chmod 0644 "$CLIENT_DIR"/tls*/ca.pem "$CLIENT_DIR"/tls*/cert.pem "$CLIENT_DIR/registry/ca.pem"
  # Engines pulling from (and pushing to) the registry trust its CA for that address only.
  mkdir -p "$(certs_d)"
  cp "$PKI_DIR/ca.pem" "$(certs_d)/ca.crt"
}

# ----------------------------------------------------------------- daemons --
# dockerd of host $1 inside its namespace (scripts/lib/bed-dockerd.sh).
start_daemon() {
  local h="$1" extra=()
  mkdir -p "$(host_dir "$h")/docker" "$RUN_BASE/$h" "$LOG_BASE"
  [ -e "$DAEMON_CONFIG" ] || echo '{}' >"$DAEMON_CONFIG"
  rm -f "$(pid_file "$h" dockerd)"
  case "$h" in
    tls) extra=(-H "tcp://$(host_addr tls):$TLS_PORT" --tlsverify --tlscacert "$PKI_DIR/ca.pem"
                --tlscert "$PKI_DIR/tls-server-cert.pem" --tlskey "$PKI_DIR/tls-server-key.pem") ;;
    ssh) extra=(--group "$DOCKER_GROUP") ;;
  esac
  echo "=== $(date -u +%FT%TZ) remote-hosts-testbed: starting dockerd of $h" >>"$(log_file "$h")"
  bed_dockerd_start "$(ns_name "$h")" "$(log_file "$h")" "$RUN_BASE/$h.launcher" HOME=/root -- \
    --config-file "$DAEMON_CONFIG" \
    --data-root "$(host_dir "$h")/docker" \
    --exec-root "$RUN_BASE/$h" \
    --pidfile "$(pid_file "$h" dockerd)" \
    -H "$(sock_url "$h")" "${extra[@]}" \
    --bip "$(bip "$h")" \
    --default-address-pool "base=$(pool "$h"),size=24" \
    --cgroup-parent "/z3-rh-$h"
}

wait_daemon() { bed_dockerd_wait "$1" "$(sock_url "$1")" "$(pid_file "$1" dockerd)" "$(log_file "$1")" "$RUN_BASE/$1.launcher"; }

# ------------------------------------------------------------- ssh host ---
deploy_user_is_ours() { [ "$(getent passwd "$DEPLOY_USER" | cut -d: -f5)" = "$DEPLOY_COMMENT" ]; }

make_deploy_user() {
  local home="$DATA_BASE/home/$DEPLOY_USER"
  getent group "$DOCKER_GROUP" >/dev/null || groupadd --system "$DOCKER_GROUP"
  if getent passwd "$DEPLOY_USER" >/dev/null; then
    deploy_user_is_ours || die "a user '$DEPLOY_USER' exists and was not made by this script; remove it or run the bed elsewhere"
  else
    mkdir -p "$DATA_BASE/home"
    useradd --system --home-dir "$home" --create-home --shell /bin/sh --comment "$DEPLOY_COMMENT" \
      --groups "$DOCKER_GROUP" "$DEPLOY_USER"
  fi
  mkdir -p "$home"; chown "$DEPLOY_USER:" "$home"; chmod 0755 "$home"
  # No password at all ('*', not the locked '!'): sshd without PAM refuses locked accounts even for keys.
  usermod -p '*' "$DEPLOY_USER"
}

make_ssh_material() {
  local d; d="$(host_dir ssh)"
  mkdir -p "$d/authorized_keys" "$CLIENT_DIR/ssh"
  chmod 0755 "$d" "$d/authorized_keys"
  ssh-keygen -q -t ed25519 -N "" -C "z3-rh ssh host" -f "$d/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N "" -C "deploy@z3-rh" -f "$CLIENT_DIR/ssh/id_ed25519"
  install -m 0644 "$CLIENT_DIR/ssh/id_ed25519.pub" "$d/authorized_keys/$DEPLOY_USER"
  # What `ssh-keyscan 10.241.0.11` prints once checked: the host's address and its public key.
  echo "$(host_addr ssh) $(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" >"$CLIENT_DIR/ssh/known_hosts"
  chmod 0700 "$CLIENT_DIR/ssh"; chmod 0600 "$CLIENT_DIR/ssh/id_ed25519"
  {
    cat <<EOF
# remote-hosts-testbed.sh: the ssh host's sshd (key-only, one user).
ListenAddress $(host_addr ssh):22
HostKey $d/ssh_host_ed25519_key
PidFile $(pid_file ssh sshd)
AuthorizedKeysFile $d/authorized_keys/%u
AllowUsers $DEPLOY_USER
EOF
    bed_sshd_key_only
  } >"$d/sshd_config"
  # sshd runs in a mount namespace of its own whose /run is a fresh tmpfs:
  # /run/sshd for privilege separation, and /run/docker.sock (= /var/run/docker.sock)
  # a link to the ssh host's daemon.
  cat >"$d/sshd-launch.sh" <<EOF
#!/bin/sh
set -e
mount -t tmpfs -o mode=0755,size=1m z3rh-run /run
mkdir -m 0755 /run/sshd
ln -s $(sock_path ssh) /run/docker.sock
exec /usr/sbin/sshd "\$@"
EOF
  unshare --mount --propagation private sh "$d/sshd-launch.sh" -t -f "$d/sshd_config" || die "sshd refuses its configuration ($d/sshd_config)"
}

# sshd in the ssh host's network namespace and its own mount namespace, detached.
start_sshd() {
  local d; d="$(host_dir ssh)"
  rm -f "$(pid_file ssh sshd)"
  echo "=== $(date -u +%FT%TZ) remote-hosts-testbed: starting sshd" >>"$(log_file sshd)"
  setsid nsenter --net="/run/netns/$(ns_name ssh)" \
    unshare --mount --propagation private sh "$d/sshd-launch.sh" -D -e -f "$d/sshd_config" \
    >>"$(log_file sshd)" 2>&1 </dev/null 9<&- &
  wait_pidfile sshd "$(pid_file ssh sshd)" sshd
}

# ------------------------------------------------------------- registry ---
make_registry() {
  local d; d="$(host_dir registry)"
  mkdir -p "$d/data"
  umask 077
  openssl rand -hex 16 >"$CLIENT_DIR/registry/password"
  echo "$REGISTRY_USER" >"$CLIENT_DIR/registry/username"
  htpasswd -iBc "$d/htpasswd" "$REGISTRY_USER" <"$CLIENT_DIR/registry/password" 2>/dev/null
  cp "$PKI_DIR/registry-cert.pem" "$d/cert.pem"; cp "$PKI_DIR/registry-key.pem" "$d/key.pem"
  cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: $(registry_address)
  secret: $(openssl rand -hex 24)
  tls:
    certificate: $d/cert.pem
    key: $d/key.pem
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: z3-rh-registry
    path: $d/htpasswd
EOF
  umask 022
}

start_registry() {
  local d; d="$(host_dir registry)"
  echo "=== $(date -u +%FT%TZ) remote-hosts-testbed: starting docker-registry" >>"$(log_file registry)"
  # No job control here, so setsid does not fork: $! is the registry itself once nsenter execs it.
  setsid nsenter --net="/run/netns/$(ns_name registry)" \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent \
    "$(command -v docker-registry)" serve "$d/config.yml" \
    >>"$(log_file registry)" 2>&1 </dev/null 9<&- &
  echo $! >"$(pid_file registry registry)"
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  until [ "$(registry_status "")" = "401" ]; do
    pid_of "$(pid_file registry registry)" docker-registry >/dev/null || { log_tail registry >&2; die "docker-registry exited during start-up"; }
    [ "$(date +%s)" -lt "$deadline" ] || { log_tail registry >&2; die "the registry did not answer on https://$(registry_address)/v2/ within ${START_TIMEOUT}s"; }
    sleep 0.2
  done
}

# HTTP status of GET /v2/ (with the bed's credentials when $1 = auth), trusting only the bed's CA.
registry_status() {
  local args=(-s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$CLIENT_DIR/registry/ca.pem")
  if [ "$1" = auth ]; then
    # Credentials through a config on stdin, never on the command line.
    printf 'user = "%s:%s"\n' "$(cat "$CLIENT_DIR/registry/username")" "$(cat "$CLIENT_DIR/registry/password")" |
      curl "${args[@]}" -K - "https://$(registry_address)/v2/" 2>/dev/null || true
  else
    curl "${args[@]}" "https://$(registry_address)/v2/" 2>/dev/null || true
  fi
}

wait_pidfile() {
  local what="$1" f="$2" comm="$3"
  bed_wait "$START_TIMEOUT" pid_of "$f" "$comm" >/dev/null || { log_tail "$what" >&2; die "$what did not start within ${START_TIMEOUT}s"; }
}

# ------------------------------------------------------------ end to end ---
docker_tls() {
  timeout 30 docker --tlsverify --tlscacert "$CLIENT_DIR/tls/ca.pem" --tlscert "$CLIENT_DIR/tls/cert.pem" --tlskey "$CLIENT_DIR/tls/key.pem" \
    -H "tcp://$(host_addr tls):$TLS_PORT" "$@"
}

ssh_deploy() {
  timeout 30 ssh -F /dev/null -i "$CLIENT_DIR/ssh/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes \
    -o UserKnownHostsFile="$CLIENT_DIR/ssh/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=yes -o ConnectTimeout=10 "$DEPLOY_USER@$(host_addr ssh)" "$@"
}

# Each way in works and reaches the right daemon (compared by engine id).
check_end_to_end() {
  local id_tls id_ssh got
  id_tls="$(timeout 20 docker -H "$(sock_url tls)" info --format '{{.ID}}')" || die "the tls host's daemon does not answer on its socket"
  id_ssh="$(timeout 20 docker -H "$(sock_url ssh)" info --format '{{.ID}}')" || die "the ssh host's daemon does not answer on its socket"
  got="$(docker_tls info --format '{{.ID}}' 2>&1)" || die "docker over TLS (tcp://$(host_addr tls):$TLS_PORT) failed: $got"
  [ "$got" = "$id_tls" ] || die "docker over TLS reached engine $got, not the tls host ($id_tls)"
  got="$(ssh_deploy docker info --format '{{.ID}}' 2>&1)" || { log_tail sshd >&2; die "docker over ssh ($DEPLOY_USER@$(host_addr ssh)) failed: $got"; }
  [ "$got" = "$id_ssh" ] || die "docker over ssh reached engine $got, not the ssh host ($id_ssh)"
  got="$(registry_status "")"; [ "$got" = 401 ] || die "the registry answered /v2/ without credentials with $got (expected 401)"
  got="$(registry_status auth)"; [ "$got" = 200 ] || die "the registry answered /v2/ with the bed's credentials with $got (expected 200)"
}

# ------------------------------------------------------------------ teardown --
exists_anything() {
  local h
  ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
  for h in "${HOSTS[@]}"; do
    ip netns list 2>/dev/null | grep -q "^$(ns_name "$h")\( \|$\)" && return 0
  done
  [ -e "$DATA_BASE" ] || [ -e "$RUN_BASE" ] || [ -e "$(certs_d)" ] || deploy_user_is_ours
}

# ---------------------------------------------------------------- commands --
bed_healthy() {
  local h
  ip link show "$BRIDGE" >/dev/null 2>&1 || return 1
  bed_fw_present || return 1
  for h in "${DAEMON_HOSTS[@]}"; do
    pid_of "$(pid_file "$h" dockerd)" dockerd >/dev/null || return 1
    daemon_answers "$h" || return 1
  done
  pid_of "$(pid_file ssh sshd)" sshd >/dev/null || return 1
  pid_of "$(pid_file registry registry)" docker-registry >/dev/null || return 1
  cmp -s "$PKI_DIR/ca.pem" "$(certs_d)/ca.crt" || return 1
  deploy_user_is_ours || return 1
  (check_end_to_end) >/dev/null 2>&1
}

cmd_up() {
  local t0 h
  t0="$(now_ms)"
  if bed_healthy; then
    say "up: a healthy bed is already up (checked in $(secs_since "$t0")s)"
    return 0
  fi
  if exists_anything; then
    say "up: found an incomplete bed; tearing it down first"
    cmd_down
  fi
  install_packages
  check_address_ranges
  mkdir -p "$DATA_BASE" "$RUN_BASE" "$LOG_BASE"
  chmod 0755 "$DATA_BASE"
  create_network
  make_pki
  for h in "${DAEMON_HOSTS[@]}"; do : >"$(log_file "$h")"; start_daemon "$h"; done
  make_deploy_user
  make_ssh_material
  make_registry
  start_registry
  for h in "${DAEMON_HOSTS[@]}"; do wait_daemon "$h"; done
  start_sshd
  check_end_to_end
  say "up: tls host tcp://$(host_addr tls):$TLS_PORT, ssh host ssh://$DEPLOY_USER@$(host_addr ssh), registry $(registry_address): ready in $(secs_since "$t0")s"
}

cmd_down() {
  local t0 h pid f
  t0="$(now_ms)"
  for f in "$(pid_file ssh sshd):sshd" "$(pid_file registry registry):docker-registry"; do
    if pid="$(pid_of "${f%%:*}" "${f##*:}")"; then bed_stop_pid "$pid"; fi
  done
  for h in "${DAEMON_HOSTS[@]}"; do
    if pid="$(pid_of "$(pid_file "$h" dockerd)" dockerd)"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for h in "${DAEMON_HOSTS[@]}"; do
    if pid="$(pid_of "$(pid_file "$h" dockerd)" dockerd)"; then bed_stop_pid "$pid" signalled; fi
  done
  # Leftovers (only after a crash or a SIGKILL): containerd, shims, containers, sshd sessions.
  for h in "${HOSTS[@]}"; do bed_kill_leftovers "$(ns_name "$h")" "z3-rh-$h"; done
  bed_remove_dirs "$RUN_BASE" "$DATA_BASE" "$LOG_BASE"
  rm -rf "$(certs_d)"
  rmdir /etc/docker/certs.d 2>/dev/null || true
  if deploy_user_is_ours; then userdel "$DEPLOY_USER" 2>/dev/null || say "could not remove the user $DEPLOY_USER"; fi
  for h in "${HOSTS[@]}"; do bed_host_teardown "$(ns_name "$h")" "$(veth_name "$h")" "z3-rh-$h"; done
  bed_bridge_remove
  say "down: removed in $(secs_since "$t0")s"
}

cmd_status() {
  local h pid state
  printf '%-9s %-12s %-16s %s\n' HOST ADDRESS PROCESS STATE
  for h in "${DAEMON_HOSTS[@]}"; do
    if pid="$(pid_of "$(pid_file "$h" dockerd)" dockerd)"; then state="running (pid $pid)"; else state=stopped; fi
    printf '%-9s %-12s %-16s %s\n' "$h" "$(host_addr "$h")" dockerd "$state"
  done
  if pid="$(pid_of "$(pid_file ssh sshd)" sshd)"; then state="running (pid $pid)"; else state=stopped; fi
  printf '%-9s %-12s %-16s %s\n' ssh "$(host_addr ssh)" sshd "$state"
  if pid="$(pid_of "$(pid_file registry registry)" docker-registry)"; then state="running (pid $pid)"; else state=stopped; fi
  printf '%-9s %-12s %-16s %s\n' registry "$(host_addr registry)" docker-registry "$state"
  echo
  check_end_to_end
  echo "docker over TLS: ok ($(docker_tls version --format '{{.Server.Version}}'))"
  echo "docker over ssh: ok ($(ssh_deploy docker version --format '{{.Server.Version}}'))"
  echo "registry: /v2/ 401 without credentials, 200 with them"
}

cmd_env() {
  cat <<EOF
Z3RH_TLS_DOCKER_HOST=tcp://$(host_addr tls):$TLS_PORT
Z3RH_TLS_CERT_PATH=$CLIENT_DIR/tls
Z3RH_TLS_UNTRUSTED_CERT_PATH=$CLIENT_DIR/tls-untrusted
Z3RH_TLS_SOCKET=$(sock_url tls)
Z3RH_SSH_DOCKER_HOST=ssh://$DEPLOY_USER@$(host_addr ssh)
Z3RH_SSH_KEY=$CLIENT_DIR/ssh/id_ed25519
Z3RH_SSH_KNOWN_HOSTS=$CLIENT_DIR/ssh/known_hosts
Z3RH_SSH_SOCKET=$(sock_url ssh)
Z3RH_REGISTRY=$(registry_address)
Z3RH_REGISTRY_CA=$CLIENT_DIR/registry/ca.pem
Z3RH_REGISTRY_USERNAME_FILE=$CLIENT_DIR/registry/username
Z3RH_REGISTRY_PASSWORD_FILE=$CLIENT_DIR/registry/password
Z3RH_REGISTRY_LOG=$(log_file registry)
EOF
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  [ $# -eq 0 ] || bad_usage "$cmd takes no arguments"
  case "$cmd" in
    up) require_tools; bed_take_lock; cmd_up ;;
    down) require_tools; bed_take_lock; cmd_down ;;
    status) require_tools; cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) bad_usage "unknown command: $cmd" ;;
  esac
}

main "$@"
