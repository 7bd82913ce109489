#!/bin/sh
. /usr/local/lib/standin/common.sh
STATE=${ZEBRA_STATE__CACHE_DIR:-/home/zebra/.cache/zebra}
COOKIE_DIR=${ZEBRA_RPC__COOKIE_DIR:-/var/run/auth}
[ -n "${ZEBRA_NETWORK__NETWORK:-}" ] || die "ZEBRA_NETWORK__NETWORK is not set"
# As zebra's entrypoint: create and chown the state and cookie directories (CHOWN), then drop.
mkdir -p "$STATE" "$COOKIE_DIR" || die "cannot create $STATE or $COOKIE_DIR"
chown 10001:10001 "$STATE" "$COOKIE_DIR" || die "chown of $STATE and $COOKIE_DIR failed (needs CHOWN)"
drop_to zebra /usr/local/lib/standin/zebra/main.sh "$@"
