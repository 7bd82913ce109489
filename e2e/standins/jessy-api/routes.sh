route() {
  case "$REQ_PATH" in
    /api/health) respond 200 application/json "{\"status\":\"healthy\",\"service\":\"jessy-api\",\"version\":\"standin-$STANDIN_VERSION\"}" ;;
    /api/core)
      if out=$(timeout 5 /bin/wget -q -O- "$RUST_SERVICE_URL/health"); then respond 200 application/json "$out"
      else respond 502 text/plain "jessy-core unreachable at $RUST_SERVICE_URL"; fi ;;
    /api/v1/secure)
      if [ -z "$EXPECTED_API_KEY" ]; then respond 404 text/plain "no API key configured"
      elif [ "$API_KEY_HEADER" = "$EXPECTED_API_KEY" ]; then respond 200 application/json '{"authorized":true}'
      else respond 401 application/json '{"authorized":false}'; fi ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
