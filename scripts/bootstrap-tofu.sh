#!/usr/bin/env bash
# OpenTofu for the real-engine tests and for users who deploy with it: `tofu`
# built from the source the Go module proxy serves (Debian packages no
# OpenTofu), cached, and put on PATH. kreuzwerker/docker comes from the same
# filesystem mirror Terraform uses (scripts/bootstrap-engine.sh writes the CLI
# configuration for both engines: OpenTofu reads the stacks' `kreuzwerker/docker`
# as registry.opentofu.org/kreuzwerker/docker, Terraform as
# registry.terraform.io/kreuzwerker/docker).
#
# scripts/bootstrap-engine.sh runs this script (without --verify) as its step
# "opentofu"; CI runs it on its own, in the background beside the engine job
# (.ci/run), so that the compile overlaps with the engine's apt and image work.
#
# Usage: scripts/bootstrap-tofu.sh [--verify]
#
#   --verify   prove the binary and the mirror work: tofu init + validate (and
#              plan, when the Docker daemon is up) on a throwaway config that
#              uses kreuzwerker/docker 4.6.0. Waits for a running
#              scripts/bootstrap-engine.sh first (it builds the provider and
#              writes the CLI configuration).
#
# Environment:
#   INFRA_CACHE_DIR   cache root (default: $HOME/.cache/z3-infra)
#   TOFU_LINK_DIR     directory on PATH that gets a `tofu` symlink to the cached
#                     binary (default: /usr/local/bin). When it is not writable,
#                     or holds a `tofu` this script did not put there, the
#                     script prints the PATH export instead.
#
# Exit codes: 0 ok, 1 a step failed (the message names it and quotes the
# error), 2 bad usage. An OpenTofu that cannot be downloaded, hash-checked or
# built is a failure, never a skip.
#
# Outputs (all outside the repository):
#   $CACHE/bin/tofu                 the binary (OpenTofu $TOFU_VERSION)
#   $CACHE/tofu-build-info.txt      module, hash, Go version, sha256
#   $CACHE/logs/tofu-build.log      go download and build log
#   $TOFU_LINK_DIR/tofu -> $CACHE/bin/tofu
set -euo pipefail

# ---------------------------------------------------------------- constants --
readonly TOFU_VERSION="1.12.6"
readonly TOFU_MODULE="github.com/opentofu/opentofu"
# go.sum hash of the module zip as the Go module proxy serves it. The download
# is exempted from the checksum database (GONOSUMDB), as the provider's is in
# scripts/bootstrap-engine.sh, and compared with this pin instead; the pin is
# the checksum database's own record for v1.12.6.
readonly TOFU_MODULE_H1="h1:0VT4P8pMmGcCUnQ9JDrJ+Qg2d35Vzm4FFd/9+H7oF98="
readonly PROVIDER_VERSION="4.6.0"

CACHE="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
LOG_DIR="$CACHE/logs"
BUILD_LOG="$LOG_DIR/tofu-build.log"
TOFU_BIN="$CACHE/bin/tofu"
BUILD_INFO="$CACHE/tofu-build-info.txt"
TF_RC="$CACHE/terraformrc"
LINK_DIR="${TOFU_LINK_DIR:-/usr/local/bin}"

DO_VERIFY=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --verify) DO_VERIFY=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bootstrap-tofu: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

export CHECKPOINT_DISABLE=1
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="$PATH:/usr/local/go/bin"
fi
export PATH
case "$(uname -m)" in
  x86_64|amd64) ARCH=amd64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) echo "bootstrap-tofu: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$CACHE/bin" "$LOG_DIR"

# ------------------------------------------------------------------ helpers --
STEP_LOG_NAME=bootstrap-tofu STEP_NAME_WIDTH=22
# shellcheck source=lib/step-runner.sh
. "$(dirname "$0")/lib/step-runner.sh"
# shellcheck source=lib/mirror-probe.sh
. "$(dirname "$0")/lib/mirror-probe.sh"

# The version a tofu binary reports (`tofu version -json`), or nothing.
binary_version() {
  "$1" version -json 2>/dev/null | sed -n 's/^[[:space:]]*"terraform_version": "\([^"]*\)".*/\1/p'
}

# One build at a time (CI's tofu job and the engine bootstrap's step).
exec 8>"$CACHE/.tofu.lock"
if ! flock -n 8; then
  log "another OpenTofu bootstrap holds $CACHE/.tofu.lock; waiting (max 30 min)"
  flock -w 1800 8 || fail 1 "timed out waiting for $CACHE/.tofu.lock"
fi

# ------------------------------------------------------------------- build --
step_build() {
  # Reused only when it reports the pinned version and was built from the
  # pinned module hash.
  if [ -x "$TOFU_BIN" ] && [ "$(binary_version "$TOFU_BIN")" = "$TOFU_VERSION" ] \
      && grep -qF "$TOFU_MODULE_H1" "$BUILD_INFO" 2>/dev/null; then
    STEP_NOTE="reused $TOFU_BIN (OpenTofu $TOFU_VERSION)"
    return 0
  fi
  command -v go >/dev/null 2>&1 || fail 1 "go not found (looked on PATH and /usr/local/go/bin)"
  export GOTOOLCHAIN=local      # never download a toolchain: the go.mod asks for go 1.26.6
  : >"$BUILD_LOG"
  log "$(go version)"

  local work json dir sum err
  mktmp work src
  json="$(cd "$work" && GOFLAGS=-mod=mod GONOSUMDB="$TOFU_MODULE" \
            go mod download -json "$TOFU_MODULE@v$TOFU_VERSION" 2>>"$BUILD_LOG")" || true
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  sum="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p')"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    err="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | sed 's/\\n.*//')"
    fail 1 "OpenTofu $TOFU_VERSION cannot be built here: Go module proxy: ${err:-go mod download failed}
  (module $TOFU_MODULE@v$TOFU_VERSION; log: $BUILD_LOG)"
  fi
  log "go mod download: $TOFU_MODULE@v$TOFU_VERSION -> $dir"
  log "module hash reported by go: $sum"
  [ "$sum" = "$TOFU_MODULE_H1" ] || fail 1 "module hash mismatch: go reported '$sum', expected $TOFU_MODULE_H1"
  log "module hash matches the pinned $TOFU_MODULE_H1"

  # The module's go.mod has `replace` directives (its own fork of hcl), which
  # apply only when it is the main module: build in a writable copy of it, with
  # its own go.mod and go.sum (-mod=readonly: a dependency missing from go.sum
  # is an error, each one is checked against it).
  cp -r "$dir" "$work/src"
  chmod -R u+w "$work/src"     # the module cache is read-only
  local out="$work/tofu" t1 tbuild
  t1="$(now_us)"
  log "compiling ./cmd/tofu (several minutes on a cold cache)"
  (cd "$work/src" && CGO_ENABLED=0 GOOS=linux GOARCH="$ARCH" GOFLAGS="-mod=readonly -buildvcs=false" \
      go build -trimpath \
        -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
        -o "$out" ./cmd/tofu) >>"$BUILD_LOG" 2>&1 </dev/null \
    || { tail -n 30 "$BUILD_LOG" >&2; fail 1 "go build of OpenTofu failed (log: $BUILD_LOG)"; }
  tbuild="$(fmt_secs $(( $(now_us) - t1 )))"
  local got; got="$(binary_version "$out")"
  [ "$got" = "$TOFU_VERSION" ] || fail 1 "the built tofu reports version '$got', expected $TOFU_VERSION"

  install -m 0755 "$out" "$TOFU_BIN.tmp.$$"
  mv -f "$TOFU_BIN.tmp.$$" "$TOFU_BIN"
  {
    echo "opentofu:   $TOFU_VERSION (linux_$ARCH)"
    echo "source:     Go module proxy ($TOFU_MODULE@v$TOFU_VERSION, $sum)"
    echo "module h1:  $TOFU_MODULE_H1"
    echo "go:         $(go version)"
    echo "build s:    $tbuild"
    echo "built:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "sha256:     $(sha256sum "$TOFU_BIN" | cut -d' ' -f1)"
  } >"$BUILD_INFO"
  STEP_NOTE="built in ${tbuild}s, $(du -m "$TOFU_BIN" | cut -f1) MB"
}

# -------------------------------------------------------------------- PATH --
PATH_HINT=""
step_path() {
  local link="$LINK_DIR/tofu"
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$TOFU_BIN" ]; then
    STEP_NOTE="$link -> $TOFU_BIN"; return 0
  fi
  if { [ ! -e "$link" ] && [ ! -L "$link" ]; } || { [ -L "$link" ] && [[ "$(readlink "$link")" == "$CACHE/"* ]]; }; then
    if [ -d "$LINK_DIR" ] && [ -w "$LINK_DIR" ]; then
      ln -sfn "$TOFU_BIN" "$link"
      STEP_NOTE="linked $link -> $TOFU_BIN"; return 0
    fi
  fi
  # Something else is there (another OpenTofu), or the directory is not ours to write.
  PATH_HINT="export PATH=$CACHE/bin:\$PATH"
  STEP_NOTE="$link not written ($( [ -e "$link" ] && echo "holds another tofu" || echo "no writable directory")): use $PATH_HINT"
}

# ------------------------------------------------------------------ verify --
step_verify() {
  # The provider and the CLI configuration come from scripts/bootstrap-engine.sh:
  # wait for one that is running (it holds the lock for its whole run), unless
  # that bootstrap is the one running this script.
  exec 9>"$CACHE/.bootstrap.lock"
  if [ "${Z3_ENGINE_BOOTSTRAP:-}" != 1 ] && ! flock -n 9; then
    log "scripts/bootstrap-engine.sh is running; waiting for it (max 30 min)"
    flock -w 1800 9 || fail 1 "timed out waiting for $CACHE/.bootstrap.lock"
  fi
  local provider="$CACHE/terraform-providers/registry.opentofu.org/kreuzwerker/docker/$PROVIDER_VERSION/linux_$ARCH/terraform-provider-docker_v$PROVIDER_VERSION"
  [ -x "$provider" ] || fail 1 "no provider for OpenTofu at $provider (run scripts/bootstrap-engine.sh: it builds kreuzwerker/docker and links it there)"
  grep -qF "registry.opentofu.org/kreuzwerker/docker" "$TF_RC" 2>/dev/null \
    || fail 1 "$TF_RC does not send registry.opentofu.org/kreuzwerker/docker to the mirror (run scripts/bootstrap-engine.sh)"
  local plan=no-plan; if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then plan=plan; fi
  mirror_probe "$TOFU_BIN" "-tofu" "$plan"
}

# -------------------------------------------------------------------- main --
log "cache: $CACHE${CI:+ (CI=$CI)}"
run_step "opentofu $TOFU_VERSION" step_build
run_step "tofu on PATH" step_path
if [ "$DO_VERIFY" = 1 ]; then run_step "verify (tofu)" step_verify; fi
print_summary
echo
echo "tofu binary: $TOFU_BIN (OpenTofu $(binary_version "$TOFU_BIN"))"
if [ -n "$PATH_HINT" ]; then echo "# put tofu on PATH with:"; echo "$PATH_HINT"; fi
