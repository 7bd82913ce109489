#!/usr/bin/env bash
# Root filesystem with the programs that read the generated configuration files
# (nginx, promtool, amtool) and with Graphviz's dot, which draws the stack pictures
# (docs/stacks/<stack>.svg), for the fast checks in test/programs/
# (`npm run test:programs`). Built once with debootstrap from Debian 13 (trixie)
# into a cache directory and reused; nothing from trixie is installed on the host.
#
# Usage: scripts/bootstrap-programs.sh [--print-root] [--rebuild]
#
#   (no option)    build the root filesystem unless a complete one for the same
#                  suite and package list is cached; print its path last.
#   --print-root   print the path of the cached root filesystem and exit; fail
#                  (exit 1) when it has not been built. Needs no root and no network.
#   --rebuild      build again even when a complete cached copy exists.
#
# Environment:
#   INFRA_CACHE_DIR    cache root (default: $HOME/.cache/z3-infra)
#   PROGRAMS_MIRROR    Debian mirror URL for debootstrap (default: read from the
#                      host's apt sources, /etc/apt/sources.list{,.d/*})
#   SOURCE_DATE_EPOCH  timestamp for files written during the build and the
#                      clamp of every file time (default: the Date of the suite's
#                      Release file)
#
# Layout: $CACHE/rootfs/trixie-programs-<key>/ with rootfs/ (the chroot),
# VERSIONS (installed versions), BUILD-INFO and .complete (written last). <key>
# hashes the suite, the sorted package list and the recipe version, so changing
# any of them builds a new directory.
#
# Exit codes: 0 ok, 1 a step failed (the message says which), 2 bad usage.
set -euo pipefail

# ---------------------------------------------------------------- constants --
readonly SUITE="trixie"
readonly VARIANT="minbase"
# nginx >= 1.25.1 reads `http2 on;` (the generated proxy configuration uses it);
# promtool comes with prometheus; amtool with prometheus-alertmanager; dot with graphviz.
# The stack pictures name their font (DejaVu Sans), so fonts-dejavu-core is listed, not left
# to whichever font a dependency happens to bring: the font's widths shape the layout.
readonly PACKAGES=(nginx prometheus prometheus-alertmanager graphviz fonts-dejavu-core)
readonly VERSIONED_PACKAGES=(nginx prometheus promtool prometheus-alertmanager graphviz fonts-dejavu-core)
readonly NGINX_MIN_VERSION="1.25.1"
# Bump when the way the root filesystem is made changes (not its package list).
readonly RECIPE=2

CACHE="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
ROOTFS_CACHE="$CACHE/rootfs"
LOG_DIR="$CACHE/logs"
LOG="$LOG_DIR/bootstrap-programs.log"
# shellcheck disable=SC2034  # message prefix of scripts/lib/debian-rootfs.sh
ROOTFS_TAG=bootstrap-programs
# shellcheck source=lib/debian-rootfs.sh
. "$(dirname "$0")/lib/debian-rootfs.sh"

PRINT_ROOT=0
REBUILD=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --print-root) PRINT_ROOT=1 ;;
    --rebuild) REBUILD=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bootstrap-programs: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# Sorted, de-duplicated package list: the same set always gives the same key.
SORTED_PACKAGES="$(sorted_csv "${PACKAGES[@]}")"
KEY="$(rootfs_key "$SUITE" "$VARIANT" "$SORTED_PACKAGES" "$RECIPE")"
DIR="$ROOTFS_CACHE/$SUITE-programs-$KEY"
ROOT="$DIR/rootfs"

log() { rootfs_log "$@"; }
die() { rootfs_die "$@"; }

is_complete() { [ -f "$DIR/.complete" ] && [ -x "$ROOT/usr/sbin/nginx" ] && [ -x "$ROOT/usr/bin/dot" ]; }

if [ "$PRINT_ROOT" = 1 ]; then
  is_complete || die "no complete root filesystem at $ROOT (packages: $SORTED_PACKAGES); build it with: bash scripts/bootstrap-programs.sh"
  printf '%s\n' "$ROOT"
  exit 0
fi

# ------------------------------------------------------------------ helpers --
START="$(now_us)"

on_err() { local rc=$?; die "command failed (exit $rc) at line $1: $BASH_COMMAND (log: $LOG)"; }
trap 'on_err $LINENO' ERR

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot); try: sudo bash $0"
mkdir -p "$ROOTFS_CACHE" "$LOG_DIR"

# One build at a time; a second run waits for the first and then reuses its result.
exec 9>"$ROOTFS_CACHE/.lock"
if ! flock -n 9; then
  log "another build holds $ROOTFS_CACHE/.lock; waiting (max 30 min)"
  flock -w 1800 9 || die "timed out waiting for $ROOTFS_CACHE/.lock"
fi

if is_complete && [ "$REBUILD" = 0 ]; then
  log "reusing $DIR (complete; packages: $SORTED_PACKAGES)"
  sed 's/^/[bootstrap-programs]   /' "$DIR/VERSIONS" >&2
  log "warm: $(fmt_secs $(( $(now_us) - START )))s"
  printf '%s\n' "$ROOT"
  exit 0
fi

# ------------------------------------------------------------------- build ---
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

rootfs_require_tools

MIRROR="$(find_mirror "$SUITE" "${PROGRAMS_MIRROR:-}")"
use_apt_proxy

PARTIAL="$DIR.partial"
remove_tree "$PARTIAL"
remove_tree "$DIR"
trap 'remove_tree "$PARTIAL"' EXIT
mkdir -p "$PARTIAL/rootfs"
PROOT="$PARTIAL/rootfs"
log "building $SUITE ($VARIANT + $SORTED_PACKAGES) from $MIRROR into $DIR (log: $LOG)"
printf '\n==== %s build %s from %s\n' "$(date -u +%FT%TZ)" "$DIR" "$MIRROR" >>"$LOG"

# Stage one: download and unpack, nothing configured yet.
debootstrap_first_stage "$PROOT" "$SUITE" "$VARIANT" "$MIRROR" "$SORTED_PACKAGES"

# No service ever starts inside the chroot (policy-rc.d), and dpkg leaves out documentation.
write_policy_rc_d "$PROOT"
write_nodoc "$PROOT"

# Timestamps written during configuration (adduser's shadow entries, ...) follow
# SOURCE_DATE_EPOCH: by default the Date of the suite's Release file.
[ -n "${SOURCE_DATE_EPOCH:-}" ] || SOURCE_DATE_EPOCH="$(release_epoch "$PROOT" "$SUITE")"
export SOURCE_DATE_EPOCH

# Stage two, inside the chroot: install and configure.
debootstrap_second_stage "$PROOT"
write_policy_rc_d "$PROOT"
check_policy_rc_d "$PROOT"

# Minimal: no package cache, lists, docs, logs or per-machine state.
minimize_rootfs "$PROOT"

# The programs run, and nginx is new enough.
for probe in "nginx -v" "promtool --version" "amtool --version" "dot -V"; do
  # shellcheck disable=SC2086  # probe is a command and its flag
  out="$(in_ns chroot "$PROOT" $probe 2>&1 </dev/null)" || die "'$probe' does not run in the new root filesystem: $out"
  printf '%s: %s\n' "$probe" "$(head -n 1 <<<"$out")" >>"$LOG"
done
# shellcheck disable=SC2016  # ${Package} is dpkg-query's format, not the shell's
in_ns chroot "$PROOT" dpkg-query -W -f='${Package} ${Version}\n' "${VERSIONED_PACKAGES[@]}" >"$PARTIAL/VERSIONS" 2>>"$LOG" \
  || die "dpkg-query found no version for one of ${VERSIONED_PACKAGES[*]} (log: $LOG)"
nginx_version="$(awk '$1 == "nginx" { print $2 }' "$PARTIAL/VERSIONS")"
dpkg --compare-versions "$nginx_version" ge "$NGINX_MIN_VERSION" \
  || die "$SUITE has nginx $nginx_version; the generated proxy configuration needs $NGINX_MIN_VERSION or later (http2 on)"

# Clamp every file time to SOURCE_DATE_EPOCH (cheap step towards identical trees).
clamp_mtimes "$PROOT" "$SOURCE_DATE_EPOCH"
# Font caches for dot, made after the clamp: fontconfig trusts a cache only while its font directory
# keeps the time recorded in it. Without them dot, run read-only as an unprivileged user, scans the
# fonts each time and prints "Fontconfig error: No writable cache directories".
in_ns chroot "$PROOT" fc-cache --system-only >>"$LOG" 2>&1 </dev/null || die "fc-cache in $PROOT failed (log: $LOG)"
clamp_mtimes "$PROOT" "$SOURCE_DATE_EPOCH"

BUILD_SECS="$(fmt_secs $(( $(now_us) - START )))"
SIZE="$(du -sh "$PROOT" | cut -f1)"
{
  printf 'suite: %s\nvariant: %s\npackages: %s\nrecipe: %s\nkey: %s\n' "$SUITE" "$VARIANT" "$SORTED_PACKAGES" "$RECIPE" "$KEY"
  printf 'mirror: %s\nSOURCE_DATE_EPOCH: %s\nbuild seconds: %s\nsize: %s\n' "$MIRROR" "$SOURCE_DATE_EPOCH" "$BUILD_SECS" "$SIZE"
} >"$PARTIAL/BUILD-INFO"

[ -z "$(mounts_under "$PARTIAL")" ] || die "something is still mounted under $PARTIAL: $(mounts_under "$PARTIAL")"
mv -T "$PARTIAL" "$DIR"
trap - EXIT
touch "$DIR/.complete"

others="$(find "$ROOTFS_CACHE" -mindepth 1 -maxdepth 1 -type d -name "$SUITE-programs-*" ! -path "$DIR" | paste -sd' ' -)"
[ -z "$others" ] || log "older root filesystems (other package lists) can be removed: $others"
log "installed versions:"
sed 's/^/[bootstrap-programs]   /' "$DIR/VERSIONS" >&2
log "cold build: ${BUILD_SECS}s; rootfs size: $SIZE"
printf '%s\n' "$ROOT"
