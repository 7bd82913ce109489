#!/bin/sh
. /usr/local/lib/standin/common.sh
. /usr/local/lib/standin/zfs-sync/db.sh
[ "$(id -u)" = 1001 ] || die "expected UID 1001 (USER zfssync)"
db_open
LOG_DIR=${ZFS_SYNC_LOG_DIR:-/app/logs}
must_write "$LOG_DIR" "the log directory"
# app.py: static_dir.mkdir(exist_ok=True) at import (the tmpfs mount point exists).
mkdir -p /app/static 2>/dev/null || die "cannot create /app/static (app.py does at import)"
if [ "$DB_KIND" = sqlite ]; then
  must_write "$(dirname "$DB_FILE")" "the SQLite directory"
  [ -f "$DB_FILE" ] || : >"$DB_FILE"
  echo "start $(date +%s) v$STANDIN_VERSION" >>"$DB_FILE.starts"
else
  retry 30 2 db_query SELECT1 >/dev/null || die "cannot open the database at $DB_HOST:$DB_PORT as $DB_USER"
  # init_db(): a new database gets the schema and is stamped at head (no Alembic revision yet).
  rev=$(db_query "GET alembic_version" | head -n 1)
  if [ -z "$rev" ]; then db_query "SET alembic_version head" >/dev/null && log "init_db: stamped at head"; fi
  db_query "SET app_started v$STANDIN_VERSION" >/dev/null
fi
echo "$(date +%s) INFO zfs-sync stand-in v$STANDIN_VERSION started (db=$DB_KIND)" >>"$LOG_DIR/zfs_sync.log"
serve "${ZFS_SYNC_PORT:-8000}" /usr/local/lib/standin/zfs-sync/routes.sh
forever
