#!/bin/sh
. /usr/local/lib/standin/common.sh
[ "$(id -u)" = 70 ] || die "expected UID 70 after the drop"
# As docker-entrypoint.sh: the password file is read again after dropping to postgres.
must_read "${POSTGRES_PASSWORD_FILE:?POSTGRES_PASSWORD_FILE must be set}" "the password file (as UID 70)"
: "${POSTGRES_USER:?}" "${POSTGRES_DB:?}"
must_write "$PGDATA" "PGDATA"
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  log "initdb: new cluster in $PGDATA for role $POSTGRES_USER, database $POSTGRES_DB"
  mkdir -p "$PGDATA/standin-kv"
  printf '%s' "$(cat "$POSTGRES_PASSWORD_FILE")" | sha256sum | cut -d' ' -f1 >"$PGDATA/standin-password.sha256"
  printf '%s %s\n' "$POSTGRES_USER" "$POSTGRES_DB" >"$PGDATA/standin-role"
  echo 15 >"$PGDATA/PG_VERSION"
fi
echo "$$" >/var/run/postgresql/.s.PGSQL.5432.lock || die "cannot write the socket lock file"
echo "start $(date +%s) v$STANDIN_VERSION" >>"$PGDATA/standin-starts"
serve_lines 5432 /usr/local/lib/standin/postgres/session.sh
trap 'log "SIGINT: fast shutdown"; exit 0' INT
forever
