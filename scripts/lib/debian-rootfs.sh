# shellcheck shell=bash
# Building blocks for Debian root filesystems made with debootstrap and cached under
# $INFRA_CACHE_DIR/rootfs, shared by scripts/bootstrap-programs.sh (a chroot for the config checks)
# and scripts/build-real-images.sh (the bases of the e2e suite's real-program images).
# Sourced, never run. Before calling anything the caller sets:
#   ROOTFS_TAG   prefix of every message, e.g. "bootstrap-programs"
#   LOG          log file the noisy steps append to
# Nothing here installs anything on the host except debootstrap (rootfs_require_tools).

rootfs_log() { printf '[%s] %s\n' "$ROOTFS_TAG" "$*" >&2; }
rootfs_die() { printf '[%s] ERROR: %s\n' "$ROOTFS_TAG" "$*" >&2; exit 1; }

# Microseconds since the epoch, and a microsecond count as seconds with one decimal.
now_us() { local t="$EPOCHREALTIME"; printf '%s' "${t/./}"; }
fmt_secs() { printf '%d.%01d' "$(($1 / 1000000))" "$((($1 % 1000000) / 100000))"; }

# rootfs_key SUITE VARIANT PACKAGES RECIPE [EXTRA]: 12 hex digits naming one recipe. PACKAGES is the
# sorted, comma-separated list; EXTRA anything else the result depends on (users, hooks).
rootfs_key() {
  {
    printf 'suite=%s\nvariant=%s\npackages=%s\nrecipe=%s\n' "$1" "$2" "$3" "$4"
    [ -z "${5:-}" ] || printf 'extra=%s\n' "$5"
  } | sha256sum | cut -c1-12
}

# sorted_csv WORD...: the words sorted and de-duplicated, comma-separated (the same set always gives
# the same key).
sorted_csv() { printf '%s\n' "$@" | LC_ALL=C sort -u | paste -sd, -; }

# Paths mounted below DIR (none should be: every step that mounts runs in a private mount
# namespace). Checked before anything under DIR is deleted, so a leaked bind mount of /dev or /proc
# is never recursed into.
mounts_under() { awk -v p="$1/" 'index($5 "/", p) == 1 { print $5 }' /proc/self/mountinfo; }
remove_tree() {
  local dir="$1" m
  [ -e "$dir" ] || return 0
  m="$(mounts_under "$dir")"
  [ -z "$m" ] || rootfs_die "refusing to delete $dir: still mounted: $m (unmount them first)"
  rm -rf --one-file-system -- "$dir"
}

# Every step that can mount (debootstrap mounts /proc and /sys in the target during the second
# stage) runs in its own mount namespace: whatever it mounts is gone when it exits, even when it fails.
in_ns() { unshare --mount --propagation private -- "$@"; }

# in_chroot ROOT COMMAND...: COMMAND inside ROOT with /proc mounted, in a private mount namespace
# (the mount goes with it).
in_chroot() {
  local root="$1"; shift
  # shellcheck disable=SC2016  # $0 and $@ belong to the inner sh
  unshare --mount --propagation private -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}

# ------------------------------------------------------------------ mirror --
# Debian archive entries (URI and suite) of the host's apt sources, one-line (sources.list, *.list)
# and deb822 (*.sources) formats; disabled entries are left out.
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

# find_mirror SUITE [OVERRIDE]: OVERRIDE when set, else the URI of a host apt source that serves
# SUITE, else one that serves the host's own suite (security, updates, backports and
# proposed-updates entries never count). No host name is built in.
find_mirror() {
  local suite="$1" override="${2:-}" codename="" entries uri
  if [ -n "$override" ]; then printf '%s\n' "$override"; return 0; fi
  codename="$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null | tr -d '"' || true)"
  entries="$(apt_source_entries | awk '$1 ~ /^(https?|file):/ && $1 !~ /security/ && $2 !~ /-(security|updates|backports|proposed-updates)$/')"
  uri="$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$entries")"
  [ -n "$uri" ] || uri="$(awk -v s="$codename" 's != "" && $2 == s { print $1; exit }' <<<"$entries")"
  [ -n "$uri" ] || rootfs_die "no Debian mirror for $suite or ${codename:-the host suite} in /etc/apt/sources.list or /etc/apt/sources.list.d/ (entries seen: $(tr '\n' ';' <<<"$entries")); set the mirror variable"
  printf '%s\n' "${uri%/}"
}

# debootstrap fetches with wget (and apt in a chroot reads no host configuration): both take the
# host apt's proxy through http_proxy / https_proxy.
use_apt_proxy() {
  local HTTP_PROXY="" HTTPS_PROXY=""
  eval "$(apt-config shell HTTP_PROXY Acquire::http::Proxy HTTPS_PROXY Acquire::https::Proxy)"
  if [ -z "${http_proxy:-}" ] && [ -n "$HTTP_PROXY" ] && [ "$HTTP_PROXY" != DIRECT ]; then export http_proxy="$HTTP_PROXY"; fi
  if [ -z "${https_proxy:-}" ] && [ -n "$HTTPS_PROXY" ] && [ "$HTTPS_PROXY" != DIRECT ]; then export https_proxy="$HTTPS_PROXY"; fi
}

# ------------------------------------------------------------------- steps --
readonly ROOTFS_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# debootstrap on the host (installed with apt-get when missing) and the tools the steps use.
rootfs_require_tools() {
  if ! command -v debootstrap >/dev/null 2>&1; then
    rootfs_log "installing debootstrap on the host (apt-get)"
    { apt-get -o DPkg::Lock::Timeout=300 update && \
      apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends debootstrap; } >>"$LOG" 2>&1 </dev/null \
      || { tail -n 20 "$LOG" >&2; rootfs_die "apt-get install debootstrap failed (log: $LOG)"; }
  fi
  local tool
  for tool in unshare chroot flock; do
    command -v "$tool" >/dev/null 2>&1 || rootfs_die "$tool is missing on the host (Debian package util-linux / coreutils)"
  done
  [ -f "$ROOTFS_KEYRING" ] || rootfs_die "$ROOTFS_KEYRING is missing (Debian package debian-archive-keyring)"
}

# debootstrap_first_stage ROOT SUITE VARIANT MIRROR [INCLUDE]: download and unpack, nothing
# configured yet. INCLUDE: comma-separated extra packages (installed by the second stage).
debootstrap_first_stage() {
  local root="$1" suite="$2" variant="$3" mirror="$4" include="${5:-}" script_args=() include_args=()
  # Debian 12's debootstrap knows trixie; an older one falls back to the sid script.
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || script_args=(/usr/share/debootstrap/scripts/sid)
  [ -z "$include" ] || include_args=(--include="$include")
  in_ns debootstrap --foreign --variant="$variant" --components=main --keyring="$ROOTFS_KEYRING" \
      "${include_args[@]+"${include_args[@]}"}" "$suite" "$root" "$mirror" "${script_args[@]+"${script_args[@]}"}" >>"$LOG" 2>&1 </dev/null \
    || { tail -n 30 "$LOG" >&2; rootfs_die "debootstrap (first stage) of $suite from $mirror failed (log: $LOG)"; }
}

# debootstrap_second_stage ROOT: install and configure inside the chroot.
debootstrap_second_stage() {
  in_ns chroot "$1" /debootstrap/debootstrap --second-stage >>"$LOG" 2>&1 </dev/null \
    || { tail -n 30 "$LOG" >&2; rootfs_die "debootstrap --second-stage failed (log: $LOG)"; }
}

# No service ever starts inside the chroot: invoke-rc.d asks policy-rc.d, and 101 means "action
# forbidden". Write it before any package is configured, and again after the second stage, which
# writes its own while it configures packages but deletes it when done.
write_policy_rc_d() {
  mkdir -p "$1/usr/sbin"
  printf '#!/bin/sh\n# Written by %s: no service starts in this root filesystem.\nexit 101\n' "$ROOTFS_TAG" >"$1/usr/sbin/policy-rc.d"
  chmod 0755 "$1/usr/sbin/policy-rc.d"
}
check_policy_rc_d() {
  local rc=0
  in_ns chroot "$1" /usr/sbin/policy-rc.d nginx start >/dev/null 2>&1 </dev/null || rc=$?
  [ "$rc" = 101 ] || rootfs_die "policy-rc.d in $1 answers $rc, not 101 (action forbidden)"
}

# dpkg leaves out documentation (copyright files stay).
write_nodoc() {
  mkdir -p "$1/etc/dpkg/dpkg.cfg.d"
  cat >"$1/etc/dpkg/dpkg.cfg.d/01-z3-infra-nodoc" <<EOF
# Written by $ROOTFS_TAG: this root filesystem needs no documentation.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
}

# release_epoch ROOT SUITE: the Date of the suite's Release file that the first stage fetched, as
# seconds since the epoch (0 when there is none); the default SOURCE_DATE_EPOCH.
release_epoch() {
  local release_file release_date
  release_file="$(find "$1/var/lib/apt/lists" -maxdepth 1 -name "*_dists_${2}_Release" -print -quit 2>/dev/null || true)"
  release_date="$( { [ -n "$release_file" ] && sed -n 's/^Date: //p' "$release_file"; } || true)"
  date -u -d "${release_date:-@0}" +%s
}

# minimize_rootfs ROOT: no package cache, lists, docs, logs or per-machine state.
minimize_rootfs() {
  local root="$1"
  in_ns chroot "$root" apt-get clean >>"$LOG" 2>&1 </dev/null || rootfs_die "apt-get clean in $root failed (log: $LOG)"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/ldconfig/aux-cache \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/usr/share/man/* "$root"/usr/share/info/*
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  find "$root/var/log" -type f -delete
  : >"$root/etc/machine-id"
}

# clamp_mtimes ROOT EPOCH: every file time at most EPOCH (cheap step towards identical trees).
clamp_mtimes() {
  find "$1" -xdev -newermt "@$2" -exec touch -h -d "@$2" {} + || rootfs_die "clamping the file times under $1 failed"
}
