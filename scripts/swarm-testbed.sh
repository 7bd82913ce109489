#!/usr/bin/env bash
# Multi-node Docker Swarm test bed on one machine, for the real-engine (e2e)
# tests: N Docker daemons, each in its own network namespace, joined into one
# swarm over a private Linux bridge. Node 0 is the (only) manager and the data
# node (node label z3-infra.data=true); the others are workers.
#
# Usage: scripts/swarm-testbed.sh <command> [args]
#
#   up [N]               build an N-node bed (default 3). A healthy bed of N
#                        nodes is left as it is; anything else is torn down and
#                        rebuilt. Prints how long it took.
#   down                 remove everything `up` made. Succeeds when nothing exists.
#   stop-node I          stop node I's daemon (SIGTERM, wait; simulates node loss).
#   start-node I         start node I's daemon again; it rejoins the swarm from
#                        the state kept in its data root.
#   load-images REF...   copy images from the machine's own engine into every
#                        running node (docker save once, docker load per node;
#                        nodes that already hold the same image id are skipped).
#   status               the nodes' daemons, then the swarm's nodes as node 0 sees
#                        them (id, address, role, state, availability, labels).
#   socket I             print node I's Docker socket URL (unix:///run/z3-swarm/nodeI.sock).
#   address I            print node I's IP address (10.231.0.(10+I)).
#
# Layout (all of it removed by `down`):
#   bridge z3swbr0 10.231.0.1/24 in the root namespace; namespace z3sw-nodeI
#   with eth0 10.231.0.(10+I)/24 (veth z3swvI on the bridge), default route via
#   10.231.0.1; dockerd with data root /var/lib/z3-swarm/nodeI, exec root
#   /run/z3-swarm/nodeI, pidfile /run/z3-swarm/nodeI.pid, socket
#   /run/z3-swarm/nodeI.sock, log /var/log/z3-swarm/nodeI.log; iptables rules
#   tagged with the comment "z3-swarm".
#
# Address ranges, all outside Docker's default local pools (172.17-31.0.0/16,
# 192.168.0.0/16) and checked at `up` against the machine's routes and its own
# engine's networks:
#   10.231.0.0/24   the bridge (node addresses)
#   10.232.I.0/24   node I's docker0 (--bip)
#   10.233.0.0/16   each node's local networks (docker_gwbridge, bridges)
#   10.234.0.0/16   swarm-scoped (overlay) networks
#
# Environment:
#   Z3_SWARM_SOURCE_HOST    engine load-images copies from
#                           (default unix:///var/run/docker.sock)
#   Z3_SWARM_HEARTBEAT      swarm dispatcher heartbeat, i.e. how fast a lost node
#                           is noticed (default 5s, Docker's default)
#   Z3_SWARM_START_TIMEOUT  seconds to wait for a daemon to answer (default 60)
#   Z3_SWARM_STOP_TIMEOUT   seconds to wait for a daemon to exit before SIGKILL
#                           (default 60)
#
# Needs root, dockerd (with containerd and runc), the docker CLI, iproute2,
# iptables and util-linux (nsenter, setsid, flock); installs nothing.
# Never touches the machine's own dockerd: it only reads from it (docker save,
# image/network inspect).
#
# Exit codes: 0 ok, 1 failure (the message says what failed), 2 bad usage.
set -euo pipefail

# ---------------------------------------------------------------- constants --
readonly BRIDGE="z3swbr0"
readonly NET_PREFIX="10.231.0"               # node I is $NET_PREFIX.(10+I)
readonly BRIDGE_ADDR="$NET_PREFIX.1"
readonly BRIDGE_CIDR="$NET_PREFIX.0/24"
readonly BIP_PREFIX="10.232"                 # node I's docker0: 10.232.I.1/24
readonly LOCAL_POOL="10.233.0.0/16"
readonly SWARM_POOL="10.234.0.0/16"
readonly NS_PREFIX="z3sw-node"
readonly VETH_PREFIX="z3swv"                 # root side of node I's veth: z3swvI
readonly DATA_BASE="/var/lib/z3-swarm"
readonly RUN_BASE="/run/z3-swarm"
readonly LOG_BASE="/var/log/z3-swarm"
readonly DAEMON_CONFIG="$RUN_BASE/daemon.json"
readonly DATA_LABEL="z3-infra.data=true"
readonly RULE_COMMENT="z3-swarm"
readonly MAX_NODES=50

SOURCE_HOST="${Z3_SWARM_SOURCE_HOST:-unix:///var/run/docker.sock}"
HEARTBEAT="${Z3_SWARM_HEARTBEAT:-5s}"
START_TIMEOUT="${Z3_SWARM_START_TIMEOUT:-60}"
STOP_TIMEOUT="${Z3_SWARM_STOP_TIMEOUT:-60}"
IMAGE_TMP=""   # load-images' docker save file, removed on exit
BED_NAME="swarm-testbed"
# shellcheck source=lib/bed-net.sh
. "$(dirname "$0")/lib/bed-net.sh"
# shellcheck source=lib/bed-common.sh
. "$(dirname "$0")/lib/bed-common.sh"
# shellcheck source=lib/bed-dockerd.sh
. "$(dirname "$0")/lib/bed-dockerd.sh"

# ------------------------------------------------------------------ helpers --
ns_name() { echo "$NS_PREFIX$1"; }
veth_name() { echo "$VETH_PREFIX$1"; }
node_addr() { echo "$NET_PREFIX.$((10 + $1))"; }
sock_url() { echo "unix://$RUN_BASE/node$1.sock"; }
pid_file() { echo "$RUN_BASE/node$1.pid"; }
data_root() { echo "$DATA_BASE/node$1"; }
exec_root() { echo "$RUN_BASE/node$1"; }
log_file() { echo "$LOG_BASE/node$1.log"; }

# docker CLI against node I.
dk() { local i="$1"; shift; docker -H "$(sock_url "$i")" "$@"; }

check_index() {
  if [[ "${1:-}" =~ ^[0-9]+$ ]] && [ "$1" -lt "$MAX_NODES" ]; then return 0; fi
  bad_usage "node index must be 0..$((MAX_NODES - 1)), got '${1:-}'"
}

node_pid() { pid_of "$(pid_file "$1")" dockerd; }
node_answers() { bed_dockerd_answers "$(sock_url "$1")"; }
log_tail() { bed_log_tail "$(log_file "$1")"; }

# Every mutating command needs root and these tools, and nothing else.
require_tools() {
  bed_require_tools "namespaces, bridges, iptables, dockerd" \
    dockerd:docker.io containerd:containerd runc:runc docker:docker-cli/docker.io ip:iproute2 iptables:iptables \
    nsenter:util-linux setsid:util-linux flock:util-linux timeout:coreutils
}

# Indices of every node that exists in any form (namespace, pidfile, data or
# exec root, veth): what `down` has to remove, whatever `up` got to.
existing_nodes() {
  {
    ip netns list 2>/dev/null | sed -n "s/^$NS_PREFIX\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p"
    ip -o link show 2>/dev/null | sed -n "s/^[0-9]*: $VETH_PREFIX\([0-9][0-9]*\)[@:].*/\1/p"
    local d
    for d in "$RUN_BASE"/node* "$DATA_BASE"/node*; do
      [ -e "$d" ] || continue
      d="${d##*/node}"; d="${d%%.*}"
      [[ "$d" =~ ^[0-9]+$ ]] && echo "$d"
    done
  } | sort -nu
}

# --------------------------------------------------------- address checks --
# Refuse to build over address ranges the machine already uses: the bridge's
# subnet against the root namespace's routes (a clash there would misroute
# real traffic), and every range of the bed against the machine's own Docker
# networks when that engine answers (an address in a test's output then
# always says which engine it belongs to).
check_address_ranges() {
  local ours subnets s nets
  bed_check_routes "$BRIDGE_CIDR"
  if timeout 10 docker -H "$SOURCE_HOST" version >/dev/null 2>&1; then
    mapfile -t nets < <(timeout 20 docker -H "$SOURCE_HOST" network ls -q)
    subnets="$(timeout 20 docker -H "$SOURCE_HOST" network inspect --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' "${nets[@]}")" \
      || die "could not read the networks of the engine at $SOURCE_HOST"
    for s in $subnets; do
      [[ "$s" == *:* ]] && continue   # IPv6
      for ours in "$BRIDGE_CIDR" "$BIP_PREFIX.0.0/16" "$LOCAL_POOL" "$SWARM_POOL"; do
        cidr_overlap "$s" "$ours" && die "the machine's Docker network $s overlaps the test bed's range $ours"
      done
    done
  else
    say "note: the engine at $SOURCE_HOST does not answer; its networks were not checked"
  fi
  return 0
}

# ------------------------------------------------------------------ network --
# With br_netfilter loaded, frames bridged between the namespaces go through the
# root namespace's FORWARD chain, whose policy the machine's dockerd sets to
# DROP. Accept traffic between the bed's ports (swarm: TCP 2377, TCP/UDP 7946,
# UDP 4789, plus the services' published ports) and drop anything the nodes try
# to route out of the bed, so they can never reach beyond this machine
# (scripts/lib/bed-net.sh).
bed_rules between

remove_fw_rules() {
  local chain rule parts
  bed_fw_remove
  for chain in DOCKER-USER FORWARD; do
    iptables -w -n -L "$chain" >/dev/null 2>&1 || continue
    # Anything else carrying our comment (e.g. rules of an older version).
    while rule="$(iptables -w -S "$chain" | grep -m1 -- "--comment $RULE_COMMENT")"; do
      read -r -a parts <<<"${rule/-A /-D }"
      iptables -w "${parts[@]}" || break
    done
  done
}

create_network() {
  local n="$1" i
  bed_bridge_add
  for ((i = 0; i < n; i++)); do bed_host_add "$(ns_name "$i")" "$(veth_name "$i")" "z3swp$i" "$(node_addr "$i")"; done
}

# ----------------------------------------------------------------- daemons --
# Node I's dockerd (scripts/lib/bed-dockerd.sh). DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 stops swarm
# from contacting a registry (it otherwise pulls a task's image before starting it, and resolves
# tags to digests on service create), so tasks only use images loaded with load-images.
start_daemon() {
  local i="$1"
  mkdir -p "$(data_root "$i")" "$(exec_root "$i")" "$LOG_BASE"
  [ -e "$DAEMON_CONFIG" ] || echo '{}' >"$DAEMON_CONFIG"
  rm -f "$(pid_file "$i")"
  echo "=== $(date -u +%FT%TZ) swarm-testbed: starting dockerd for node $i" >>"$(log_file "$i")"
  bed_dockerd_start "$(ns_name "$i")" "$(log_file "$i")" "$RUN_BASE/node$i.launcher" DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 -- \
    --config-file "$DAEMON_CONFIG" \
    --data-root "$(data_root "$i")" \
    --exec-root "$(exec_root "$i")" \
    --pidfile "$(pid_file "$i")" \
    -H "$(sock_url "$i")" \
    --bip "$BIP_PREFIX.$i.1/24" \
    --default-address-pool "base=$LOCAL_POOL,size=24" \
    --cgroup-parent "/z3-swarm-node$i"
}

wait_daemon() { bed_dockerd_wait "node $1" "$(sock_url "$1")" "$(pid_file "$1")" "$(log_file "$1")" "$RUN_BASE/node$1.launcher"; }

# Stops node I's daemon (with "signalled": the SIGTERM was already sent), then kills whatever of
# the node is left.
stop_daemon() {
  local i="$1" pid
  if pid="$(node_pid "$i")"; then bed_stop_pid "$pid" "${2:-}"; fi
  bed_kill_leftovers "$(ns_name "$i")" "z3-swarm-node$i"
  rm -f "$(pid_file "$i")" "$RUN_BASE/node$i.launcher"
}

# ------------------------------------------------------------------- swarm --
form_swarm() {
  local n="$1" i token node0
  dk 0 swarm init \
    --advertise-addr "$(node_addr 0)" \
    --listen-addr "$(node_addr 0):2377" \
    --default-addr-pool "$SWARM_POOL" --default-addr-pool-mask-length 24 \
    --dispatcher-heartbeat "$HEARTBEAT" >/dev/null
  token="$(dk 0 swarm join-token -q worker)"
  # The joins are independent; run them side by side.
  local pids=()
  for ((i = 1; i < n; i++)); do
    dk "$i" swarm join --token "$token" --advertise-addr "$(node_addr "$i")" "$(node_addr 0):2377" >/dev/null &
    pids+=("$!")
  done
  for ((i = 1; i < n; i++)); do
    wait "${pids[$((i - 1))]}" || { log_tail "$i" >&2; die "node $i could not join the swarm"; }
  done
  node0="$(dk 0 info --format '{{.Swarm.NodeID}}')"
  dk 0 node update --label-add "$DATA_LABEL" "$node0" >/dev/null
  wait_ready "$n" 60
}

# Number of nodes node 0 reports Ready.
ready_count() {
  timeout 15 docker -H "$(sock_url 0)" node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true
}

wait_ready() {
  local n="$1" secs="$2" deadline
  deadline=$(( $(date +%s) + secs ))
  until [ "$(ready_count)" -eq "$n" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { dk 0 node ls >&2 || true; die "the swarm did not report $n nodes Ready within ${secs}s"; }
    sleep 0.5
  done
}

# Is there a complete, healthy bed of exactly N nodes?
bed_healthy() {
  local n="$1" i list node0
  ip link show "$BRIDGE" >/dev/null 2>&1 || return 1
  bed_fw_present || return 1
  list="$(existing_nodes | tr '\n' ' ')"
  [ "$list" = "$(seq -s ' ' 0 $((n - 1))) " ] || return 1
  for ((i = 0; i < n; i++)); do
    node_pid "$i" >/dev/null || return 1
    [ "$(timeout 10 docker -H "$(sock_url "$i")" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = "active" ] || return 1
  done
  # Exactly N nodes in the swarm, all Ready, and node 0 carries the data label.
  [ "$(timeout 15 docker -H "$(sock_url 0)" node ls -q 2>/dev/null | wc -l)" -eq "$n" ] || return 1
  [ "$(ready_count)" -eq "$n" ] || return 1
  node0="$(dk 0 info --format '{{.Swarm.NodeID}}' 2>/dev/null)" || return 1
  [ "$(dk 0 node inspect --format "{{index .Spec.Labels \"${DATA_LABEL%%=*}\"}}" "$node0" 2>/dev/null)" = "${DATA_LABEL#*=}" ]
}

# ---------------------------------------------------------------- commands --
cmd_up() {
  local n="${1:-3}" t0 i
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt "$MAX_NODES" ]; then
    bad_usage "up: node count must be 1..$MAX_NODES, got '$n'"
  fi
  t0="$(now_ms)"
  if bed_healthy "$n"; then
    say "up: a healthy $n-node bed is already up (checked in $(secs_since "$t0")s)"
    return 0
  fi
  if [ -n "$(existing_nodes)" ] || ip link show "$BRIDGE" >/dev/null 2>&1; then
    say "up: found an incomplete or different bed; tearing it down first"
    cmd_down
  fi
  check_address_ranges
  if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    say "note: br_netfilter is not loaded; bridged traffic bypasses iptables (the FORWARD rules are added anyway)"
  fi
  mkdir -p "$RUN_BASE" "$DATA_BASE" "$LOG_BASE"
  create_network "$n"
  # Start every daemon first, then wait for them: start-up runs in parallel.
  for ((i = 0; i < n; i++)); do : >"$(log_file "$i")"; start_daemon "$i"; done
  for ((i = 0; i < n; i++)); do wait_daemon "$i"; done
  say "up: $n daemons answer after $(secs_since "$t0")s; forming the swarm"
  form_swarm "$n"
  say "up: $n-node swarm ready in $(secs_since "$t0")s (manager: $(sock_url 0))"
}

cmd_down() {
  local t0 nodes i pid
  t0="$(now_ms)"
  mapfile -t nodes < <(existing_nodes)
  # Leave the swarm (the workers side by side, then the manager), only on
  # daemons that answer; bounded, since a broken node must not stop the teardown.
  for i in "${nodes[@]}"; do
    [ "$i" -eq 0 ] && continue
    if node_answers "$i"; then timeout 20 docker -H "$(sock_url "$i")" swarm leave --force >/dev/null 2>&1 & fi
  done
  wait || true
  if [ "${#nodes[@]}" -gt 0 ] && [ "${nodes[0]}" -eq 0 ] && node_answers 0; then
    timeout 20 docker -H "$(sock_url 0)" swarm leave --force >/dev/null 2>&1 || true
  fi
  # SIGTERM all daemons at once, then wait for each.
  for i in "${nodes[@]}"; do
    if pid="$(node_pid "$i")"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for i in "${nodes[@]}"; do stop_daemon "$i" signalled; done
  bed_remove_dirs "$RUN_BASE" "$DATA_BASE" "$LOG_BASE"
  # Namespaces (this also destroys the veth ends inside them), then the root side of the veths,
  # the containers' cgroups, the bridge and the firewall rules.
  for i in "${nodes[@]}"; do bed_host_teardown "$(ns_name "$i")" "$(veth_name "$i")" "z3-swarm-node$i"; done
  bed_bridge_remove
  remove_fw_rules
  say "down: removed ${#nodes[@]} node(s) in $(secs_since "$t0")s"
}

cmd_stop_node() {
  local i="$1" t0 pid
  [ -d "$(data_root "$i")" ] || die "node $i does not exist (run up first)"
  if ! pid="$(node_pid "$i")"; then say "stop-node: node $i is not running"; return 0; fi
  t0="$(now_ms)"
  stop_daemon "$i"
  say "stop-node: node $i (pid $pid) stopped in $(secs_since "$t0")s"
}

cmd_start_node() {
  local i="$1" t0 id deadline j
  if [ ! -d "$(data_root "$i")" ] || [ ! -e "/run/netns/$(ns_name "$i")" ]; then die "node $i does not exist (run up first)"; fi
  if node_pid "$i" >/dev/null && node_answers "$i"; then say "start-node: node $i already runs"; return 0; fi
  t0="$(now_ms)"
  stop_daemon "$i"   # clears a stale pidfile and any leftover of a crashed daemon
  start_daemon "$i"
  wait_daemon "$i"
  # Rejoining happens from the swarm state in the data root; wait until the
  # node is active and, when node 0 answers, until node 0 reports it Ready.
  deadline=$(( $(date +%s) + 60 ))
  until [ "$(dk "$i" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = "active" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { log_tail "$i" >&2; die "node $i did not rejoin the swarm within 60s"; }
    sleep 0.5
  done
  # Node 0 must then report every node whose daemon runs as ready: this one,
  # and after a manager restart also the others (they show "unknown" until
  # their next heartbeat reaches the new manager).
  if node_answers 0; then
    for j in $(existing_nodes); do
      node_answers "$j" || continue
      id="$(dk "$j" info --format '{{.Swarm.NodeID}}')"
      until [ "$(timeout 15 docker -H "$(sock_url 0)" node inspect --format '{{.Status.State}}' "$id" 2>/dev/null)" = "ready" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { log_tail "$j" >&2; die "node 0 does not report node $j ready 60s after node $i started"; }
        sleep 0.5
      done
    done
  fi
  say "start-node: node $i back in the swarm (ready) in $(secs_since "$t0")s"
}

cmd_load_images() {
  [ $# -ge 1 ] || bad_usage "load-images: give at least one image reference"
  local ref id i running=() have
  timeout 10 docker -H "$SOURCE_HOST" version >/dev/null 2>&1 || die "load-images: the source engine $SOURCE_HOST does not answer"
  for i in $(existing_nodes); do
    if node_answers "$i"; then running+=("$i"); else say "load-images: node $i is not running; skipped"; fi
  done
  [ ${#running[@]} -gt 0 ] || die "load-images: no node is running (run up first)"
  trap 'rm -f "$IMAGE_TMP"' EXIT
  for ref in "$@"; do
    id="$(docker -H "$SOURCE_HOST" image inspect --format '{{.Id}}' "$ref" 2>/dev/null)" \
      || die "load-images: $ref is not present in the engine at $SOURCE_HOST"
    rm -f "$IMAGE_TMP"; IMAGE_TMP=""
    for i in "${running[@]}"; do
      have="$(dk "$i" image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)"
      if [ "$have" = "$id" ]; then say "load-images: node $i already has $ref ($id)"; continue; fi
      # docker save runs once per image, only when some node needs it.
      if ! dk "$i" image inspect "$id" >/dev/null 2>&1; then
        if [ -z "$IMAGE_TMP" ]; then
          IMAGE_TMP="$(mktemp "${TMPDIR:-/var/tmp}/z3-swarm-image.XXXXXX")"
          docker -H "$SOURCE_HOST" save -o "$IMAGE_TMP" "$ref" || die "load-images: docker save $ref failed"
        fi
        dk "$i" load -q -i "$IMAGE_TMP" >/dev/null || { log_tail "$i" >&2; die "load-images: loading $ref into node $i failed"; }
      fi
      # The same name on every node (save/load keeps tags, but not for a ref
      # given by id; a digest reference cannot be a tag).
      if [[ "$ref" != *@* && "$id" != "$ref"* && "$id" != "sha256:$ref"* ]]; then
        dk "$i" tag "$id" "$ref"
      fi
      say "load-images: node $i has $ref ($id)"
    done
  done
  rm -f "$IMAGE_TMP"
}

cmd_status() {
  local i state ids
  printf '%-5s %-12s %-8s %s\n' NODE ADDRESS DAEMON SOCKET
  for i in $(existing_nodes); do
    if node_pid "$i" >/dev/null && node_answers "$i"; then state=running; elif node_pid "$i" >/dev/null; then state=starting; else state=stopped; fi
    printf '%-5s %-12s %-8s %s\n' "$i" "$(node_addr "$i")" "$state" "$(sock_url "$i")"
  done
  node_answers 0 || die "status: node 0 (the manager) does not answer"
  echo
  dk 0 node ls
  echo
  mapfile -t ids < <(dk 0 node ls -q)
  printf '%-27s %-12s %-8s %-8s %-12s %s\n' ID ADDRESS ROLE STATE AVAILABILITY LABELS
  # shellcheck disable=SC2016 # a Go template, not shell expansion
  dk 0 node inspect --format '{{.ID}} {{.Status.Addr}} {{.Spec.Role}} {{.Status.State}} {{.Spec.Availability}} {{range $k, $v := .Spec.Labels}}{{$k}}={{$v}},{{end}}' "${ids[@]}" |
    while read -r id addr role st avail labels; do
      printf '%-27s %-12s %-8s %-8s %-12s %s\n' "$id" "$addr" "$role" "$st" "$avail" "${labels%,}"
    done
}

# -------------------------------------------------------------------- main --
main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) [ $# -le 1 ] || bad_usage "up takes at most one argument"; require_tools; bed_take_lock; cmd_up "$@" ;;
    down) [ $# -eq 0 ] || bad_usage "down takes no arguments"; require_tools; bed_take_lock; cmd_down ;;
    stop-node) [ $# -eq 1 ] || bad_usage "stop-node I"; check_index "$1"; require_tools; bed_take_lock; cmd_stop_node "$1" ;;
    start-node) [ $# -eq 1 ] || bad_usage "start-node I"; check_index "$1"; require_tools; bed_take_lock; cmd_start_node "$1" ;;
    load-images) require_tools; bed_take_lock; cmd_load_images "$@" ;;
    status) [ $# -eq 0 ] || bad_usage "status takes no arguments"; require_tools; cmd_status ;;
    socket) [ $# -eq 1 ] || bad_usage "socket I"; check_index "$1"; sock_url "$1" ;;
    address) [ $# -eq 1 ] || bad_usage "address I"; check_index "$1"; node_addr "$1" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) bad_usage "unknown command: $cmd" ;;
  esac
}

main "$@"
