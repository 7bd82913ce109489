route() {
  case "$REQ_PATH" in
    /api/health) respond 200 application/json "{\"database\":\"ok\",\"version\":\"standin-$STANDIN_VERSION\"}" ;;
    /metrics) respond 200 text/plain "grafana_build_info{version=\"standin-$STANDIN_VERSION\"} 1" ;;
    /api/user)
      if [ "$AUTH" = "$EXPECTED_ADMIN_AUTH" ]; then respond 200 application/json '{"login":"admin","isGrafanaAdmin":true}'
      else respond 401 application/json '{"message":"invalid username or password"}'; fi ;;
    /api/datasources/proxy/prometheus/-/healthy)
      if out=$(timeout 5 /bin/wget -q -O- "$DATASOURCE_URL/-/healthy"); then respond 200 text/plain "$out"; else respond 502 text/plain "datasource unreachable"; fi ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
