#!/bin/sh
. /usr/local/lib/standin/common.sh
CONFIG=""; STORAGE=""
for a in "$@"; do
  case "$a" in
    --config.file=*) CONFIG=${a#*=} ;;
    --storage.tsdb.path=*) STORAGE=${a#*=} ;;
    --web.enable-lifecycle) ;;
    --web.enable-admin-api) die "the admin API must not be enabled" ;;
    *) die "unknown flag $a" ;;
  esac
done
must_read "$CONFIG" "prometheus.yml"
must_write "$STORAGE" "the TSDB directory"
# Rule files named by rule_files must exist (they are uploaded next to the config).
for rules in $(sed -n 's/^[[:space:]]*-[[:space:]]*\(\/etc\/prometheus\/rules\/.*\)$/\1/p' "$CONFIG"); do
  ls $rules >/dev/null 2>&1 || die "no rule file matches $rules"
done
# job|path|target lines from the scrape configs.
awk '
  /^scrape_configs:/ { scrape=1; next }
  /^[a-z_]+:/ { scrape=0 }
  !scrape { next }
  /job_name:/ { job=$NF }
  /metrics_path:/ { path=$NF }
  /targets:/ { line=$0; gsub(/.*\[/, "", line); gsub(/\].*/, "", line); gsub(/[" ]/, "", line);
               n=split(line, t, ","); for (i=1; i<=n; i++) if (t[i] != "") print job "|" path "|" t[i] }
' "$CONFIG" >"$STORAGE/standin-targets"
[ -s "$STORAGE/standin-targets" ] || die "no scrape targets in $CONFIG"
log "scrape targets: $(tr '\n' ' ' <"$STORAGE/standin-targets")"
export STORAGE
(
  while :; do
    : >"$STORAGE/standin-up.tmp"
    while IFS='|' read -r job path target; do
      if timeout 4 /bin/wget -q -O /dev/null "http://$target$path" 2>/dev/null; then up=1; else up=0; fi
      echo "$job|$target|$up" >>"$STORAGE/standin-up.tmp"
    done <"$STORAGE/standin-targets"
    mv "$STORAGE/standin-up.tmp" "$STORAGE/standin-up"
    sleep 5
  done
) &
SERVER_PIDS="$SERVER_PIDS $!"
serve 9090 /usr/local/lib/standin/prometheus/routes.sh
forever
