route() {
  case "$REQ_PATH" in
    /-/healthy|/-/ready) respond 200 text/plain "OK" ;;
    /metrics) respond 200 text/plain "alertmanager_build_info{version=\"standin-$STANDIN_VERSION\"} 1" ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
