# shellcheck shell=bash
# A Docker daemon on a test host (scripts/swarm-testbed.sh, remote-hosts-testbed.sh): started
# detached inside the host's network namespace, waited for, stopped. Sourced after bed-common.sh,
# never run. The caller sets START_TIMEOUT (seconds a daemon gets to answer) and STOP_TIMEOUT.

# Does the daemon at socket URL answer?
bed_dockerd_answers() { timeout 10 docker -H "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# bed_dockerd_start NS LOG LAUNCHER [VAR=VALUE...] -- DOCKERD_ARG...: dockerd inside namespace NS,
# detached, with the environment VAR=VALUE... and PATH only; the launcher's pid goes into file
# LAUNCHER (for bed_dockerd_wait). Notes:
# - `nsenter --net` (not `ip netns exec`): ip netns exec also makes a new mount namespace and
#   remounts /sys, which hides the cgroup v1 mounts ("Devices cgroup isn't mounted"). nsenter only
#   switches the network namespace.
# - setsid + redirections: the daemon outlives this script and whatever process group runs it (the
#   e2e harness kills its children's groups on timeout).
# - env -i: a clean environment. The caller passes --config-file (never the machine's
#   /etc/docker/daemon.json).
# - --containerd-namespace: the daemon normally starts its own containerd under its exec root, but
#   would share a system containerd if /run/containerd/containerd.sock existed; separate namespaces
#   keep the hosts' containers apart from each other and from the machine's dockerd either way.
# - cgroupfs driver (it takes a path on any init system): with the caller's --cgroup-parent, the
#   containers are not mixed into the machine's /docker cgroups, and teardown finds any leftover
#   process of them (bed_processes).
# - --shutdown-timeout 10: a stopping daemon gives each container 10 s after SIGTERM before killing it.
# - 9<&-: the lock's descriptor (bed_take_lock) stays with the script.
bed_dockerd_start() {
  local ns="$1" log="$2" launcher="$3" env=()
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  setsid nsenter --net="/run/netns/$ns" \
    env -i PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${env[@]+"${env[@]}"}" \
    dockerd \
      --containerd-namespace "$ns" \
      --containerd-plugins-namespace "$ns-plugins" \
      --exec-opt native.cgroupdriver=cgroupfs \
      --shutdown-timeout 10 \
      "$@" \
      >>"$log" 2>&1 </dev/null 9<&- &
  echo $! >"$launcher"
}

# bed_dockerd_wait WHAT SOCKET_URL PIDFILE LOG LAUNCHER: until the daemon answers on SOCKET_URL;
# dies with the log's tail if it exits (neither the launcher nor the pidfile's dockerd lives) or
# START_TIMEOUT passes. WHAT names it in the message ("node 2", "tls").
bed_dockerd_wait() {
  local what="$1" url="$2" pidfile="$3" log="$4" launcher_file="$5" launcher deadline
  launcher="$(cat "$launcher_file" 2>/dev/null || echo 0)"
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until bed_dockerd_answers "$url"; do
    if ! alive "$launcher" && ! pid_of "$pidfile" dockerd >/dev/null; then
      bed_log_tail "$log" >&2
      die "dockerd of $what exited during start-up (log: $log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      bed_log_tail "$log" >&2
      die "dockerd of $what did not answer on $url within ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  rm -f "$launcher_file"
}
