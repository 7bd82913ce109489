#!/bin/sh
# Entrypoint of z3-e2e/real-postgres: the part of postgres:15-alpine's docker-entrypoint.sh the
# zfs-sync stacks use. Writes only to PGDATA, /var/run/postgresql and /tmp (read-only root).
#   as root: create PGDATA and the socket directory, give them to postgres (70), run again as 70
#            (needs CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID);
#   as 70:   first start only (no PG_VERSION): initdb with superuser POSTGRES_USER and the password
#            in POSTGRES_PASSWORD_FILE (read as 70), scram-sha-256 for every remote host, then
#            POSTGRES_DB; then exec postgres (PID 1, SIGINT = fast shutdown).
# Options alone ("-c x=y") go to postgres; any other command (psql, sh, ...) runs as given.
set -eu
case "${1:-}" in -*) set -- postgres "$@" ;; esac
[ "${1:-postgres}" = postgres ] || exec "$@"
[ $# -gt 0 ] || set -- postgres

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" /var/run/postgresql ! -user postgres -exec chown postgres:postgres {} +
  chmod 700 "$PGDATA"
  chmod 3775 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --clear-groups -- "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD_FILE:?must name the file with the superuser password}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  echo "docker-entrypoint: initdb in $PGDATA (superuser $user, database $db)"
  # Socket connections are trusted, as in the official image; TCP needs the password (below).
  initdb --username="$user" --pwfile="$POSTGRES_PASSWORD_FILE" --auth-local=trust --auth-host=trust >/dev/null
  printf '\n# docker-entrypoint: every other host authenticates with a password\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode (no server, no socket yet); the bootstrap superuser owns the database. It
    # exits 0 even when the statement fails: its output is searched for the error.
    out=$(printf 'CREATE DATABASE "%s"\n' "$(printf '%s' "$db" | sed 's/"/""/g')" | postgres --single -D "$PGDATA" postgres 2>&1)
    case "$out" in *ERROR:*) printf '%s\n' "$out" >&2; echo "docker-entrypoint: creating database $db failed" >&2; exit 1 ;; esac
  fi
  echo "docker-entrypoint: initdb done"
else
  echo "docker-entrypoint: $PGDATA holds a cluster (PostgreSQL $(cat "$PGDATA/PG_VERSION")); no initdb"
fi
exec "$@"
