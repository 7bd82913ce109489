# Database access for the zfs-sync stand-ins (sourced after common.sh). db_open parses database_url
# from config/zfs_sync.yaml; db_query CMD... runs the stand-in's commands (SELECT1, GET key,
# SET key value) against the SQLite file, or as SQL on the real PostgreSQL through psql (the image
# of Dockerfile.psql).
CONFIG_FILE=${ZFS_SYNC_CONFIG:-/app/config/zfs_sync.yaml}
db_open() {
  must_read "$CONFIG_FILE" "config/zfs_sync.yaml"
  # A one-line scalar, plain or double-quoted (the URL holds nothing a JSON escape would write).
  DB_URL=$(sed -n 's/^database_url:[[:space:]]*//p' "$CONFIG_FILE" | head -n 1)
  case "$DB_URL" in \"*\") DB_URL=${DB_URL#\"}; DB_URL=${DB_URL%\"} ;; esac
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
  # PostgreSQL is the real one (z3-e2e/real-postgres): this image must carry psql (Dockerfile.psql).
  command -v psql >/dev/null 2>&1 || { log "database: no psql in this image (build it with Dockerfile.psql)"; return 1; }
  db_psql "$@"
}

# db_psql CMD...: the same commands as SQL, with the same answers (SELECT1: 1, GET: the value or an
# empty line, SET: OK); the pairs live in table standin_kv, created on first use. The password goes
# to psql in its environment, never on a command line.
sql_str() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
db_psql() {
  sql=""
  for l in "$@"; do
    case "$l" in
      SELECT1) sql="${sql}SELECT 1;
" ;;
      GET\ *) sql="${sql}SELECT coalesce((SELECT value FROM standin_kv WHERE key = $(sql_str "${l#GET }")), '');
" ;;
      SET\ *) k=${l#SET }; v=${k#* }; k=${k%% *}
              sql="${sql}INSERT INTO standin_kv VALUES ($(sql_str "$k"), $(sql_str "$v")) ON CONFLICT (key) DO UPDATE SET value = excluded.value; SELECT 'OK';
" ;;
      *) log "database: unsupported command $l"; return 1 ;;
    esac
  done
  case "$sql" in
    *standin_kv*) sql='DO $$ BEGIN CREATE TABLE IF NOT EXISTS standin_kv (key text PRIMARY KEY, value text NOT NULL);
  EXCEPTION WHEN unique_violation OR duplicate_table THEN NULL; END $$;
'"$sql" ;;
  esac
  if ! out=$(printf '%s' "$sql" | PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" \
      timeout 10 psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -f - 2>&1); then
    log "database: $(printf '%s\n' "$out" | head -n 1)"
    return 1
  fi
  printf '%s\n' "$out"
}
