#!/usr/bin/env bash
# Root filesystem with the programs that read the generated configuration files
# (nginx, promtool, amtool), for the fast config checks in test/programs/
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
# promtool comes with prometheus; amtool with prometheus-alertmanager.
readonly PACKAGES=(nginx prometheus prometheus-alertmanager)
readonly VERSIONED_PACKAGES=(nginx prometheus promtool prometheus-alertmanager)
readonly NGINX_MIN_VERSION="1.25.1"
# Bump when the way the root filesystem is made changes (not its package list).
readonly RECIPE=1
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

CACHE="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
ROOTFS_CACHE="$CACHE/rootfs"
LOG_DIR="$CACHE/logs"
LOG="$LOG_DIR/bootstrap-programs.log"

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
SORTED_PACKAGES="$(printf '%s\n' "${PACKAGES[@]}" | LC_ALL=C sort -u | paste -sd, -)"
KEY="$(printf 'suite=%s\nvariant=%s\npackages=%s\nrecipe=%s\n' "$SUITE" "$VARIANT" "$SORTED_PACKAGES" "$RECIPE" \
  | sha256sum | cut -c1-12)"
DIR="$ROOTFS_CACHE/$SUITE-programs-$KEY"
ROOT="$DIR/rootfs"

log() { printf '[bootstrap-programs] %s\n' "$*" >&2; }
die() { printf '[bootstrap-programs] ERROR: %s\n' "$*" >&2; exit 1; }

is_complete() { [ -f "$DIR/.complete" ] && [ -x "$ROOT/usr/sbin/nginx" ]; }

if [ "$PRINT_ROOT" = 1 ]; then
  is_complete || die "no complete root filesystem at $ROOT (packages: $SORTED_PACKAGES); build it with: bash scripts/bootstrap-programs.sh"
  printf '%s\n' "$ROOT"
  exit 0
fi

# ------------------------------------------------------------------ helpers --
now_us() { local t="$EPOCHREALTIME"; printf '%s' "${t/./}"; }
fmt_secs() { printf '%d.%01d' "$(($1 / 1000000))" "$((($1 % 1000000) / 100000))"; }
START="$(now_us)"

on_err() { local rc=$?; die "command failed (exit $rc) at line $1: $BASH_COMMAND (log: $LOG)"; }
trap 'on_err $LINENO' ERR

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot); try: sudo bash $0"
mkdir -p "$ROOTFS_CACHE" "$LOG_DIR"

# Paths mounted below DIR (none should be: every step that mounts runs in a
# private mount namespace). Checked before anything under DIR is deleted, so a
# leaked bind mount of /dev or /proc is never recursed into.
mounts_under() { awk -v p="$1/" 'index($5 "/", p) == 1 { print $5 }' /proc/self/mountinfo; }
remove_tree() {
  local dir="$1" m
  [ -e "$dir" ] || return 0
  m="$(mounts_under "$dir")"
  [ -z "$m" ] || die "refusing to delete $dir: still mounted: $m (unmount them first)"
  rm -rf --one-file-system -- "$dir"
}

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

# ------------------------------------------------------------------- mirror --
# Debian archive entries (URI and suite) of the host's apt sources, one-line
# (sources.list, *.list) and deb822 (*.sources) formats; security, updates and
# backports suites are left out, and so are disabled entries.
apt_source_entries() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '
      { sub(/#.*/, ""); gsub(/\[[^]]*\]/, "") }
      $1 == "deb" && NF >= 3 { print $2, $3 }
    ' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush(  i, j, n, m, u, s) {
        if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/) {
          n = split(uris, u, " "); m = split(suites, s, " ")
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j]
        }
        types = ""; uris = ""; suites = ""; enabled = ""; key = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        key = tolower(substr($0, 1, index($0, ":") - 1)); val = substr($0, index($0, ":") + 1)
      }
      /^[ \t]/ { val = $0 }
      {
        gsub(/^[ \t]+|[ \t]+$/, "", val)
        if (key == "types") types = types " " val
        else if (key == "uris") uris = uris " " val
        else if (key == "suites") suites = suites " " val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { flush() }
    ' "$f"
  done
}

find_mirror() {
  if [ -n "${PROGRAMS_MIRROR:-}" ]; then printf '%s\n' "$PROGRAMS_MIRROR"; return 0; fi
  local codename="" entries uri
  codename="$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null | tr -d '"' || true)"
  entries="$(apt_source_entries | awk '$1 ~ /^(https?|file):/ && $1 !~ /security/ && $2 !~ /-(security|updates|backports|proposed-updates)$/')"
  # Prefer an entry that already serves the target suite, then the host's own suite.
  uri="$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$entries")"
  [ -n "$uri" ] || uri="$(awk -v s="$codename" 's != "" && $2 == s { print $1; exit }' <<<"$entries")"
  [ -n "$uri" ] || die "no Debian mirror for $SUITE or ${codename:-the host suite} in /etc/apt/sources.list or /etc/apt/sources.list.d/ (entries seen: $(tr '\n' ';' <<<"$entries")); set PROGRAMS_MIRROR"
  printf '%s\n' "${uri%/}"
}

# debootstrap fetches with wget, which knows nothing of apt's proxy setting.
use_apt_proxy() {
  local HTTP_PROXY="" HTTPS_PROXY=""
  eval "$(apt-config shell HTTP_PROXY Acquire::http::Proxy HTTPS_PROXY Acquire::https::Proxy)"
  if [ -z "${http_proxy:-}" ] && [ -n "$HTTP_PROXY" ] && [ "$HTTP_PROXY" != DIRECT ]; then export http_proxy="$HTTP_PROXY"; fi
  if [ -z "${https_proxy:-}" ] && [ -n "$HTTPS_PROXY" ] && [ "$HTTPS_PROXY" != DIRECT ]; then export https_proxy="$HTTPS_PROXY"; fi
}

# ------------------------------------------------------------------- build ---
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap on the host (apt-get)"
  { apt-get -o DPkg::Lock::Timeout=300 update && \
    apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends debootstrap; } >>"$LOG" 2>&1 </dev/null \
    || { tail -n 20 "$LOG" >&2; die "apt-get install debootstrap failed (log: $LOG)"; }
fi
for tool in unshare chroot flock; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing on the host (Debian package util-linux / coreutils)"
done
[ -f "$KEYRING" ] || die "$KEYRING is missing (Debian package debian-archive-keyring)"

MIRROR="$(find_mirror)"
use_apt_proxy
# Debian 12's debootstrap knows trixie; an older one falls back to the sid script.
SCRIPT_ARGS=()
[ -e "/usr/share/debootstrap/scripts/$SUITE" ] || SCRIPT_ARGS=(/usr/share/debootstrap/scripts/sid)

PARTIAL="$DIR.partial"
remove_tree "$PARTIAL"
remove_tree "$DIR"
trap 'remove_tree "$PARTIAL"' EXIT
mkdir -p "$PARTIAL/rootfs"
PROOT="$PARTIAL/rootfs"
log "building $SUITE ($VARIANT + $SORTED_PACKAGES) from $MIRROR into $DIR (log: $LOG)"
printf '\n==== %s build %s from %s\n' "$(date -u +%FT%TZ)" "$DIR" "$MIRROR" >>"$LOG"

# Every step that can mount (debootstrap mounts /proc and /sys in the target
# during the second stage) runs in its own mount namespace: whatever it mounts
# is gone when it exits, even when it fails.
in_ns() { unshare --mount --propagation private -- "$@"; }

# Stage one: download and unpack, nothing configured yet.
in_ns debootstrap --foreign --variant="$VARIANT" --components=main --keyring="$KEYRING" \
    --include="$SORTED_PACKAGES" "$SUITE" "$PROOT" "$MIRROR" "${SCRIPT_ARGS[@]+"${SCRIPT_ARGS[@]}"}" >>"$LOG" 2>&1 </dev/null \
  || { tail -n 30 "$LOG" >&2; die "debootstrap (first stage) of $SUITE from $MIRROR failed (log: $LOG)"; }

# No service ever starts inside the chroot: invoke-rc.d asks policy-rc.d, and
# 101 means "action forbidden". Written before any package is configured, and
# again after the second stage, which writes its own while it configures
# packages but deletes it when done.
write_policy_rc_d() {
  mkdir -p "$PROOT/usr/sbin"
  printf '#!/bin/sh\n# Written by scripts/bootstrap-programs.sh: no service starts in this root filesystem.\nexit 101\n' >"$PROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$PROOT/usr/sbin/policy-rc.d"
}
write_policy_rc_d
# dpkg leaves out documentation (copyright files stay).
mkdir -p "$PROOT/etc/dpkg/dpkg.cfg.d"
cat >"$PROOT/etc/dpkg/dpkg.cfg.d/01-z3-infra-nodoc" <<'EOF'
# Written by scripts/bootstrap-programs.sh: a root filesystem for configuration checks needs no documentation.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF

# Timestamps written during configuration (adduser's shadow entries, ...) follow
# SOURCE_DATE_EPOCH: by default the Date of the suite's Release file.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  release_file="$(find "$PROOT/var/lib/apt/lists" -maxdepth 1 -name "*_dists_${SUITE}_Release" -print -quit 2>/dev/null || true)"
  release_date="$( { [ -n "$release_file" ] && sed -n 's/^Date: //p' "$release_file"; } || true)"
  SOURCE_DATE_EPOCH="$(date -u -d "${release_date:-@0}" +%s)"
fi
export SOURCE_DATE_EPOCH

# Stage two, inside the chroot: install and configure.
in_ns chroot "$PROOT" /debootstrap/debootstrap --second-stage >>"$LOG" 2>&1 </dev/null \
  || { tail -n 30 "$LOG" >&2; die "debootstrap --second-stage failed (log: $LOG)"; }
write_policy_rc_d
policy_rc=0
in_ns chroot "$PROOT" /usr/sbin/policy-rc.d nginx start >/dev/null 2>&1 </dev/null || policy_rc=$?
[ "$policy_rc" = 101 ] || die "policy-rc.d in $PROOT answers $policy_rc, not 101 (action forbidden)"

# Minimal: no package cache, lists, docs, logs or per-machine state.
in_ns chroot "$PROOT" apt-get clean >>"$LOG" 2>&1 </dev/null
rm -rf "$PROOT"/var/lib/apt/lists/* "$PROOT"/var/cache/apt/*.bin "$PROOT"/var/cache/ldconfig/aux-cache \
  "$PROOT"/var/cache/debconf/*-old "$PROOT"/var/lib/dpkg/*-old "$PROOT"/usr/share/man/* "$PROOT"/usr/share/info/*
find "$PROOT/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
find "$PROOT/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
find "$PROOT/var/log" -type f -delete
: >"$PROOT/etc/machine-id"

# The programs run, and nginx is new enough.
for probe in "nginx -v" "promtool --version" "amtool --version"; do
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
find "$PROOT" -xdev -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

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
