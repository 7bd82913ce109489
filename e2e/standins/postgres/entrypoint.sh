#!/bin/sh
. /usr/local/lib/standin/common.sh
[ "$(id -u)" = 0 ] || die "the postgres entrypoint starts as root"
mkdir -p "$PGDATA" /var/run/postgresql || die "cannot create $PGDATA"
chown 70:70 "$PGDATA" /var/run/postgresql || die "chown of PGDATA failed (needs CHOWN)"
chmod 700 "$PGDATA"
[ -n "${POSTGRES_PASSWORD:-}" ] && die "POSTGRES_PASSWORD must not be in the environment (use POSTGRES_PASSWORD_FILE)"
drop_to postgres /usr/local/lib/standin/postgres/main.sh "$@"
