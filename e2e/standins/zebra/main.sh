#!/bin/sh
. /usr/local/lib/standin/common.sh
[ "$(id -u)" = 10001 ] || die "expected to run as UID 10001 after the drop"
STATE=${ZEBRA_STATE__CACHE_DIR:-/home/zebra/.cache/zebra}
COOKIE_DIR=${ZEBRA_RPC__COOKIE_DIR:-/var/run/auth}
case "$ZEBRA_NETWORK__NETWORK" in
  Mainnet) CHAIN=main ;;
  Testnet) CHAIN=test ;;
  Regtest) CHAIN=regtest ;;
  *) die "unknown ZEBRA_NETWORK__NETWORK '$ZEBRA_NETWORK__NETWORK'" ;;
esac
if [ "$CHAIN" = regtest ]; then
  # Regtest needs the activation heights from the uploaded zebrad.toml (mode 0444, root-owned).
  must_read /home/zebra/.config/zebrad.toml "zebrad.toml"
  grep -q 'NU5' /home/zebra/.config/zebrad.toml || die "zebrad.toml has no activation heights"
  [ -n "${ZEBRA_MINING__MINER_ADDRESS:-}" ] || die "Regtest needs ZEBRA_MINING__MINER_ADDRESS"
fi
[ -n "${ZEBRA_TRACING__FILTER:-}" ] || die "ZEBRA_TRACING__FILTER is empty (zebrad reads its log filter from its configuration, not RUST_LOG)"
must_write "$STATE" "the chain state"
# "Blocks": one per start, persisted in the chain volume.
echo "start $(date +%s) v$STANDIN_VERSION" >>"$STATE/standin-starts"
BLOCKS=$(wc -l <"$STATE/standin-starts")
export STATE CHAIN BLOCKS

RPC_EXPECTED_AUTH=""
if [ "${ZEBRA_RPC__ENABLE_COOKIE_AUTH:-true}" = true ]; then
  must_write "$COOKIE_DIR" "the RPC cookie"
  secret=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)
  # As zebra: a fresh cookie on every start, readable by its owner only (0600).
  (umask 077 && printf '__cookie__:%s' "$secret" >"$COOKIE_DIR/.cookie.tmp" && mv "$COOKIE_DIR/.cookie.tmp" "$COOKIE_DIR/.cookie") \
    || die "cannot write $COOKIE_DIR/.cookie"
  RPC_EXPECTED_AUTH=$(b64 "__cookie__:$secret")
  log "cookie auth on: wrote $COOKIE_DIR/.cookie ($(stat -c '%a %u:%g' "$COOKIE_DIR/.cookie"))"
else
  log "cookie auth off"
fi
export RPC_EXPECTED_AUTH

serve "$(port_of "${ZEBRA_RPC__LISTEN_ADDR:?}")" /usr/local/lib/standin/zebra/rpc-routes.sh
serve "$(port_of "${ZEBRA_HEALTH__LISTEN_ADDR:?}")" /usr/local/lib/standin/zebra/health-routes.sh
serve "$(port_of "${ZEBRA_METRICS__ENDPOINT_ADDR:?}")" /usr/local/lib/standin/zebra/metrics-routes.sh
# P2P: Zebra's default listen port per network (no peer protocol: connections are accepted and closed).
case "$CHAIN" in main) p2p=8233 ;; *) p2p=18233 ;; esac
serve_lines "$(port_of "${ZEBRA_NETWORK__LISTEN_ADDR:-0.0.0.0:$p2p}")" /bin/true
forever
