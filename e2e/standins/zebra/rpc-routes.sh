# JSON-RPC: getblockchaininfo, getinfo; with cookie auth on, Basic __cookie__:<secret> is required.
route() {
  [ "$METHOD" = POST ] || { respond 405 text/plain "JSON-RPC needs POST"; return; }
  if [ -n "$RPC_EXPECTED_AUTH" ] && [ "$AUTH" != "Basic $RPC_EXPECTED_AUTH" ]; then
    respond 401 text/plain "bad or missing cookie credentials"
    return
  fi
  m=$(json_str "$BODY" method)
  case "$m" in
    getblockchaininfo)
      respond 200 application/json "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"chain\":\"$CHAIN\",\"blocks\":$BLOCKS,\"standin\":\"zebra v$STANDIN_VERSION\"}}" ;;
    getinfo)
      respond 200 application/json "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"build\":\"standin-v$STANDIN_VERSION\",\"subversion\":\"/Zebra:standin/\"}}" ;;
    *)
      respond 200 application/json "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"Method not found: $m\"}}" ;;
  esac
}
