#!/bin/sh
. /usr/local/lib/standin/common.sh
mkdir -p /app/data /app/config || die "cannot create /app/data or /app/config"
chown 1000:1000 /app/data /app/config || die "chown of /app/data and /app/config failed (needs CHOWN)"
drop_to zaino /usr/local/lib/standin/zaino/main.sh "$@"
