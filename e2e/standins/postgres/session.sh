#!/bin/sh
# One client session of the PostgreSQL stand-in's line protocol.
. /usr/local/lib/standin/common.sh
authed=0
while IFS= read -r -t 10 line; do
  set -f
  # shellcheck disable=SC2086
  set -- $line
  set +f
  case "$1" in
    PING) echo OK ;;
    QUIT) exit 0 ;;
    AUTH)
      want_role=$(cat "$PGDATA/standin-role")
      want_hash=$(cat "$PGDATA/standin-password.sha256")
      got_hash=$(printf '%s' "${4:-}" | sha256sum | cut -d' ' -f1)
      if [ "$2 $3" = "$want_role" ] && [ "$got_hash" = "$want_hash" ]; then authed=1; echo OK
      else echo "FATAL: password authentication failed for user \"$2\""; exit 0; fi ;;
    SELECT1) [ $authed = 1 ] && echo 1 || { echo "FATAL: not authenticated"; exit 0; } ;;
    GET) [ $authed = 1 ] || { echo "FATAL: not authenticated"; exit 0; }; cat "$PGDATA/standin-kv/$2" 2>/dev/null; echo ;;
    SET) [ $authed = 1 ] || { echo "FATAL: not authenticated"; exit 0; }
         k=$2; shift 2
         case "$k" in *[!A-Za-z0-9_]*|"") echo "ERROR: bad key"; continue ;; esac
         printf '%s' "$*" >"$PGDATA/standin-kv/$k" && echo OK ;;
    *) echo "ERROR: syntax error" ;;
  esac
done
