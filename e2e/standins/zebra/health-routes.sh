route() {
  case "$REQ_PATH" in
    /healthy|/ready) respond 200 text/plain "ok" ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
