. /usr/local/lib/standin/zfs-sync/db.sh
route() {
  case "$REQ_PATH" in
    # The "broken" build answers 503 here, so its health check fails (the suite's failed-update fault).
    /api/v1/health) [ "$STANDIN_VERSION" = broken ] && { respond 503 application/json '{"status":"broken build"}'; return; }
      respond 200 application/json "{\"status\":\"healthy\",\"version\":\"standin-$STANDIN_VERSION\"}" ;;
    /api/v1/health/ready)
      if db_query SELECT1 >/dev/null; then respond 200 application/json "{\"status\":\"ready\",\"database\":\"$DB_KIND\"}"
      else respond 503 application/json '{"status":"not ready","database":"unreachable"}'; fi ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
