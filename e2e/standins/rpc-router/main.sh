#!/bin/sh
. /usr/local/lib/standin/common.sh
for v in ZEBRA_URL ZALLET_URL RPC_USER RPC_PASSWORD LISTEN_PORT; do
  eval "[ -n \"\${$v:-}\" ]" || die "$v is not set"
done
serve "$LISTEN_PORT" /usr/local/lib/standin/rpc-router/routes.sh
forever
