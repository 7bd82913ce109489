route() {
  [ "$METHOD" = POST ] || { respond 405 text/plain "JSON-RPC needs POST"; return; }
  m=$(json_str "$BODY" method)
  case "$m" in z_*|*wallet*) upstream=$ZALLET_URL ;; *) upstream=$ZEBRA_URL ;; esac
  if out=$(timeout 10 /bin/wget -q -O- --header "Content-Type: application/json" \
      --header "Authorization: Basic $(b64 "$RPC_USER:$RPC_PASSWORD")" --post-data "$BODY" "$upstream"); then
    respond 200 application/json "$out"
  else
    respond 502 text/plain "upstream $upstream failed"
  fi
}
