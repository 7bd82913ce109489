#!/bin/sh
. /usr/local/lib/standin/common.sh
MMAP=/app/data/mmap
[ -d "$MMAP/consciousness/D14" ] || die "mmap layout not visible at $MMAP"
[ -r "$MMAP/consciousness/D01/standin-region.mmap" ] || die "jessy-core's region file is not readable"
EXPECTED_API_KEY=""
if [ -n "${API_KEY_FILE:-}" ]; then
  must_read "$API_KEY_FILE" "the API key"
  must_read "${JWT_SECRET_FILE:?JWT_SECRET_FILE must be set with API_KEY_FILE}" "the JWT secret"
  [ "$(wc -c <"$API_KEY_FILE")" -ge 32 ] || die "API key shorter than 32 bytes"
  EXPECTED_API_KEY=$(cat "$API_KEY_FILE")
fi
if [ "$STANDIN_STAGE" = development ]; then
  [ -d /app/api ] || die "no /app/api bind"
  must_read /app/.air.toml ".air.toml (bind)"
  must_write /go/pkg/mod "the Go module cache"
fi
export EXPECTED_API_KEY
serve "${PORT:-3000}" /usr/local/lib/standin/jessy-api/routes.sh
forever
