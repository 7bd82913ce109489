route() {
  case "$REQ_PATH" in
    /-/healthy|/-/ready) respond 200 text/plain "Prometheus Server is Healthy." ;;
    /metrics) respond 200 text/plain "prometheus_build_info{version=\"standin-$STANDIN_VERSION\"} 1" ;;
    /api/v1/targets)
      t=$(awk -F'|' '{ printf "%s{\"job\":\"%s\",\"scrapeUrl\":\"%s\",\"health\":\"%s\"}", (NR>1?",":""), $1, $2, ($3=="1"?"up":"down") }' "$STORAGE/standin-up" 2>/dev/null)
      respond 200 application/json "{\"status\":\"success\",\"data\":{\"activeTargets\":[$t]}}" ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
