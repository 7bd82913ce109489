#!/bin/sh
. /usr/local/lib/standin/common.sh
[ -z "${GF_SECURITY_ADMIN_PASSWORD:-}" ] || die "GF_SECURITY_ADMIN_PASSWORD must not be in the environment"
must_read "${GF_SECURITY_ADMIN_PASSWORD__FILE:?}" "the admin password file"
PROV=${GF_PATHS_PROVISIONING:-/etc/grafana/provisioning}
DS=$(ls "$PROV"/datasources/*.yml 2>/dev/null | head -n 1)
must_read "$DS" "a provisioned datasource"
DATASOURCE_URL=$(sed -n 's/^[[:space:]]*url:[[:space:]]*\(.*\)$/\1/p' "$DS" | head -n 1)
[ -n "$DATASOURCE_URL" ] || die "no datasource url in $DS"
must_write /var/lib/grafana "the data directory"
echo "start $(date +%s)" >>/var/lib/grafana/standin-grafana.db
EXPECTED_ADMIN_AUTH="Basic $(b64 "admin:$(cat "$GF_SECURITY_ADMIN_PASSWORD__FILE")")"
export EXPECTED_ADMIN_AUTH DATASOURCE_URL
serve 3000 /usr/local/lib/standin/grafana/routes.sh
forever
