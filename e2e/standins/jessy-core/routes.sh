route() {
  case "$REQ_PATH" in
    /health) respond 200 application/json "{\"status\":\"healthy\",\"service\":\"jessy-core\",\"stage\":\"$STANDIN_STAGE\",\"version\":\"standin-$STANDIN_VERSION\"}" ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
