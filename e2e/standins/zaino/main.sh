#!/bin/sh
. /usr/local/lib/standin/common.sh
[ "$(id -u)" = 1000 ] || die "expected to run as UID 1000 after the drop"
[ "${1:-}" = start ] || die "usage: zainod start --config FILE (got: $*)"
CONFIG=""
[ "${2:-}" = "--config" ] && CONFIG=${3:-}
[ -n "$CONFIG" ] || die "no --config given"
must_read "$CONFIG" "the zindexer TOML"
[ "${ZAINO_STORAGE__DATABASE__PATH:-}" = /app/data ] || die "ZAINO_STORAGE__DATABASE__PATH must be the data volume /app/data (zainod 0.10.2 defaults to \$XDG_CACHE_HOME/zaino)"
[ -z "${ZAINO_JSON_SERVER_SETTINGS__JSON_RPC_LISTEN_ADDRESS:-}" ] || die "zainod 0.10.2 refuses a JSON-RPC bind on a public address without allow_unencrypted_public_json_rpc_bind"
must_write /app/data "the indexer database"
must_write /app/config "the config directory (tmpfs chowned by the entrypoint)"
echo "start $(date +%s) v$STANDIN_VERSION" >>/app/data/standin-zaino-starts

VALIDATOR=${ZAINO_VALIDATOR_SETTINGS__VALIDATOR_JSONRPC_LISTEN_ADDRESS:?}
COOKIE=${ZAINO_VALIDATOR_SETTINGS__VALIDATOR_COOKIE_PATH:-}
credentials() {
  if [ -n "$COOKIE" ]; then
    # Re-read on every attempt: Zebra writes a new cookie on each start.
    [ -r "$COOKIE" ] || { log "cookie $COOKIE not readable yet ($(ls -ln "$COOKIE" 2>&1))"; return 1; }
    cat "$COOKIE"
  else
    user=$(toml_get "$CONFIG" validator_user)
    pass=$(toml_get "$CONFIG" validator_password)
    [ -n "$user" ] && [ -n "$pass" ] || die "Regtest: validator_user / validator_password missing from $CONFIG"
    printf '%s:%s' "$user" "$pass"
  fi
}
reach_validator() {
  cred=$(credentials) || return 1
  out=$(rpc "http://$VALIDATOR" getblockchaininfo "$cred") || { log "validator $VALIDATOR: getblockchaininfo failed"; return 1; }
  chain=$(json_str "$out" chain)
  [ -n "$chain" ] || { log "validator answered without a chain: $out"; return 1; }
  log "validator $VALIDATOR answered: chain=$chain"
  printf '%s' "$out" >/app/config/validator-info.json
}
retry 90 2 reach_validator || die "could not reach the validator at $VALIDATOR"

export CONFIG
serve "$(port_of "${ZAINO_GRPC_SETTINGS__LISTEN_ADDRESS:-0.0.0.0:8137}")" /usr/local/lib/standin/zaino/grpc-routes.sh
forever
