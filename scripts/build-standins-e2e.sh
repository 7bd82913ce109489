#!/usr/bin/env bash
# Builds the e2e stand-in images from e2e/standins/ (FROM scratch + Debian's static busybox + shell
# scripts), locally, pulling nothing: z3-e2e/base:local, then every z3-e2e/<name>:1 and :2 (the two
# tags differ only in STANDIN_VERSION, so they have different image ids: the "change an image" fault).
# scripts/build-real-images.sh builds the real programs and the zfs-sync stand-in with psql.
#
# Usage: scripts/build-standins-e2e.sh [NAME...]     (default: every directory with a Dockerfile)
# Environment: BUSYBOX (default /bin/busybox, from Debian's busybox-static); ZEBRA_STANDIN_RELEASES
# (zebrad versions, space-separated): the Zebra stand-in is also built as z3-e2e/zebra:<version> for
# each, reporting it in zebrad_build_info (the suite passes the releases it deploys).
# Idempotent: the legacy builder's layer cache makes an unchanged rebuild take a second or two and
# yield the same image ids.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=e2e/standins
BUSYBOX="${BUSYBOX:-/bin/busybox}"
[ -x "$BUSYBOX" ] || { echo "build-standins: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }
file "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || [ ! -x /usr/bin/file ] \
  || { echo "build-standins: $BUSYBOX is not statically linked" >&2; exit 1; }

ctx="$(mktemp -d "${TMPDIR:-/tmp}/z3-e2e-standins.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
cp -a "$SRC/." "$ctx/"
cp "$BUSYBOX" "$ctx/busybox"

build() {  # build TAG DOCKERFILE [BUILD-ARGS...]
  local tag="$1" dockerfile="$2"; shift 2
  local t0=$SECONDS
  if ! DOCKER_BUILDKIT=0 docker build --pull=false -q -f "$ctx/$dockerfile" -t "$tag" "$@" "$ctx" >"$ctx/.build.log" 2>&1; then
    cat "$ctx/.build.log" >&2
    echo "build-standins: building $tag failed" >&2
    exit 1
  fi
  printf '  %-32s %s (%ss)\n' "$tag" "$(docker image inspect -f '{{.Id}}' "$tag" | cut -c8-19)" "$((SECONDS - t0))"
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for d in "$SRC"/*/; do
    d="${d%/}"; d="${d##*/}"
    [ "$d" = base ] && continue
    [ -f "$SRC/$d/Dockerfile" ] && names+=("$d")
  done
fi

echo "stand-in images (busybox: $("$BUSYBOX" 2>&1 | head -n 1 | cut -d' ' -f1-3)):"
build z3-e2e/base:local base/Dockerfile
for name in "${names[@]}"; do
  [ -f "$SRC/$name/Dockerfile" ] || { echo "build-standins: no $SRC/$name/Dockerfile" >&2; exit 2; }
  for version in 1 2; do
    build "z3-e2e/$name:$version" "$name/Dockerfile" --build-arg "STANDIN_VERSION=$version"
  done
  if [ "$name" = zebra ]; then
    for release in ${ZEBRA_STANDIN_RELEASES:-}; do
      build "z3-e2e/zebra:$release" zebra/Dockerfile --build-arg "STANDIN_VERSION=$release" --build-arg "ZEBRA_VERSION=$release"
    done
  fi
done
