# shellcheck shell=bash
# What every test bed (scripts/swarm-testbed.sh, remote-hosts-testbed.sh, service-hosts-testbed.sh)
# does the same way: messages, the lock, the tools check, timings, address checks, processes and
# teardown. Sourced, never run. The caller sets BED_NAME (the messages' prefix) and STOP_TIMEOUT
# (seconds a process gets after SIGTERM) first.

say() { echo "$BED_NAME: $*" >&2; }
die() { echo "$BED_NAME: error: $*" >&2; exit 1; }
bad_usage() { echo "$BED_NAME: $* (see --help)" >&2; exit 2; }
# The script's header comment, from line 2 down to `set -euo`.
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

# Milliseconds since the epoch (GNU date), and seconds since such a time, for timings.
now_ms() { date +%s%3N; }
secs_since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01d' $((ms / 1000)) $(((ms % 1000) / 100)); }

# bed_require_tools WHY TOOL:PACKAGE...: root, and every TOOL on PATH (the message names PACKAGE).
bed_require_tools() {
  local why="$1" tool pkg missing=(); shift
  [ "$(id -u)" -eq 0 ] || die "must run as root ($why)"
  for tool in "$@"; do
    pkg="${tool#*:}"; tool="${tool%%:*}"
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool (package $pkg)")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing required tools: ${missing[*]}"
}

# bed_apt_install PACKAGE...: Debian packages a bed needs and the machine lacks. Debian's policy-rc.d
# (or the lack of an init system) keeps packaged services from starting.
bed_apt_install() {
  say "installing $* (apt-get)"
  apt-get -o DPkg::Lock::Timeout=300 update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# One mutating command at a time: an exclusive lock on the script file itself (nothing is left
# behind, unlike a lock file). Descriptor 9 must not leak into the daemons a command starts (they
# close it: `9<&-`), or they would hold the lock for their whole life.
bed_take_lock() {
  exec 9<"$0"
  flock -w 900 9 || die "another $BED_NAME command held the lock for 15 minutes"
}

# Live (not zombie) process? Detached daemons are re-parented, and a zombie still answers
# `kill -0`, so the state is read from /proc.
alive() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != "Z" ] && [ "$state" != "X" ]
}

# pid_of FILE COMM: the pid in pidfile FILE when that process lives and its command name is COMM.
pid_of() {
  local f="$1" want="$2" pid
  [ -r "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$want" ] || return 1
  echo "$pid"
}

# bed_log_tail FILE: its last 30 lines, for a failure message.
bed_log_tail() {
  if [ -s "$1" ]; then echo "--- last 30 lines of $1 ---"; tail -n 30 "$1"; else echo "(no log at $1)"; fi
}

# bed_wait SECONDS COMMAND...: until COMMAND succeeds, every 0.2 s; false when SECONDS have passed.
bed_wait() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# ------------------------------------------------------------ addresses --
ip_to_int() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(( (a << 24) | (b << 16) | (c << 8) | d ))
}

# Do two IPv4 CIDRs overlap? (A bare address counts as /32.)
cidr_overlap() {
  local n1="${1%/*}" l1=32 n2="${2%/*}" l2=32 len mask
  [[ "$1" == */* ]] && l1="${1#*/}"
  [[ "$2" == */* ]] && l2="${2#*/}"
  len=$(( l1 < l2 ? l1 : l2 ))
  mask=$(( len == 0 ? 0 : (0xFFFFFFFF << (32 - len)) & 0xFFFFFFFF ))
  [ $(( $(ip_to_int "$n1") & mask )) -eq $(( $(ip_to_int "$n2") & mask )) ]
}

# bed_check_routes RANGE...: refuse to build over ranges the root namespace routes somewhere other
# than the bed's own bridge (a clash there would misroute real traffic).
bed_check_routes() {
  local dst dev ours
  while read -r dst _ dev _; do
    [[ "$dst" =~ ^[0-9.]+(/[0-9]+)?$ ]] || continue
    [ "$dev" = "$BRIDGE" ] && continue
    for ours in "$@"; do
      cidr_overlap "$dst" "$ours" && die "route $dst (dev $dev) overlaps the test bed's range $ours"
    done
  done < <(ip -4 route show table all type unicast 2>/dev/null | sed 's/^\(unicast \)\{0,1\}//')
  return 0
}

# ------------------------------------------------------------- teardown --
# bed_stop_pid PID [signalled]: SIGTERM (unless already sent: dockerd counts signals, and a third
# one makes it quit without cleaning up), wait up to STOP_TIMEOUT, then SIGKILL.
bed_stop_pid() {
  local pid="$1" deadline
  if [ "${2:-}" != signalled ]; then kill -TERM "$pid" 2>/dev/null || return 0; fi
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while alive "$pid"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) still runs after ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
}

# bed_processes NS CGROUP: pids of everything in network namespace NS (a daemon, its containerd,
# shims, docker-proxy, host-network containers, sshd sessions) and in the cgroups named CGROUP
# (the containers of a daemon started with --cgroup-parent /CGROUP).
bed_processes() {
  local nsfile="/run/netns/$1" cgroup="$2" want p f
  if [ -e "$nsfile" ]; then
    want="net:[$(stat -L -c %i "$nsfile")]"
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$want" ] && echo "${p#/proc/}"
    done
  fi
  for f in /sys/fs/cgroup/*/"$cgroup" /sys/fs/cgroup/"$cgroup"; do
    [ -d "$f" ] || continue
    find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null
  done
  return 0
}

# bed_kill_leftovers NS CGROUP: SIGKILL whatever bed_processes finds (only left after a SIGKILL or
# a crash), never this script.
bed_kill_leftovers() {
  local p
  for p in $(bed_processes "$1" "$2" | sort -u); do
    [ "$p" = "$$" ] && continue
    kill -KILL "$p" 2>/dev/null || true
  done
}

# Unmounts everything below a directory, deepest first (overlay2 layers, network namespace files
# under an exec root, shm mounts).
bed_unmount_below() {
  local dir="$1" mp mounts
  # Field 5 of mountinfo is the mount point; reverse order puts children first.
  mapfile -t mounts < <(while read -r _ _ _ _ mp _; do
                          case "$mp" in "$dir" | "$dir"/*) echo "$mp" ;; esac
                        done </proc/self/mountinfo | sort -r)
  for mp in "${mounts[@]}"; do
    umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || say "could not unmount $mp"
  done
}

# bed_remove_dirs DIR...: every mount below them, then the directories (never crossing into
# another filesystem).
bed_remove_dirs() {
  local d
  for d in "$@"; do bed_unmount_below "$d"; done
  for d in "$@"; do rm -rf --one-file-system "${d:?}"; done
}

# bed_host_teardown NS VETH CGROUP: the host's namespace and veth (scripts/lib/bed-net.sh), then
# its containers' cgroup directories (empty once their processes are gone).
bed_host_teardown() {
  local d
  bed_host_remove "$1" "$2"
  for d in /sys/fs/cgroup/*/"$3" /sys/fs/cgroup/"$3"; do
    if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || say "could not remove cgroup $d"; fi
  done
}
