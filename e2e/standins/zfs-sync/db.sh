# Database access for the zfs-sync stand-ins (sourced after common.sh). db_open parses database_url
# from config/zfs_sync.yaml; db_query CMD... runs line-protocol commands against the PostgreSQL
# stand-in after authenticating (or against the SQLite file).
CONFIG_FILE=${ZFS_SYNC_CONFIG:-/app/config/zfs_sync.yaml}
db_open() {
  must_read "$CONFIG_FILE" "config/zfs_sync.yaml"
  DB_URL=$(sed -n 's/^database_url:[[:space:]]*"\(.*\)"[[:space:]]*$/\1/p' "$CONFIG_FILE")
  [ -n "$DB_URL" ] || die "no database_url in $CONFIG_FILE"
  case "$DB_URL" in
    sqlite:////*) DB_KIND=sqlite; DB_FILE="/${DB_URL#sqlite:////}" ;;
    postgresql://*)
      DB_KIND=postgres
      rest=${DB_URL#postgresql://}
      creds=${rest%@*}; hostpart=${rest##*@}
      DB_USER=${creds%%:*}
      # Percent-decoded, as SQLAlchemy does (busybox httpd -d decodes %XX).
      DB_PASSWORD=$(httpd -d "${creds#*:}")
      hostport=${hostpart%%/*}; DB_NAME=${hostpart#*/}
      DB_HOST=${hostport%%:*}; DB_PORT=${hostport##*:}
      ;;
    *) die "unsupported database_url scheme: ${DB_URL%%:*}" ;;
  esac
  export DB_URL DB_KIND DB_FILE DB_USER DB_PASSWORD DB_NAME DB_HOST DB_PORT
}
# db_query LINE...: prints the server's answers; fails unless authentication succeeded.
db_query() {
  if [ "$DB_KIND" = sqlite ]; then
    for l in "$@"; do
      case "$l" in
        SELECT1) [ -w "$DB_FILE" ] && echo 1 || return 1 ;;
        GET\ *) cat "$DB_FILE.${l#GET }" 2>/dev/null; echo ;;
        SET\ *) k=${l#SET }; v=${k#* }; k=${k%% *}; printf '%s' "$v" >"$DB_FILE.$k" && echo OK ;;
      esac
    done
    return 0
  fi
  out=$( { printf 'AUTH %s %s %s\n' "$DB_USER" "$DB_NAME" "$DB_PASSWORD"; for l in "$@"; do printf '%s\n' "$l"; done; printf 'QUIT\n'; } \
    | timeout 5 nc "$DB_HOST" "$DB_PORT" 2>/dev/null)
  first=$(printf '%s\n' "$out" | head -n 1)
  [ "$first" = "OK" ] || { log "database: ${first:-no answer from $DB_HOST:$DB_PORT}"; return 1; }
  printf '%s\n' "$out" | sed 1d
}
