#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint, installing a pinned
# actionlint through the Go module proxy when it is missing. actionlint also runs shellcheck on
# every `run:` script when shellcheck is on PATH (Debian: apt-get install shellcheck).
#
# Usage: scripts/lint-workflows.sh [actionlint args...]     (npm run lint:workflows)
#
# Environment:
#   INFRA_CACHE_DIR   cache root (default: $HOME/.cache/z3-infra); actionlint goes to $INFRA_CACHE_DIR/bin
#   ACTIONLINT        use this actionlint binary instead (no install)
#
# Exit codes: 0 no findings; 1 findings (or actionlint failed); 2 actionlint could not be installed.
set -euo pipefail

readonly ACTIONLINT_VERSION="v1.7.12"
readonly ACTIONLINT_MODULE="github.com/rhysd/actionlint"
# go.sum hash of the module zip, as served by the Go module proxy. The checksum database is not
# reachable from the project's machines, so the script checks the download against this pin itself.
readonly ACTIONLINT_H1="h1:vQ4GeJN86C0QH+gTUQcs8McmK62OLT3kmakPMtEWYnY="

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
bindir="$cache/bin"

log() { printf 'lint-workflows: %s\n' "$*" >&2; }

installed_version() {
  # `actionlint -version` prints the version on its first line.
  "$1" -version 2>/dev/null | head -n 1 | tr -d '[:space:]'
}

install_actionlint() {
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    PATH="$PATH:/usr/local/go/bin"
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "Go is needed to install actionlint $ACTIONLINT_VERSION (or set ACTIONLINT=/path/to/actionlint)"
    return 2
  fi
  mkdir -p "$bindir"
  log "installing actionlint $ACTIONLINT_VERSION into $bindir"
  # The top-level module is verified against the pin below instead of the checksum database; its
  # dependencies are verified against actionlint's own go.sum, as always.
  local sum
  if ! sum="$(cd "$cache" && GOFLAGS=-mod=mod GONOSUMDB="$ACTIONLINT_MODULE" \
    go mod download -json "$ACTIONLINT_MODULE@$ACTIONLINT_VERSION" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p')"; then
    log "could not download $ACTIONLINT_MODULE@$ACTIONLINT_VERSION through the Go module proxy"
    return 2
  fi
  if [ "$sum" != "$ACTIONLINT_H1" ]; then
    log "checksum mismatch for $ACTIONLINT_MODULE@$ACTIONLINT_VERSION: got '$sum', expected $ACTIONLINT_H1"
    return 2
  fi
  if ! (cd "$cache" && GOBIN="$bindir" GOFLAGS=-mod=mod GONOSUMDB="$ACTIONLINT_MODULE" \
    go install "$ACTIONLINT_MODULE/cmd/actionlint@$ACTIONLINT_VERSION"); then
    log "go install of actionlint $ACTIONLINT_VERSION failed"
    return 2
  fi
}

actionlint="${ACTIONLINT:-}"
if [ -z "$actionlint" ]; then
  actionlint="$bindir/actionlint"
  if [ ! -x "$actionlint" ] || [ "$(installed_version "$actionlint")" != "$ACTIONLINT_VERSION" ]; then
    install_actionlint || exit 2
  fi
fi

shopt -s nullglob
workflows=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
if [ "${#workflows[@]}" -eq 0 ]; then
  log "no workflows under .github/workflows"
  exit 1
fi

if command -v shellcheck >/dev/null 2>&1; then
  log "actionlint $(installed_version "$actionlint") with $(shellcheck --version | sed -n 's/^version: //p' | sed 's/^/shellcheck /') on ${#workflows[@]} workflow(s)"
else
  log "actionlint $(installed_version "$actionlint") on ${#workflows[@]} workflow(s) (shellcheck not on PATH: run: scripts are not checked)"
fi
cd "$root"
# Relative paths in findings; a non-zero exit on any finding.
exec "$actionlint" "$@" "${workflows[@]#"$root"/}"
