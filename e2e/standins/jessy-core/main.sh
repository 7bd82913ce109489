#!/bin/sh
. /usr/local/lib/standin/common.sh
MMAP=${MMAP_BASE_PATH:-/app/data/mmap}
for d in consciousness/D01 consciousness/D02 consciousness/D03 consciousness/D04 consciousness/D05 consciousness/D06 \
         consciousness/D07 consciousness/D08 consciousness/D09 consciousness/D10 consciousness/D11 consciousness/D12 \
         consciousness/D13 consciousness/D14 proto temp; do
  [ -d "$MMAP/$d" ] || die "mmap layout missing $MMAP/$d (the init container did not run)"
done
[ "$(stat -c %u "$MMAP/consciousness")" = 1000 ] || die "$MMAP/consciousness is not owned by UID 1000"
if [ "$STANDIN_STAGE" = development ]; then
  # Hot reload: source binds (read-only) and the cargo caches (volumes).
  [ -d /app/src ] || die "no /app/src bind"
  must_read /app/Cargo.toml "Cargo.toml (bind)"
  must_write /usr/local/cargo/registry "the cargo registry cache"
  must_write /app/target "the target cache"
  echo "build $(date +%s)" >>/app/target/standin-builds
fi
must_write "$MMAP/consciousness/D01" "the mmap volume"
region="$MMAP/consciousness/D01/standin-region.mmap"
[ -f "$region" ] || dd if=/dev/zero of="$region" bs=4096 count=16 2>/dev/null || die "cannot create $region"
echo "start $(date +%s) v$STANDIN_VERSION" >>"$MMAP/temp/standin-core-starts"
serve 8080 /usr/local/lib/standin/jessy-core/routes.sh
forever
