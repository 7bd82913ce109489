#!/usr/bin/env bash
# Real programs for the e2e suite: Docker images built on this machine from Debian packages, each
# honouring what the stacks rely on from the official image it replaces. Nothing is pulled from an
# image registry; the packages come from the Debian mirror in the host's apt sources.
#
#   z3-e2e/real-postgres:1,:2      postgres:15-alpine        Debian 12 postgresql-15
#   z3-e2e/real-nginx:1,:2         nginx-unprivileged        Debian 13 nginx + curl
#   z3-e2e/real-prometheus:1,:2    prom/prometheus           Debian 13 prometheus (+ busybox wget)
#   z3-e2e/real-alertmanager:1,:2  prom/alertmanager         Debian 13 prometheus-alertmanager (+ busybox wget)
#   z3-e2e/zfs-sync-psql:1,:2,:broken  the zfs-sync stand-in with psql, for a real PostgreSQL
#   z3-e2e/real-backup:1,:2        the backup runner (e2e/real-images/backup): Debian 12 pg_dump 15,
#                                  openssh-client, busybox, and restic 0.18 from Debian 13
#
# The names differ from the stand-ins' (z3-e2e/postgres, z3-e2e/nginx, ... from
# scripts/build-standins-e2e.sh), so both sets live side by side on one engine and the suite picks
# one per image variable (STANDIN_FOR_IMAGE_VARIABLE in test/e2e/harness/stacks.ts).
# `:2` differs from `:1` only by the label org.z3-e2e.version (another image id: the suite's
# "changed image" fault). Labels as the stand-ins' (org.z3-e2e.standin, org.z3-e2e.version) plus
# org.z3-e2e.real=true and org.z3-e2e.packages (the Debian versions inside).
#
# How: one debootstrap (--variant=minbase) per base below into $INFRA_CACHE_DIR/rootfs/, with the
# image users created before any package is installed, then apt-get install in the chroot; the tree
# is cleaned (no docs, man pages, locales, apt lists, logs), its file times clamped to
# SOURCE_DATE_EPOCH, and `docker import`ed as z3-e2e/debian-<suite>-<base>-base:<key>. Each image is
# a small Dockerfile on that base (e2e/real-images/<name>/, DOCKER_BUILDKIT=0, --pull=false).
#   postgres          bookworm  busybox openssh-client postgresql-15            user postgres 70:70
#   proxy-monitoring  trixie    busybox curl nginx prometheus prometheus-alertmanager restic   user nginx 101:101
# <key> hashes the suite, the packages, the users and the recipe: a base is built again only when
# one of them changes (or with --rebuild); an existing base image is reused without root.
#
# Usage: scripts/build-real-images.sh [--rebuild] [NAME...]
#   NAME: postgres nginx prometheus alertmanager zfs-sync-psql backup (default: all)
#   --rebuild   build the bases' root filesystems and images again
# Environment:
#   INFRA_CACHE_DIR    cache root (default: $HOME/.cache/z3-infra)
#   REAL_IMAGES_MIRROR Debian mirror URL (default: read from the host's apt sources)
#   SOURCE_DATE_EPOCH  clamp for file times (default: the Date of the suite's Release file)
#   BUSYBOX            static busybox for zfs-sync-psql (default /bin/busybox, busybox-static)
# Needs root (debootstrap, chroot) only when a base is built; Docker Engine running.
# Exit codes: 0 ok, 1 a step failed (the message says which), 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
ROOTFS_CACHE="$CACHE/rootfs"
LOG_DIR="$CACHE/logs"
LOG="$LOG_DIR/build-real-images.log"
# shellcheck disable=SC2034  # message prefix of scripts/lib/debian-rootfs.sh
ROOTFS_TAG=build-real-images
# shellcheck source=lib/debian-rootfs.sh
. scripts/lib/debian-rootfs.sh
log() { rootfs_log "$@"; }
die() { rootfs_die "$@"; }

readonly VARIANT=minbase
# Bump when the way a base is made changes (not its package list or users).
readonly RECIPE=1
readonly ALL_IMAGES=(postgres nginx prometheus alertmanager zfs-sync-psql backup)

# ------------------------------------------------------------------- bases --
# base_spec BASE: sets SUITE, PACKAGES (installed), FIRST (installed before, then first_hook),
# USERS ("name uid gid home shell" lines, created before any package) and VERSIONED (reported).
base_spec() {
  case "$1" in
    postgres)
      SUITE=bookworm
      FIRST=(postgresql-common)
      PACKAGES=(busybox openssh-client postgresql-15)
      USERS=("postgres 70 70 /var/lib/postgresql /bin/bash")
      VERSIONED=(postgresql-15 postgresql-client-15 libpq5 postgresql-common util-linux openssh-client busybox)
      ;;
    proxy-monitoring)
      SUITE=trixie
      FIRST=()
      PACKAGES=(busybox curl nginx prometheus prometheus-alertmanager restic)
      USERS=("nginx 101 101 /nonexistent /usr/sbin/nologin")
      VERSIONED=(nginx curl prometheus prometheus-alertmanager busybox restic)
      ;;
    *) die "unknown base $1" ;;
  esac
}
# Runs in the chroot between FIRST and PACKAGES (its text is part of the key).
first_hook() {
  case "$1" in
    # As the official image: no cluster from the package (the entrypoint runs initdb at first start).
    postgres) in_chroot "$2" sed -ri 's/^#?[[:space:]]*(create_main_cluster)[[:space:]]*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
                && grep -q '^create_main_cluster = false' "$2/etc/postgresql-common/createcluster.conf" ;;
    *) : ;;
  esac
}
image_base() {  # image_base NAME: the base an image is built on
  case "$1" in
    postgres|zfs-sync-psql|backup) echo postgres ;;
    nginx|prometheus|alertmanager) echo proxy-monitoring ;;
    *) die "unknown image $1" ;;
  esac
}

# base_key BASE: the cache key of a base (after base_spec).
base_key() {
  local extra
  extra="first=$(sorted_csv "${FIRST[@]+"${FIRST[@]}"}");users=$(printf '%s;' "${USERS[@]}");hook=$(declare -f first_hook | sha256sum | cut -c1-12)"
  rootfs_key "$SUITE" "$VARIANT" "$(sorted_csv "${PACKAGES[@]}")" "$RECIPE" "$extra"
}

# build_rootfs BASE DIR: the cleaned root filesystem in DIR/rootfs, DIR/VERSIONS, DIR/BUILD-INFO, DIR/.complete.
build_rootfs() {
  local base="$1" dir="$2" start partial root mirror u name uid gid home shell
  start="$(now_us)"
  [ "$(id -u)" = 0 ] || die "building the $base base needs root (debootstrap and chroot); try: sudo bash $0"
  rootfs_require_tools
  mirror="$(find_mirror "$SUITE" "${REAL_IMAGES_MIRROR:-}")"
  use_apt_proxy
  partial="$dir.partial"
  root="$partial/rootfs"
  remove_tree "$partial"
  remove_tree "$dir"
  trap 'remove_tree "'"$partial"'"' EXIT
  mkdir -p "$root"
  log "building the $base base: $SUITE ($VARIANT, then ${FIRST[*]+${FIRST[*]} }${PACKAGES[*]}) from $mirror into $dir (log: $LOG)"
  printf '\n==== %s build %s from %s\n' "$(date -u +%FT%TZ)" "$dir" "$mirror" >>"$LOG"

  debootstrap_first_stage "$root" "$SUITE" "$VARIANT" "$mirror"
  write_policy_rc_d "$root"
  write_nodoc "$root"
  local sde="${SOURCE_DATE_EPOCH:-}"
  [ -n "$sde" ] || sde="$(release_epoch "$root" "$SUITE")"
  export SOURCE_DATE_EPOCH="$sde"
  debootstrap_second_stage "$root"
  write_policy_rc_d "$root"
  check_policy_rc_d "$root"

  # The images' users first, with the official images' ids (packages that create them reuse them).
  for u in "${USERS[@]}"; do
    read -r name uid gid home shell <<<"$u"
    if ! { in_chroot "$root" groupadd --system --gid "$gid" "$name" \
           && in_chroot "$root" useradd --system --uid "$uid" --gid "$gid" --home-dir "$home" --no-create-home --shell "$shell" "$name"; } >>"$LOG" 2>&1; then
      die "creating user $name ($uid:$gid) in the $base base failed (log: $LOG)"
    fi
  done

  local apt=(apt-get -o APT::Sandbox::User=root -o DPkg::Options::=--force-confold -y)
  in_chroot "$root" "${apt[@]}" update >>"$LOG" 2>&1 </dev/null || { tail -n 20 "$LOG" >&2; die "apt-get update in the $base base failed (log: $LOG)"; }
  if [ ${#FIRST[@]} -gt 0 ]; then
    in_chroot "$root" "${apt[@]}" install --no-install-recommends "${FIRST[@]}" >>"$LOG" 2>&1 </dev/null \
      || { tail -n 20 "$LOG" >&2; die "apt-get install ${FIRST[*]} in the $base base failed (log: $LOG)"; }
  fi
  first_hook "$base" "$root" || die "preparing the $base base after ${FIRST[*]} failed (log: $LOG)"
  in_chroot "$root" "${apt[@]}" install --no-install-recommends "${PACKAGES[@]}" >>"$LOG" 2>&1 </dev/null \
    || { tail -n 20 "$LOG" >&2; die "apt-get install ${PACKAGES[*]} in the $base base failed (log: $LOG)"; }
  for u in "${USERS[@]}"; do
    read -r name uid gid home shell <<<"$u"
    [ "$(in_chroot "$root" id -u "$name"):$(in_chroot "$root" id -g "$name")" = "$uid:$gid" ] \
      || die "user $name is not $uid:$gid after the package installation"
  done
  # shellcheck disable=SC2016  # ${Package} is dpkg-query's format
  in_chroot "$root" dpkg-query -W -f='${Package}=${Version}\n' "${VERSIONED[@]}" >"$partial/VERSIONS" 2>>"$LOG" \
    || die "dpkg-query found no version for one of ${VERSIONED[*]} (log: $LOG)"

  # Small and the same on every build: besides minimize_rootfs, no translations (base packages
  # unpacked before the nodoc rule), no per-build key (ssl-cert's snakeoil pair), no host files
  # (Docker mounts its own resolv.conf, hostname and hosts), nothing under /dev or /run.
  minimize_rootfs "$root"
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -f "$root"/etc/ssl/private/ssl-cert-snakeoil.key "$root"/etc/ssl/certs/ssl-cert-snakeoil.pem
  find "$root/etc/ssl/certs" -xtype l -delete 2>/dev/null || true
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
  [ -z "$(mounts_under "$root")" ] || die "something is still mounted under $root: $(mounts_under "$root")"
  find "$root/dev" "$root/run" -mindepth 1 -maxdepth 1 ! -name postgresql -exec rm -rf {} +
  clamp_mtimes "$root" "$SOURCE_DATE_EPOCH"

  {
    printf 'base: %s\nsuite: %s\nvariant: %s\nfirst: %s\npackages: %s\nusers: %s\nrecipe: %s\n' \
      "$base" "$SUITE" "$VARIANT" "${FIRST[*]+${FIRST[*]}}" "${PACKAGES[*]}" "$(printf '%s; ' "${USERS[@]}")" "$RECIPE"
    printf 'mirror: %s\nSOURCE_DATE_EPOCH: %s\nbuild seconds: %s\nsize: %s\n' \
      "$mirror" "$SOURCE_DATE_EPOCH" "$(fmt_secs $(( $(now_us) - start )))" "$(du -sh "$root" | cut -f1)"
  } >"$partial/BUILD-INFO"
  mv -T "$partial" "$dir"
  trap - EXIT
  touch "$dir/.complete"
}

# ensure_base BASE: BASE_TAG_OF[BASE] (the imported image), BASE_SECS_OF[BASE] (seconds it took in
# this run, 0.0 when reused) and BASE_PACKAGES_OF[BASE]; builds the root filesystem and imports it
# when needed.
declare -A BASE_TAG_OF=() BASE_SECS_OF=() BASE_PACKAGES_OF=()
ensure_base() {
  local base="$1" key dir tag start
  [ -z "${BASE_TAG_OF[$base]:-}" ] || return 0
  start="$(now_us)"
  base_spec "$base"
  key="$(base_key)"
  dir="$ROOTFS_CACHE/$SUITE-image-$base-$key"
  tag="z3-e2e/debian-$SUITE-$base-base:$key"
  if [ "$REBUILD" = 1 ] || ! docker image inspect "$tag" >/dev/null 2>&1; then
    if [ "$REBUILD" = 1 ] || [ ! -f "$dir/.complete" ]; then
      mkdir -p "$ROOTFS_CACHE" "$LOG_DIR"
      # One rootfs build at a time (shared with bootstrap-programs.sh); a waiting run reuses the result.
      exec 9>"$ROOTFS_CACHE/.lock"
      flock -n 9 || { log "another build holds $ROOTFS_CACHE/.lock; waiting (max 30 min)"; flock -w 1800 9 || die "timed out waiting for $ROOTFS_CACHE/.lock"; }
      if [ "$REBUILD" = 1 ] || [ ! -f "$dir/.complete" ]; then build_rootfs "$base" "$dir"; fi
      exec 9>&-
    fi
    log "importing $dir/rootfs as $tag"
    # A deterministic tar (sorted names, numeric owners): the same tree gives the same layer digest.
    tar --numeric-owner --sort=name --format=gnu -C "$dir/rootfs" -cf - . \
      | docker import --change "LABEL org.z3-e2e.rootfs-key=$key" --change "LABEL org.z3-e2e.packages=\"$(paste -sd' ' "$dir/VERSIONS")\"" \
          - "$tag" >>"$LOG" 2>&1 \
      || die "docker import of $dir/rootfs failed (log: $LOG)"
  fi
  BASE_TAG_OF[$base]="$tag"
  BASE_SECS_OF[$base]="$(fmt_secs $(( $(now_us) - start )))"
  BASE_PACKAGES_OF[$base]="$(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.packages"}}' "$tag")"
}

# ------------------------------------------------------------------ images --
# docker_build TAG CONTEXT DOCKERFILE [BUILD-ARGS...]
docker_build() {
  local tag="$1" context="$2" dockerfile="$3"; shift 3
  if ! DOCKER_BUILDKIT=0 docker build --pull=false -q -f "$dockerfile" -t "$tag" "$@" "$context" >"$LOG_DIR/.docker-build.out" 2>&1; then
    cat "$LOG_DIR/.docker-build.out" >&2
    die "building $tag failed"
  fi
  cat "$LOG_DIR/.docker-build.out" >>"$LOG"
}

# packages_of BASE NAME...: "name=version ..." of the named packages in the base.
packages_of() {
  local base="$1" p out=()
  shift
  for p in "$@"; do out+=("$(tr ' ' '\n' <<<"${BASE_PACKAGES_OF[$base]}" | grep "^$p=" || true)"); done
  echo "${out[*]}"
}

declare -A IMAGE_SECS=()
build_image() {
  local name="$1" base start versions tags=() v ctx
  base="$(image_base "$name")"
  ensure_base "$base"
  start="$(now_us)"
  case "$name" in
    postgres) versions="$(packages_of "$base" postgresql-15 postgresql-client-15 util-linux)" ;;
    nginx) versions="$(packages_of "$base" nginx curl)" ;;
    prometheus) versions="$(packages_of "$base" prometheus busybox)" ;;
    alertmanager) versions="$(packages_of "$base" prometheus-alertmanager busybox)" ;;
    zfs-sync-psql) versions="$(packages_of "$base" postgresql-client-15 libpq5)" ;;
    backup)
      ensure_base proxy-monitoring
      versions="$(packages_of "$base" postgresql-client-15 openssh-client busybox) $(packages_of proxy-monitoring restic)" ;;
  esac
  if [ "$name" = zfs-sync-psql ]; then
    # The zfs-sync stand-in's own sources and helpers (as scripts/build-standins-e2e.sh builds them)
    # with psql bundled from the postgres base.
    local busybox="${BUSYBOX:-/bin/busybox}"
    [ -x "$busybox" ] || die "$busybox missing (apt-get install busybox-static)"
    ctx="$(mktemp -d "${TMPDIR:-/tmp}/z3-real-images.XXXXXX")"
    trap 'rm -rf "'"$ctx"'"' EXIT
    cp -a e2e/standins/. "$ctx/"
    cp "$busybox" "$ctx/busybox"
    docker_build z3-e2e/base:local "$ctx" "$ctx/base/Dockerfile"
    for v in 1 2 broken; do
      docker_build "z3-e2e/zfs-sync-psql:$v" "$ctx" "$ctx/zfs-sync/Dockerfile.psql" \
        --build-arg "PSQL_BASE=${BASE_TAG_OF[$base]}" --build-arg "STANDIN_VERSION=$v"
      tags+=("z3-e2e/zfs-sync-psql:$v")
    done
    rm -rf "$ctx"
    trap - EXIT
  else
    local extra=()
    # restic 0.18 (--stdin-from-command, restore --delete) comes from Debian 13's package.
    [ "$name" != backup ] || extra=(--build-arg "RESTIC_BASE=${BASE_TAG_OF[proxy-monitoring]}")
    for v in 1 2; do
      docker_build "z3-e2e/real-$name:$v" "e2e/real-images/$name" "e2e/real-images/$name/Dockerfile" \
        --build-arg "BASE=${BASE_TAG_OF[$base]}" --build-arg "VERSION=$v" --build-arg "PACKAGES=$versions" "${extra[@]}"
      tags+=("z3-e2e/real-$name:$v")
    done
  fi
  IMAGE_SECS[$name]="$(fmt_secs $(( $(now_us) - start )))"
  for v in "${tags[@]}"; do
    printf '  %-34s %s  %4d MB  (%s)\n' "$v" "$(docker image inspect -f '{{.Id}}' "$v" | cut -c8-19)" \
      "$(( $(docker image inspect -f '{{.Size}}' "$v") / 1000000 ))" "$versions"
  done
}

# -------------------------------------------------------------------- main --
REBUILD=0
NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild) REBUILD=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-real-images: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) NAMES+=("$1") ;;
  esac
  shift
done
[ ${#NAMES[@]} -gt 0 ] || NAMES=("${ALL_IMAGES[@]}")
for n in "${NAMES[@]}"; do
  [[ " ${ALL_IMAGES[*]} " == *" $n "* ]] || { echo "build-real-images: unknown image $n (one of: ${ALL_IMAGES[*]})" >&2; exit 2; }
done
if [[ " ${NAMES[*]} " == *" zfs-sync-psql "* ]] && [ ! -x "${BUSYBOX:-/bin/busybox}" ]; then
  echo "build-real-images: ${BUSYBOX:-/bin/busybox} missing, needed for zfs-sync-psql (apt-get install busybox-static, or set BUSYBOX)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
docker info >/dev/null 2>&1 || die "no Docker Engine answers (start it: bash scripts/bootstrap-engine.sh --skip-provider)"
mkdir -p "$LOG_DIR"

START="$(now_us)"
echo "real-program images:"
for n in "${NAMES[@]}"; do build_image "$n"; done
# Images of this script that a rebuild left without a tag go, unless a container still uses them
# (docker image rm refuses those); nothing else is touched.
# The psql stage of zfs-sync-psql on the current base stays: it is that build's cache.
keep=" ${BASE_TAG_OF[*]} "
superseded="$(for l in org.z3-e2e.rootfs-key org.z3-e2e.client=psql; do docker images -q --no-trunc -f dangling=true -f "label=$l"; done | sort -u \
  | while read -r id; do
      read -r stage key <<<"$(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.stage"}} {{index .Config.Labels "org.z3-e2e.rootfs-key"}}' "$id")"
      [ "$stage" = psql-bundle ] && [[ "$keep" == *":$key "* ]] || echo "$id"
    done)"
if [ -n "$superseded" ]; then
  # shellcheck disable=SC2086  # one id per word
  removed="$(docker image rm $superseded 2>/dev/null | grep -c '^Deleted:' || true)"
  echo "superseded untagged images of this script removed: $(wc -w <<<"$superseded") found, ${removed:-0} layers deleted"
fi
echo "bases:"
for b in "${!BASE_TAG_OF[@]}"; do
  printf '  %-44s %4d MB  %ss here (%s)\n' "${BASE_TAG_OF[$b]}" "$(( $(docker image inspect -f '{{.Size}}' "${BASE_TAG_OF[$b]}") / 1000000 ))" \
    "${BASE_SECS_OF[$b]}" "$(docker image inspect -f '{{index .RootFS.Layers 0}}' "${BASE_TAG_OF[$b]}" | cut -c1-19)"
done
echo "image builds on their bases:"
for n in "${NAMES[@]}"; do printf '  %-14s %ss\n' "$n" "${IMAGE_SECS[$n]}"; done
echo "total: $(fmt_secs $(( $(now_us) - START )))s"
