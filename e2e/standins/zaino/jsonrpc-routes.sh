route() {
  [ "$METHOD" = POST ] || { respond 405 text/plain "JSON-RPC needs POST"; return; }
  respond 200 application/json "$(cat /app/config/validator-info.json)"
}
