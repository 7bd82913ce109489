#!/usr/bin/env bash
# Writes, or with --check compares, the committed provider lock file .terraform.lock.hcl: the
# checksum of the kreuzwerker/docker build the stacks are planned and applied with. CI copies it
# into each stack directory before `terraform init -lockfile=readonly`, so a provider whose
# checksum differs stops the plan or the apply (docs/review.md#the-provider-lock-file).
#
# The provider is not the registry's release: scripts/bootstrap-engine.sh builds it from the pinned
# source (go build -trimpath, CGO off, fixed ldflags) into a filesystem mirror, and the lock holds
# the h1: hash of that binary. The same source, flags and Go release give the same binary, hence the
# same hash; another Go release gives another binary, and a rebuild that is not bit-identical
# changes the hash. PROVIDER_GO_VERSION below is the Go release the lock was made with, and CI's
# provider job installs that release.
#
# Usage: scripts/provider-lock.sh [--check] [--mirror DIR]
#
#   --check        compare instead of writing: exit 1, with both hashes, when the mirror's build
#                  is not the one the committed lock names.
#   --mirror DIR   the filesystem mirror to hash (default: the one scripts/bootstrap-engine.sh
#                  --skip-docker builds, $INFRA_CACHE_DIR/terraform-providers; built when missing).
#
# Environment: INFRA_CACHE_DIR as for scripts/bootstrap-engine.sh.
# Needs: terraform (1.11) on PATH; go, when the provider has to be built.
# Exit codes: 0 written / matches, 1 differs or a step failed, 2 bad usage.
set -euo pipefail

# The Go release the committed lock's build was made with (`go version`).
readonly PROVIDER_GO_VERSION="go1.26.8"
# The platforms the lock covers: the CI runners' and the project's machines'. The mirror holds a
# build for the machine that made it only.
readonly PLATFORMS=(linux_amd64)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="$root/.terraform.lock.hcl"
check=0
mirror=""

log() { printf 'provider-lock: %s\n' "$*" >&2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --mirror) [ $# -ge 2 ] || { log "--mirror needs a directory"; exit 2; }; mirror="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) log "unknown argument: $1 (see --help)"; exit 2 ;;
  esac
  shift
done

# The constraint every stack requires, from its one definition.
constraint="$(sed -n 's/^export const DOCKER_PROVIDER_VERSION_CONSTRAINT = "\(.*\)";$/\1/p' "$root/lib/docker.ts")"
[ -n "$constraint" ] || { log "no DOCKER_PROVIDER_VERSION_CONSTRAINT in lib/docker.ts"; exit 1; }

if [ -z "$mirror" ]; then
  mirror="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}/terraform-providers"
  log "building or reusing the provider: scripts/bootstrap-engine.sh --skip-docker"
  bash "$root/scripts/bootstrap-engine.sh" --skip-docker >&2
fi
[ -d "$mirror/registry.terraform.io/kreuzwerker/docker" ] \
  || { log "no kreuzwerker/docker in the mirror $mirror (scripts/bootstrap-engine.sh --skip-docker builds it)"; exit 1; }

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi
go_version="$(go version 2>/dev/null | awk '{print $3}' || true)"
if [ "$go_version" != "$PROVIDER_GO_VERSION" ]; then
  log "warning: go here is ${go_version:-missing}; the committed lock was made with $PROVIDER_GO_VERSION (a build by another release differs)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/provider-lock.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cat >"$work/main.tf.json" <<EOF
{ "terraform": { "required_providers": { "docker": { "source": "kreuzwerker/docker", "version": "$constraint" } } } }
EOF
platform_args=()
for p in "${PLATFORMS[@]}"; do platform_args+=("-platform=$p"); done
# -fs-mirror: the hashes come from the mirror's packages only, never from a registry.
(cd "$work" && CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null \
  terraform providers lock -no-color -fs-mirror="$mirror" "${platform_args[@]}") >&2

hashes() { sed -n 's/^ *"\(h1:[^"]*\)",$/\1/p' "$1" | paste -sd ' ' -; }
if [ "$check" = 1 ]; then
  if [ ! -f "$lock" ]; then log "no committed lock file $lock"; exit 1; fi
  if cmp -s "$work/.terraform.lock.hcl" "$lock"; then
    log "the mirror's kreuzwerker/docker matches .terraform.lock.hcl ($(hashes "$lock"))"
    exit 0
  fi
  log "the mirror's kreuzwerker/docker is not the build .terraform.lock.hcl names"
  log "  committed: $(hashes "$lock")"
  log "  mirror:    $(hashes "$work/.terraform.lock.hcl") (built with ${go_version:-unknown Go}; the lock with $PROVIDER_GO_VERSION)"
  diff -u "$lock" "$work/.terraform.lock.hcl" >&2 || true
  exit 1
fi
cp "$work/.terraform.lock.hcl" "$lock"
log "wrote $lock ($(hashes "$lock")) for kreuzwerker/docker $constraint, ${PLATFORMS[*]}, built with ${go_version:-unknown Go}"
