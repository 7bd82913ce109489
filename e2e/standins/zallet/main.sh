#!/bin/sh
. /usr/local/lib/standin/common.sh
DATADIR=""; CONFIG=""; CMD=""
while [ $# -gt 0 ]; do
  case "$1" in
    --datadir) DATADIR=$2; shift ;;
    --config) CONFIG=$2; shift ;;
    start) CMD=start ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done
[ "$CMD" = start ] || die "usage: zallet --datadir DIR --config FILE start"
must_read "$CONFIG" "zallet.toml"
# Zallet requires every section but [sync], even empty (serde: "missing field `database`"). In TOML
# a table is defined by its header or by the header of a table inside it ([builder.limits]).
for section in builder consensus database external features features.deprecated features.experimental indexer keystore note_management rpc; do
  grep -q "^\[$section[].]" "$CONFIG" || die "$CONFIG: missing field \`$section\` (Zallet requires the section, even empty)"
done
IDENTITY=$(toml_get "$CONFIG" encryption_identity)
must_read "$IDENTITY" "the age identity"
head -c 16 "$IDENTITY" | grep -q '^AGE-SECRET-KEY-1' || die "$IDENTITY is not an age identity"
must_write "$DATADIR" "the wallet directory"
echo "start $(date +%s) v$STANDIN_VERSION" >>"$DATADIR/standin-wallet"

VALIDATOR=$(toml_get "$CONFIG" validator_address)
COOKIE=$(toml_get "$CONFIG" validator_cookie_path)
credentials() {
  if [ -n "$COOKIE" ]; then
    [ -r "$COOKIE" ] || { log "cookie $COOKIE not readable yet ($(ls -ln "$COOKIE" 2>&1))"; return 1; }
    cat "$COOKIE"
  else
    printf '%s:%s' "$(toml_get "$CONFIG" validator_user)" "$(toml_get "$CONFIG" validator_password)"
  fi
}
reach_validator() {
  cred=$(credentials) || return 1
  out=$(rpc "http://$VALIDATOR" getblockchaininfo "$cred") || { log "validator $VALIDATOR: getblockchaininfo failed"; return 1; }
  log "validator $VALIDATOR answered: chain=$(json_str "$out" chain)"
}
retry 90 2 reach_validator || die "could not reach the validator at $VALIDATOR"

BIND=$(sed -n 's/^bind[[:space:]]*=[[:space:]]*\[[[:space:]]*"\([^"]*\)".*/\1/p' "$CONFIG" | head -n 1)
[ -n "$BIND" ] || die "no rpc.bind in $CONFIG"
# [[rpc.auth]] user, if any: Basic auth with that user is required (the pwhash is not checked).
RPC_USER=$(toml_get "$CONFIG" user)
export RPC_USER
serve "$(port_of "$BIND")" /usr/local/lib/standin/zallet/rpc-routes.sh
forever
