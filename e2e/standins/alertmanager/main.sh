#!/bin/sh
. /usr/local/lib/standin/common.sh
CONFIG=""; STORAGE=""
for a in "$@"; do
  case "$a" in
    --config.file=*) CONFIG=${a#*=} ;;
    --storage.path=*) STORAGE=${a#*=} ;;
    *) die "unknown flag $a" ;;
  esac
done
must_read "$CONFIG" "alertmanager.yml"
grep -q '^receivers:' "$CONFIG" || die "$CONFIG has no receivers"
must_write "$STORAGE" "the storage directory"
echo "start $(date +%s)" >>"$STORAGE/standin-nflog"
serve 9093 /usr/local/lib/standin/alertmanager/routes.sh
forever
