import { spawnSync } from "child_process";
import * as path from "path";

/**
 * The test beds' shared plumbing (scripts/lib/bed-*.sh) where it runs without root, a namespace or a
 * daemon: address arithmetic, waiting, stopping a process, the dockerd command line; and the beds'
 * commands that only print (the e2e harness reads their output).
 */
const SCRIPTS = path.resolve(__dirname, "..", "..", "scripts");

function bash(script: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
    cwd: SCRIPTS,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    encoding: "utf8",
    timeout: 30_000,
    // Not a pipe: node's pipes are sockets, and bash reads bash.bashrc when stdin is a socket.
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `body` with bed-net.sh, bed-common.sh and bed-dockerd.sh sourced, as the beds source them. */
function withBedLib(body: string, env: Record<string, string> = {}) {
  return bash(
    `BED_NAME=test-bed STOP_TIMEOUT=\${STOP_TIMEOUT:-60} START_TIMEOUT=60 BRIDGE=testbr0
     . lib/bed-net.sh; . lib/bed-common.sh; . lib/bed-dockerd.sh
     ${body}`,
    env,
  );
}

describe("scripts/lib/bed-common.sh", () => {
  test.each([
    ["10.231.0.0/24", "10.231.0.77", true],
    ["10.231.0.0/24", "10.231.1.0/24", false],
    ["10.0.0.0/8", "10.231.0.0/24", true],
    ["10.242.0.0/23", "10.242.1.1/24", true],
    ["10.242.0.0/23", "10.242.2.0/24", false],
    ["0.0.0.0/0", "192.168.1.1", true],
    ["192.168.1.1", "192.168.1.2", false],
  ])("cidr_overlap %s %s is %s", (a, b, overlaps) => {
    expect(withBedLib(`cidr_overlap ${a} ${b}`).status).toBe(overlaps ? 0 : 1);
  });

  test("ip_to_int reads dotted quads most significant first", () => {
    expect(withBedLib("ip_to_int 10.231.0.1; ip_to_int 255.255.255.255").stdout).toBe("182910977\n4294967295\n");
  });

  test("bed_wait returns once the command succeeds, and fails when the time has passed", () => {
    const r = withBedLib(`
      n=0; third() { n=$((n + 1)); [ "$n" -ge 3 ]; }
      bed_wait 10 third; echo "after $n tries"
      if bed_wait 1 false; then echo waited; else echo "gave up"; fi`);
    expect(r.stdout).toBe("after 3 tries\ngave up\n");
  });

  test("bed_stop_pid kills a process that ignores SIGTERM once STOP_TIMEOUT has passed, and says so", () => {
    const r = withBedLib(
      `bash -c 'trap "" TERM; while :; do sleep 0.1; done' & pid=$!
       sleep 0.3
       t0=$(date +%s)
       bed_stop_pid "$pid"
       rc=0; wait "$pid" 2>/dev/null || rc=$?
       echo "exit $rc after $(( $(date +%s) - t0 ))s"`,
      { STOP_TIMEOUT: "1" },
    );
    expect(r.stdout).toMatch(/^exit 137 after [0-2]s\n$/);
    expect(r.stderr).toMatch(/^test-bed: pid \d+ \(bash\) still runs after 1s; killing it$/m);
  });

  test("bed_stop_pid with 'signalled' sends no SIGTERM of its own", () => {
    const r = withBedLib(
      `bash -c 'trap "echo TERM >&2; exit 0" TERM; while :; do sleep 0.1; done' & pid=$!
       sleep 0.3
       bed_stop_pid "$pid" signalled
       echo done`,
      { STOP_TIMEOUT: "1" },
    );
    // Without a SIGTERM the process runs until the SIGKILL.
    expect(r.stderr).not.toMatch(/^TERM$/m);
    expect(r.stderr).toMatch(/still runs after 1s; killing it/);
  });

  test("pid_of accepts a pidfile only when the process lives and has the expected command name", () => {
    const r = withBedLib(`
      f=$(mktemp); sleep 30 & pid=$!; echo "$pid" >"$f"
      pid_of "$f" sleep >/dev/null && echo sleep-ok
      pid_of "$f" dockerd >/dev/null || echo not-dockerd
      kill "$pid"; wait "$pid" 2>/dev/null || true
      pid_of "$f" sleep >/dev/null || echo gone
      echo garbage >"$f"; pid_of "$f" sleep >/dev/null || echo garbage-refused
      rm -f "$f"`);
    expect(r.stdout).toBe("sleep-ok\nnot-dockerd\ngone\ngarbage-refused\n");
  });

  test("bed_require_tools names each missing tool with its package", () => {
    // As root: the tools check is reached. As anyone else: the root check answers first.
    const r = withBedLib(`bed_require_tools "testing" sh:dash no-such-tool-z3:some-package`);
    expect(r.status).toBe(1);
    if (process.getuid?.() === 0)
      expect(r.stderr).toBe("test-bed: error: missing required tools: no-such-tool-z3 (package some-package)\n");
    else expect(r.stderr).toBe("test-bed: error: must run as root (testing)\n");
  });

  test("bed_apt_install updates, then installs without recommends; a failed install names its packages", () => {
    // apt-get is replaced by a function that logs its arguments, or fails everything but the update.
    const ok = withBedLib(
      `log=$(mktemp); apt-get() { echo "apt-get $*" >>"$log"; }; bed_apt_install openssh-server docker-registry; cat "$log"; rm -f "$log"`,
    );
    expect(ok.stdout).toBe(
      "apt-get -o DPkg::Lock::Timeout=300 update -qq\n" +
        "apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends openssh-server docker-registry\n",
    );
    const failed = withBedLib(`apt-get() { [ "$3" = update ]; }; bed_apt_install openssh-server`);
    expect([failed.status, failed.stderr]).toEqual([
      1,
      "test-bed: installing openssh-server (apt-get)\ntest-bed: error: apt-get install openssh-server failed\n",
    ]);
  });

  test("bed_processes finds nothing for a namespace and cgroup that do not exist", () => {
    expect(withBedLib("bed_processes z3-no-such-ns z3-no-such-cgroup; echo end").stdout).toBe("end\n");
  });
});

describe("scripts/lib/bed-dockerd.sh", () => {
  test("bed_dockerd_start runs dockerd in the namespace with a clean environment, the caller's variables and arguments", () => {
    // setsid is replaced by a function that prints the command line it was given.
    const r = withBedLib(`
      setsid() { printf '%s\\n' "$@"; }
      d=$(mktemp -d)
      bed_dockerd_start z3sw-node1 "$d/log" "$d/launcher" DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 HOME=/root -- --data-root /x -H unix:///y
      wait
      cat "$d/log"; test -s "$d/launcher" && echo launcher-written
      rm -rf "$d"`);
    expect(r.stdout.split("\n")).toEqual([
      "nsenter",
      "--net=/run/netns/z3sw-node1",
      "env",
      "-i",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1",
      "HOME=/root",
      "dockerd",
      "--containerd-namespace",
      "z3sw-node1",
      "--containerd-plugins-namespace",
      "z3sw-node1-plugins",
      "--exec-opt",
      "native.cgroupdriver=cgroupfs",
      "--shutdown-timeout",
      "10",
      "--data-root",
      "/x",
      "-H",
      "unix:///y",
      "launcher-written",
      "",
    ]);
  });

  test("bed_dockerd_start without variables passes PATH only", () => {
    const r = withBedLib(`
      setsid() { printf '%s\\n' "$@"; }
      d=$(mktemp -d); bed_dockerd_start ns1 "$d/log" "$d/launcher" -- --debug; wait; cat "$d/log"; rm -rf "$d"`);
    expect(r.stdout.split("\n").slice(3, 6)).toEqual([
      "-i",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "dockerd",
    ]);
    expect(r.stdout).toMatch(/--shutdown-timeout\n10\n--debug\n$/);
  });

  test("bed_dockerd_wait fails with the log's tail when the daemon is gone", () => {
    const r = withBedLib(`
      d=$(mktemp -d); echo "failed to start daemon: boom" >"$d/log"; echo 999999999 >"$d/launcher"
      trap 'rm -rf "$d"' EXIT
      bed_dockerd_wait "node 4" unix://$d/none.sock "$d/pid" "$d/log" "$d/launcher"`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^--- last 30 lines of .*\/log ---\nfailed to start daemon: boom\ntest-bed: error: dockerd of node 4 exited during start-up/,
    );
  });
});

describe("the beds' commands that only print", () => {
  const bed = (script: string, ...args: string[]) => bash(`bash ${script} ${args.map((a) => `'${a}'`).join(" ")}`);

  test("swarm-testbed.sh: node sockets and addresses", () => {
    expect(bed("swarm-testbed.sh", "socket", "3").stdout).toBe("unix:///run/z3-swarm/node3.sock\n");
    expect(bed("swarm-testbed.sh", "address", "3").stdout).toBe("10.231.0.13\n");
    const bad = bed("swarm-testbed.sh", "socket", "50");
    expect([bad.status, bad.stderr]).toEqual([2, "swarm-testbed: node index must be 0..49, got '50' (see --help)\n"]);
    expect(bed("swarm-testbed.sh", "--help").stdout).toMatch(
      /^Multi-node Docker Swarm test bed on one machine[\s\S]*Exit codes: 0 ok, 1 failure .*, 2 bad usage\.\n$/,
    );
  });

  test("remote-hosts-testbed.sh env: the coordinates the e2e harness reads", () => {
    const r = bed("remote-hosts-testbed.sh", "env");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Z3RH_TLS_DOCKER_HOST=tcp://10.241.0.10:2376\n");
    expect(r.stdout).toContain("Z3RH_SSH_DOCKER_HOST=ssh://deploy@10.241.0.11\n");
    expect(r.stdout).toContain("Z3RH_TLS_SOCKET=unix:///var/lib/z3-rh/tls/docker.sock\n");
    expect(r.stdout).toContain("Z3RH_REGISTRY=10.241.0.12:5000\n");
    expect(r.stdout).toContain("Z3RH_REGISTRY_LOG=/var/log/z3-rh/registry.log\n");
    const bad = bed("remote-hosts-testbed.sh", "up", "x");
    expect([bad.status, bad.stderr]).toEqual([2, "remote-hosts-testbed: up takes no arguments (see --help)\n"]);
  });

  test("service-hosts-testbed.sh refuses a block rule without an IPv4 address", () => {
    const r = bed("service-hosts-testbed.sh", "block-backup", "not-an-address");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: .* block-backup <container IPv4 address>/);
  });
});
