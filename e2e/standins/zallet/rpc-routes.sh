route() {
  [ "$METHOD" = POST ] || { respond 405 text/plain "JSON-RPC needs POST"; return; }
  if [ -n "$RPC_USER" ]; then
    user=$(printf '%s' "${AUTH#Basic }" | base64 -d 2>/dev/null | cut -d: -f1)
    [ "$user" = "$RPC_USER" ] || { respond 401 text/plain "unauthorized"; return; }
  fi
  respond 200 application/json "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"wallet\":\"zallet stand-in v$STANDIN_VERSION\"}}"
}
