#!/usr/bin/env bash
# Toolchain bootstrap for the real-engine tests: Docker Engine 26.1 (Debian 13's
# docker.io, pinned so that nothing else comes from that suite), the Terraform
# provider kreuzwerker/docker 4.6, built from the source the Go module proxy
# serves, in a local filesystem mirror that both engines read, and OpenTofu
# (scripts/bootstrap-tofu.sh, also built from the Go module proxy).
#
# Idempotent and fast when everything is already in place. Safe to run from CI
# (CI=true, no stdin) on a fresh Debian 12 machine as root.
#
# Usage: scripts/bootstrap-engine.sh [--verify] [--skip-docker] [--skip-provider] [--skip-tofu]
#
#   --verify              prove the mirror works: terraform init + validate (and
#                         plan, when the Docker daemon is up) on a throwaway
#                         config that uses kreuzwerker/docker 4.6.0.
#   --skip-docker         do not install/start dockerd or run the test container.
#   --skip-provider       do not build the provider (an existing binary is still
#                         used by --verify).
#   --skip-tofu           do not run scripts/bootstrap-tofu.sh (CI runs it as a
#                         job of its own beside this one, .ci/run).
#
# Environment:
#   INFRA_CACHE_DIR   cache root (default: $HOME/.cache/z3-infra)
#   DOCKERD_ARGS      extra flags for dockerd (default: none; none are needed on
#                     the project's machines)
#
# Exit codes: 0 ok, 1 a step failed (the message names it and quotes the
# error), 2 bad usage. A provider that cannot be built is a failure, never a skip.
#
# Which provider this is: the Go module proxy serves kreuzwerker/docker's source
# as module github.com/kreuzwerker/terraform-provider-docker at the pseudo-version
# below: master at commit 96d331c98ff4, two weeks after the v4.6.0 tag, its
# CHANGELOG topped by v4.6.0 (2026-09-01). The v4.6.0 tag itself is not served.
# The mirror holds that build under the version label 4.6.0: the stacks require
# "~> 4.6.0", and Terraform selects a pre-release label (4.6.1-dev) only by an
# exact constraint, which would stop users from getting 4.6.x from the registry.
# provider-build-info.txt in the cache records the commit and module hash.
#
# Outputs (all outside the repository):
#   $CACHE/terraform-providers/registry.terraform.io/kreuzwerker/docker/4.6.0/<os>_<arch>/terraform-provider-docker_v4.6.0
#   $CACHE/terraform-providers/registry.opentofu.org/kreuzwerker/docker/4.6.0/<os>_<arch>/
#                               the same binary for OpenTofu (a symlink)
#   $CACHE/terraformrc          CLI config of Terraform and OpenTofu (use via TF_CLI_CONFIG_FILE)
#   $CACHE/bin/tofu             OpenTofu (scripts/bootstrap-tofu.sh)
#   $CACHE/logs/                dockerd, apt and go build logs
#   docker image z3-infra/busybox-test:local (FROM scratch + static busybox)
set -euo pipefail

# ---------------------------------------------------------------- constants --
readonly PROVIDER_VERSION="4.6.0"
readonly PROVIDER_COMMIT="96d331c98ff4"
readonly PROVIDER_MODULE="github.com/kreuzwerker/terraform-provider-docker"
# The pseudo-version the proxy serves for that commit, and its module hash
# (go.sum "h1:" form). The checksum database is not reachable here, so the
# download is checked against this pinned hash instead.
readonly PROVIDER_PSEUDO_VERSION="v0.0.0-20260916201441-96d331c98ff4"
readonly PROVIDER_MODULE_H1="h1:T3HvvZCRd4h2qkMl+SXA2zza26Rdz8xqV81skikQWy4="
# Docker Engine: at least API 1.44 (Engine 25) for health-check start_interval.
readonly DOCKER_MIN_MAJOR=25
readonly DOCKER_SUITE="trixie"
readonly DOCKER_PACKAGES=(docker.io docker-cli docker-buildx)
readonly PROVIDER_ADDR="registry.terraform.io/kreuzwerker/docker"
# The same provider as OpenTofu names it: its default registry host for the
# stacks' source "kreuzwerker/docker".
readonly PROVIDER_ADDR_TOFU="registry.opentofu.org/kreuzwerker/docker"
readonly TEST_IMAGE="z3-infra/busybox-test:local"

CACHE="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
MIRROR_DIR="$CACHE/terraform-providers"
TF_RC="$CACHE/terraformrc"
LOG_DIR="$CACHE/logs"

DO_DOCKER=1
DO_PROVIDER=1
DO_VERIFY=0
DO_TOFU=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --verify) DO_VERIFY=1 ;;
    --skip-docker) DO_DOCKER=0 ;;
    --skip-provider) DO_PROVIDER=0 ;;
    --skip-tofu) DO_TOFU=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bootstrap-engine: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

export DEBIAN_FRONTEND=noninteractive
export CHECKPOINT_DISABLE=1   # no Terraform version-check calls home
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="$PATH:/usr/local/go/bin"
fi
export PATH

case "$(uname -m)" in
  x86_64|amd64) TF_ARCH=amd64 ;;
  aarch64|arm64) TF_ARCH=arm64 ;;
  *) echo "bootstrap-engine: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
TF_PLATFORM="linux_${TF_ARCH}"
PROVIDER_DIR="$MIRROR_DIR/$PROVIDER_ADDR/$PROVIDER_VERSION/$TF_PLATFORM"
PROVIDER_BIN="$PROVIDER_DIR/terraform-provider-docker_v$PROVIDER_VERSION"

mkdir -p "$CACHE" "$LOG_DIR"

# ------------------------------------------------------------------ helpers --
STEP_LOG_NAME=bootstrap-engine STEP_NAME_WIDTH=26
# shellcheck source=lib/step-runner.sh
. "$(dirname "$0")/lib/step-runner.sh"
# shellcheck source=lib/mirror-probe.sh
. "$(dirname "$0")/lib/mirror-probe.sh"

APT_UPDATED=0
apt_install() {
  [ "$(id -u)" = 0 ] || fail 1 "need root to apt-get install $*"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get -o DPkg::Lock::Timeout=300 update >>"$LOG_DIR/apt.log" 2>&1 </dev/null \
      || { tail -n 20 "$LOG_DIR/apt.log" >&2; fail 1 "apt-get update failed (log: $LOG_DIR/apt.log)"; }
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@" \
      >>"$LOG_DIR/apt.log" 2>&1 </dev/null \
    || { tail -n 20 "$LOG_DIR/apt.log" >&2; fail 1 "apt-get install $* failed (log: $LOG_DIR/apt.log)"; }
}
dpkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# One bootstrap at a time (parallel CI jobs, a developer and a test run...).
exec 9>"$CACHE/.bootstrap.lock"
if ! flock -n 9; then
  log "another bootstrap holds $CACHE/.bootstrap.lock; waiting (max 30 min)"
  flock -w 1800 9 || fail 1 "timed out waiting for $CACHE/.bootstrap.lock"
fi

# ------------------------------------------------------------------- docker --
docker_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# Debian 13's docker.io (Engine 26.1) on Debian 12: an apt source for that suite
# at priority 1 (nothing comes from it unless asked) and a pin at 990 for just
# the Docker packages, whose dependencies all resolve from Debian 12.
readonly APT_SOURCE=/etc/apt/sources.list.d/z3-infra-docker-trixie.sources
readonly APT_PIN=/etc/apt/preferences.d/z3-infra-docker-trixie
write_apt_pin() {
  local changed=0 tmp
  tmp="$(mktemp)"
  cat >"$tmp" <<EOF
# Written by scripts/bootstrap-engine.sh: Debian $DOCKER_SUITE, for the Docker packages only (see $APT_PIN).
Types: deb
URIs: http://deb.debian.org/debian
Suites: $DOCKER_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cmp -s "$tmp" "$APT_SOURCE" || { install -m 0644 "$tmp" "$APT_SOURCE"; changed=1; }
  cat >"$tmp" <<EOF
# Written by scripts/bootstrap-engine.sh: nothing from $DOCKER_SUITE unless named here.
Package: *
Pin: release n=$DOCKER_SUITE
Pin-Priority: 1

Package: ${DOCKER_PACKAGES[*]}
Pin: release n=$DOCKER_SUITE
Pin-Priority: 990
EOF
  cmp -s "$tmp" "$APT_PIN" || { install -m 0644 "$tmp" "$APT_PIN"; changed=1; }
  rm -f "$tmp"
  [ "$changed" = 0 ] || APT_UPDATED=0
}
# The major version of the installed dockerd; empty when there is none (a fresh machine).
dockerd_major() {
  command -v dockerd >/dev/null 2>&1 || return 0
  dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p' || true
}

step_docker_packages() {
  local pkgs=() major
  major="$(dockerd_major)"
  if [ -z "$major" ] || [ "$major" -lt "$DOCKER_MIN_MAJOR" ]; then
    [ -f /etc/debian_version ] || fail 1 "dockerd ${major:-missing}; Docker Engine $DOCKER_MIN_MAJOR or later is needed and this is not a Debian machine: install it yourself"
    write_apt_pin
    pkgs+=("${DOCKER_PACKAGES[@]}")
  fi
  dpkg_installed busybox-static || pkgs+=(busybox-static)
  if [ ${#pkgs[@]} -eq 0 ]; then STEP_NOTE="already installed: $(dockerd --version)"; return 0; fi
  if docker_up && [ -n "$major" ] && [ "$major" -lt "$DOCKER_MIN_MAJOR" ]; then
    fail 1 "a running dockerd $major is older than $DOCKER_MIN_MAJOR; stop it before the bootstrap upgrades it"
  fi
  apt_install "${pkgs[@]}"
  major="$(dockerd_major)"
  [ -n "$major" ] || fail 1 "dockerd still missing after installing ${DOCKER_PACKAGES[*]}"
  [ "$major" -ge "$DOCKER_MIN_MAJOR" ] || fail 1 "installed $(dockerd --version), need $DOCKER_MIN_MAJOR or later"
  command -v docker >/dev/null 2>&1 || fail 1 "docker CLI missing after installing docker-cli"
  STEP_NOTE="installed ${pkgs[*]}: $(dockerd --version)"
}

step_dockerd() {
  if docker_up; then STEP_NOTE="already running"; return 0; fi
  local pid=""
  if [ -s /var/run/docker.pid ]; then pid="$(cat /var/run/docker.pid 2>/dev/null || true)"; fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "dockerd (pid $pid) is running but not answering yet; waiting"
  else
    local args=()
    # shellcheck disable=SC2206  # DOCKERD_ARGS is a plain word list on purpose
    [ -n "${DOCKERD_ARGS:-}" ] && args=(${DOCKERD_ARGS})
    log "starting dockerd${args[*]+" ${args[*]}"} (log: $LOG_DIR/dockerd.log)"
    # Detached (own session, no stdio tied to us) so it outlives this script;
    # 9>&- keeps the bootstrap lock from being inherited (and held forever).
    setsid nohup dockerd "${args[@]+"${args[@]}"}" >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
    pid=$!
  fi
  for _ in $(seq 1 60); do
    if docker_up; then
      STEP_NOTE="started, pid $(cat /var/run/docker.pid 2>/dev/null || echo "$pid")"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG_DIR/dockerd.log" >&2 || true
      fail 1 "dockerd exited during start-up (log: $LOG_DIR/dockerd.log)"
    fi
    sleep 1
  done
  tail -n 30 "$LOG_DIR/dockerd.log" >&2 || true
  fail 1 "dockerd did not answer within 60s (log: $LOG_DIR/dockerd.log)"
}

step_test_container() {
  local built="reused image"
  if ! docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
    local ctx; mktmp ctx image
    cp /bin/busybox "$ctx/busybox"
    # Exec-form RUN works without a shell in the image; it installs the applet
    # symlinks, so /bin/sh, sleep, wget... exist for tests that need them.
    cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "-m", "1777", "/tmp"]
CMD ["/bin/sh"]
EOF
    # Legacy builder: two exec-form RUNs need no BuildKit, and nothing is pulled.
    DOCKER_BUILDKIT=0 docker build --pull=false -t "$TEST_IMAGE" "$ctx" \
        >"$LOG_DIR/test-image-build.log" 2>&1 </dev/null \
      || { tail -n 20 "$LOG_DIR/test-image-build.log" >&2; fail 1 "building $TEST_IMAGE failed"; }
    built="built image"
  fi
  local out
  out="$(docker run --rm --pull=never "$TEST_IMAGE" sh -c 'echo container-ok' 2>&1 </dev/null)" \
    || fail 1 "docker run --rm $TEST_IMAGE failed: $out"
  [ "$out" = "container-ok" ] || fail 1 "unexpected test container output: $out"
  STEP_NOTE="$built $TEST_IMAGE, container ran"
}

# ----------------------------------------------------------------- provider --
# Fill BUILD_SRC with the provider source at $PROVIDER_COMMIT, from the Go
# module proxy, and SRC_ORIGIN with where it came from; fails with the proxy's
# error when it cannot be had.
SRC_ORIGIN=""
fetch_provider_source() {
  local work; mktmp work provider-src
  BUILD_SRC="$work/src"

  # go mod download of the pseudo-version (the proxy will not resolve a bare
  # commit id). The checksum database is not reachable here, so the module is
  # exempted from it (GONOSUMDB) and its reported hash is compared with the
  # pinned one instead.
  local json dir sum
  json="$(cd "$work" && GOFLAGS=-mod=mod GONOSUMDB="$PROVIDER_MODULE" \
            go mod download -json "$PROVIDER_MODULE@$PROVIDER_PSEUDO_VERSION" 2>>"$LOG_DIR/provider-build.log")" || true
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  sum="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p')"
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    log "go mod download: $PROVIDER_MODULE@$PROVIDER_PSEUDO_VERSION -> $dir"
    log "module hash reported by go: $sum"
    if [ "$sum" != "$PROVIDER_MODULE_H1" ]; then
      fail 1 "module hash mismatch: go reported '$sum', expected $PROVIDER_MODULE_H1"
    fi
    log "module hash matches the pinned $PROVIDER_MODULE_H1"
    cp -r "$dir" "$BUILD_SRC"
    chmod -R u+w "$BUILD_SRC"   # the module cache is read-only
    SRC_ORIGIN="Go module proxy ($PROVIDER_MODULE@$PROVIDER_PSEUDO_VERSION, $sum)"
    return 0
  fi
  local err
  err="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | sed 's/\\n.*//')"
  fail 1 "kreuzwerker/docker $PROVIDER_VERSION cannot be built here: Go module proxy: ${err:-go mod download failed}
  (module $PROVIDER_MODULE@$PROVIDER_PSEUDO_VERSION; log: $LOG_DIR/provider-build.log)"
}

step_provider() {
  # Reused only when it was built from the pinned module version (the label
  # 4.6.0 alone does not say which commit).
  if [ -x "$PROVIDER_BIN" ] && [ -s "$PROVIDER_BIN" ] \
      && grep -qF "$PROVIDER_PSEUDO_VERSION" "$CACHE/provider-build-info.txt" 2>/dev/null; then
    STEP_NOTE="reused $PROVIDER_BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || fail 1 "go not found (looked on PATH and /usr/local/go/bin)"
  export GOTOOLCHAIN=local      # never download a toolchain
  export GOFLAGS="-buildvcs=false"
  : >"$LOG_DIR/provider-build.log"
  log "$(go version)"

  fetch_provider_source
  log "provider source: $SRC_ORIGIN"

  # Dependencies come from the Go module proxy as the build needs them, each
  # checked against the provider's own go.sum (-mod=readonly: a missing entry is
  # an error). No `go mod download` of the whole graph: go.mod also lists tool
  # modules, one of which the proxy refuses (403), that the build never uses.
  local t1; t1="$(now_us)"
  log "compiling (a few minutes on a cold cache)"
  local out; mktmp out provider-bin; out="$out/terraform-provider-docker_v$PROVIDER_VERSION"
  (cd "$BUILD_SRC" && CGO_ENABLED=0 GOOS=linux GOARCH="$TF_ARCH" GOFLAGS="-mod=readonly -buildvcs=false" \
      go build -trimpath \
        -ldflags "-s -w -X main.version=$PROVIDER_VERSION -X main.commit=$PROVIDER_COMMIT" \
        -o "$out" .) >>"$LOG_DIR/provider-build.log" 2>&1 </dev/null \
    || { tail -n 30 "$LOG_DIR/provider-build.log" >&2; fail 1 "go build of the provider failed (log: $LOG_DIR/provider-build.log)"; }
  local tbuild; tbuild="$(fmt_secs $(( $(now_us) - t1 )))"

  mkdir -p "$PROVIDER_DIR"
  install -m 0755 "$out" "$PROVIDER_BIN.tmp.$$"
  mv -f "$PROVIDER_BIN.tmp.$$" "$PROVIDER_BIN"
  {
    echo "provider:   $PROVIDER_ADDR $PROVIDER_VERSION ($TF_PLATFORM)"
    echo "source:     $SRC_ORIGIN"
    echo "commit:     $PROVIDER_COMMIT (master after v4.6.0; labelled $PROVIDER_VERSION in the mirror)"
    echo "module h1:  $PROVIDER_MODULE_H1"
    echo "go:         $(go version)"
    echo "built:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "sha256:     $(sha256sum "$PROVIDER_BIN" | cut -d' ' -f1)"
  } >"$CACHE/provider-build-info.txt"
  STEP_NOTE="built in ${tbuild}s"
}

# --------------------------------------------------------------- terraformrc --
step_terraformrc() {
  # OpenTofu looks for the stacks' "kreuzwerker/docker" under its own registry
  # host: the mirror answers for both hosts with the one build (a relative
  # symlink, so a rebuilt provider is seen by both).
  local tofu_dir="$MIRROR_DIR/$PROVIDER_ADDR_TOFU/$PROVIDER_VERSION/$TF_PLATFORM"
  local target="../../../../../$PROVIDER_ADDR/$PROVIDER_VERSION/$TF_PLATFORM/terraform-provider-docker_v$PROVIDER_VERSION"
  mkdir -p "$tofu_dir"
  ln -sfn "$target" "$tofu_dir/terraform-provider-docker_v$PROVIDER_VERSION"
  local tmp="$TF_RC.tmp.$$"
  cat >"$tmp" <<EOF
# Written by scripts/bootstrap-engine.sh, for Terraform and OpenTofu
# (TF_CLI_CONFIG_FILE). kreuzwerker/docker comes only from the local filesystem
# mirror (built from source), under either engine's registry host; everything
# else would go to its registry directly.
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR_DIR"
    include = ["$PROVIDER_ADDR", "$PROVIDER_ADDR_TOFU"]
  }
  direct {
    exclude = ["$PROVIDER_ADDR", "$PROVIDER_ADDR_TOFU"]
  }
}
EOF
  if [ -f "$TF_RC" ] && cmp -s "$tmp" "$TF_RC"; then
    rm -f "$tmp"; STEP_NOTE="unchanged $TF_RC"
  else
    mv -f "$tmp" "$TF_RC"; STEP_NOTE="wrote $TF_RC"
  fi
}

# ----------------------------------------------------------------- opentofu --
step_tofu() {
  # Its own script, so that CI can run the long compile beside this one. With
  # --verify it proves tofu init/validate/plan against the mirror; it must not
  # wait for this bootstrap's lock, which this process holds.
  local args=()
  [ "$DO_VERIFY" = 1 ] && args=(--verify)
  Z3_ENGINE_BOOTSTRAP=1 bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap-tofu.sh" "${args[@]+"${args[@]}"}" 9>&- \
      | sed 's/^/  /' \
    || fail 1 "scripts/bootstrap-tofu.sh failed (log: $LOG_DIR/tofu-build.log)"
  STEP_NOTE="$CACHE/bin/tofu"
}

# ------------------------------------------------------------------- verify --
step_verify() {
  command -v terraform >/dev/null 2>&1 || fail 1 "terraform not found on PATH"
  [ -x "$PROVIDER_BIN" ] || fail 1 "no provider binary at $PROVIDER_BIN (run without --skip-provider)"
  # The plan needs the daemon, which this run manages unless --skip-docker.
  local plan=no-plan; if [ "$DO_DOCKER" = 1 ] && docker_up; then plan=plan; fi
  mirror_probe terraform "" "$plan"
}

# --------------------------------------------------------------------- main --
log "cache: $CACHE${CI:+ (CI=$CI)}"
if [ "$DO_DOCKER" = 1 ]; then
  run_step "docker packages" step_docker_packages
  run_step "dockerd" step_dockerd
  run_step "test container" step_test_container
else
  skip_step "docker" "--skip-docker"
fi
if [ "$DO_PROVIDER" = 1 ]; then
  run_step "provider $PROVIDER_VERSION" step_provider
else
  skip_step "provider $PROVIDER_VERSION" "--skip-provider"
fi
run_step "terraformrc" step_terraformrc
if [ "$DO_TOFU" = 1 ]; then
  run_step "opentofu" step_tofu
else
  skip_step "opentofu" "--skip-tofu"
fi
if [ "$DO_VERIFY" = 1 ]; then
  run_step "verify" step_verify
else
  skip_step "verify" "pass --verify"
fi

print_summary
echo
echo "provider binary: $PROVIDER_BIN$([ -x "$PROVIDER_BIN" ] || echo ' (missing)')"
echo "# use the mirror with:"
echo "export TF_CLI_CONFIG_FILE=$TF_RC"
echo "export CHECKPOINT_DISABLE=1"
echo "export INFRA_CACHE_DIR=$CACHE"
