#!/usr/bin/env bash
# Checks the images of scripts/build-real-images.sh against what the stacks rely on, by running each
# one as the stacks run it (read-only root, every capability dropped but the stack's, tmpfs mounts,
# user, no-new-privileges, the stack's generated configuration files) on this machine's engine:
#
#   postgres      starts as root, runs as 70; initdb, role and database from POSTGRES_*; PGDATA 700
#                 owned by 70; scram-sha-256 password auth over TCP from a second container (psql of
#                 the same image, percent-encoded password with @/:%+?#&=); the health check
#                 command; SIGINT fast shutdown; a restart keeps the data and skips initdb
#   zfs-sync-psql the zfs-sync stand-in on that PostgreSQL through psql (migration job, init_db,
#                 readiness), and still on SQLite
#   nginx         runs as 101 with the generated nginx.conf; real HTTPS (TLS 1.3, HTTP/2, the
#                 certificate made here with openssl) from the host through a published 127.0.0.1
#                 port to the app and the database; the health check command (curl)
#   alertmanager  runs as 65534 with the generated alertmanager.yml; /-/ready; the health check (wget)
#   prometheus    runs as 65534 with the generated prometheus.yml and rules; /-/ready, rules loaded,
#                 Alertmanager discovered, self-scrape up, lifecycle reload; the health check (wget)
#
# Configuration and secrets arrive as the stacks deliver them: root-owned 0444 files (Prometheus and
# Alertmanager through a files-loader container and a volume, as lib/service.ts does).
# Containers, volumes and networks are named z3-real-probe-*; only those this run created are
# removed at the end (another suite may use the same engine). Nothing is pulled.
#
# Usage: scripts/check-real-images.sh [VERSION]   (image tag, default 1)
# Needs: Docker Engine, openssl, curl, node (npx ts-node) for the generated configuration files.
# Exit codes: 0 every check passed, 1 a check failed, 2 bad usage or a missing image.
set -euo pipefail
cd "$(dirname "$0")/.."

V="${1:-1}"
P=z3-real-probe
PG_IMAGE="z3-e2e/real-postgres:$V"
NGINX_IMAGE="z3-e2e/real-nginx:$V"
PROM_IMAGE="z3-e2e/real-prometheus:$V"
AM_IMAGE="z3-e2e/real-alertmanager:$V"
APP_IMAGE="z3-e2e/zfs-sync-psql:$V"
for image in "$PG_IMAGE" "$NGINX_IMAGE" "$PROM_IMAGE" "$AM_IMAGE" "$APP_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || { echo "check-real-images: no image $image (bash scripts/build-real-images.sh)" >&2; exit 2; }
done
for tool in openssl curl npx; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check-real-images: $tool is missing" >&2; exit 2; }
done

# ------------------------------------------------------------------ helpers --
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); printf 'ok    %s\n' "$*"; }
bad() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
# check WHAT EXPECTED ACTUAL: equal; check_has WHAT NEEDLE HAYSTACK: contains.
check() { if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1: expected '$2', got '$3'"; fi; }
check_has() { if [[ "$3" == *"$2"* ]]; then ok "$1: has '$2'"; else bad "$1: no '$2' in: $(head -c 600 <<<"$3")"; fi; }
now_us() { local t="$EPOCHREALTIME"; printf '%s' "${t/./}"; }
secs_since() { local d=$(( $(now_us) - $1 )); printf '%d.%01d' "$((d / 1000000))" "$(((d % 1000000) / 100000))"; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/z3-real-probe.XXXXXX")"
CONTAINERS=()
VOLUMES=()
NETWORKS=()
cleanup() {
  local c
  for c in "${CONTAINERS[@]+"${CONTAINERS[@]}"}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
  for c in "${VOLUMES[@]+"${VOLUMES[@]}"}"; do docker volume rm "$c" >/dev/null 2>&1 || true; done
  for c in "${NETWORKS[@]+"${NETWORKS[@]}"}"; do docker network rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A name of ours left by an interrupted run is removed first; only z3-real-probe-* names are touched.
own_container() { docker rm -f -v "$1" >/dev/null 2>&1 || true; CONTAINERS+=("$1"); }
own_volume() { docker volume rm "$1" >/dev/null 2>&1 || true; docker volume create "$1" >/dev/null; VOLUMES+=("$1"); }
own_network() { docker network rm "$1" >/dev/null 2>&1 || true; docker network create "$@" >/dev/null; NETWORKS+=("$1"); }

# load_files IMAGE VOLUME PATH DIR: the stacks' files loader: a never-started container of the
# service's image with VOLUME at PATH (a new volume first gets the image's PATH, as Docker copies it)
# receives DIR's files (root-owned, their modes); the service then mounts VOLUME read-only.
load_files() {
  own_volume "$2"
  own_container "$2-loader"
  docker create --name "$2-loader" -v "$2:$3" "$1" >/dev/null
  docker cp "$4/." "$2-loader:$3/" >/dev/null
}

# The stacks' hardening: read-only root, no capability but those listed, no-new-privileges.
HARDENED=(--read-only --cap-drop ALL --security-opt no-new-privileges:true)

# wait_healthy CONTAINER SECONDS: until its health check passes; prints the seconds it took.
wait_healthy() {
  local c="$1" limit="$2" start status
  start="$(now_us)"
  while :; do
    status="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$c" 2>/dev/null || echo gone)"
    [ "$status" = healthy ] && { secs_since "$start"; return 0; }
    if [ "$status" = unhealthy ] || [ "$status" = exited ] || [ "$status" = gone ] || [ $(( ($(now_us) - start) / 1000000 )) -ge "$limit" ]; then
      echo "$c: $status after $(secs_since "$start")s; last log lines:" >&2
      docker logs --tail 20 "$c" >&2 2>&1 || true
      return 1
    fi
    sleep 0.5
  done
}
# http_wait URL SECONDS [CURL-ARGS...]: until URL answers 2xx.
http_wait() {
  local url="$1" limit="$2" i=0; shift 2
  until curl -fsS -o /dev/null "$@" "$url" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -lt $((limit * 2)) ] || return 1; sleep 0.5
  done
}
status_line() { docker exec "$1" cat /proc/1/status | awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
# root_changes CONTAINER: `docker diff` without the mount points Docker itself creates (a bind
# mount's directory and its parents): what the container's processes changed in the root filesystem.
root_changes() {
  local mounts
  mounts="$(docker inspect -f '{{range .Mounts}}{{.Destination}}{{"\n"}}{{end}}' "$1")"
  docker diff "$1" | while read -r kind path; do
    grep -qxF -e "$path" <<<"$mounts" && continue
    grep -q "^$path/" <<<"$mounts" && [ "$kind" = C ] && continue
    printf '%s %s\n' "$kind" "$path"
  done
}
host_port() { docker port "$1" "$2/tcp" | head -n 1 | sed 's/.*://'; }
urlencode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in [a-zA-Z0-9.~_-]) out+="$c" ;; *) out+="$(printf '%%%02X' "'$c")" ;; esac
  done
  printf '%s' "$out"
}

# ------------------------------------------------------------- :1 and :2 --
echo "== tags"
for name in real-postgres real-nginx real-prometheus real-alertmanager; do
  if docker image inspect "z3-e2e/$name:1" "z3-e2e/$name:2" >/dev/null 2>&1; then
    cfg() { docker image inspect -f '{{json .Config}} {{.RootFS.Layers}}' "z3-e2e/$name:$1" | sed 's/"org.z3-e2e.version":"[12]"//'; }
    ids="$(docker image inspect -f '{{.Id}}' "z3-e2e/$name:1" "z3-e2e/$name:2" | sort -u | wc -l)"
    labels="$(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.version"}}{{index .Config.Labels "org.z3-e2e.standin"}}{{index .Config.Labels "org.z3-e2e.real"}}' "z3-e2e/$name:1" "z3-e2e/$name:2" | paste -sd' ')"
    check "$name :1 and :2: image ids, labels version+stand-in+real, config and layers otherwise equal" \
      "2 1${name#real-}true 2${name#real-}true same" "$ids $labels $([ "$(cfg 1)" = "$(cfg 2)" ] && echo same || echo different)"
  else
    bad "$name: :1 or :2 missing"
  fi
done

# ------------------------------------------------- generated configuration --
# The files the stacks deliver, from the stacks' own generators (the production proxy settings; the
# zfs-sync construct's port, upstream and paths).
mkdir -p "$WORK/pg-secrets" "$WORK/app-config" "$WORK/app-config-sqlite" "$WORK/proxy-conf" "$WORK/proxy-secrets" \
  "$WORK/prometheus/rules" "$WORK/alertmanager"
npx --no-install ts-node --transpile-only -e '
  const { writeFileSync } = require("fs");
  const w = process.argv[1];
  const zfs = require("./stacks/zfs-sync/config-files");
  const z3 = require("./stacks/z3/config-files");
  const { ZFS_SYNC_SETTINGS } = require("./config/zfs-sync/environments");
  writeFileSync(w + "/proxy-conf/nginx.conf", zfs.proxyNginxConf(ZFS_SYNC_SETTINGS.production.proxy, {
    listenPort: 8443, serverName: "zfs-sync.e2e.test", upstreamUrl: "http://zfs-sync:8000",
    certificatePath: "/run/secrets/tls_certificate", privateKeyPath: "/run/secrets/tls_private_key",
    eventStreamPath: "/api/v1/dashboard/events" }));
  writeFileSync(w + "/migrate.sh", zfs.migrateScript());
  writeFileSync(w + "/app-config-sqlite/zfs_sync.yaml", zfs.appConfigYaml(zfs.SQLITE_DATABASE_URL));
  writeFileSync(w + "/prometheus/prometheus.yml", z3.prometheusYaml([{ job: "prometheus", address: "127.0.0.1:9090", path: "/metrics" }], "alertmanager:9093"));
  writeFileSync(w + "/prometheus/rules/zebra_alerts.yml", z3.zebraAlertsYaml());
  writeFileSync(w + "/alertmanager/alertmanager.yml", z3.alertmanagerYaml());
' "$WORK" || { echo "check-real-images: generating the configuration files with ts-node failed" >&2; exit 2; }

# The generated password alphabet includes URL delimiters: the app must percent-decode them.
PASSWORD="p@ss/w:rd%+?#&=$(openssl rand -hex 8)"
printf '%s' "$PASSWORD" >"$WORK/pg-secrets/postgres_password"
ENCODED="$(urlencode "$PASSWORD")"
node -e 'const [w, u] = process.argv.slice(1); require("fs").writeFileSync(w + "/app-config/zfs_sync.yaml", require("./stacks/zfs-sync/config-files").appConfigYaml(u));' \
  "$WORK" "postgresql://zfssync:$ENCODED@postgres:5432/zfssync" 2>/dev/null \
  || printf '# Generated by Terraform.\ndatabase_url: "%s"\n' "postgresql://zfssync:$ENCODED@postgres:5432/zfssync" >"$WORK/app-config/zfs_sync.yaml"
# Secrets and configuration as the files loaders leave them: root-owned 0444 in readable directories.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=zfs-sync.e2e.test" \
  -addext "subjectAltName=DNS:zfs-sync.e2e.test,IP:127.0.0.1" \
  -keyout "$WORK/proxy-secrets/tls_private_key" -out "$WORK/proxy-secrets/tls_certificate" >/dev/null 2>&1
find "$WORK" -type d -exec chmod 0755 {} +
find "$WORK" -type f -exec chmod 0444 {} +

own_network "$P-db" --internal
own_network "$P-front" --internal
own_network "$P-edge"
own_network "$P-mon"

# ----------------------------------------------------------------- postgres --
echo "== $PG_IMAGE ($(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.packages"}}' "$PG_IMAGE"))"
PG="$P-postgres"
own_container "$PG"
own_volume "$P-postgres-data"
pg_run() {
  docker run -d --name "$PG" --network "$P-db" --network-alias postgres "${HARDENED[@]}" \
    --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add FOWNER --cap-add SETUID --cap-add SETGID \
    --tmpfs /var/run/postgresql:rw,noexec,nosuid,size=1m --tmpfs /tmp:rw,noexec,nosuid,size=64m \
    -e POSTGRES_USER=zfssync -e POSTGRES_DB=zfssync -e POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password \
    -e PGDATA=/var/lib/postgresql/data/pgdata \
    -v "$P-postgres-data:/var/lib/postgresql/data" -v "$WORK/pg-secrets:/run/secrets:ro" \
    --health-cmd 'pg_isready -U zfssync -d zfssync -h 127.0.0.1' --health-interval 1s --health-timeout 5s --health-retries 60 \
    --stop-timeout 30 "$PG_IMAGE" >/dev/null
}
pg_run
if t="$(wait_healthy "$PG" 120)"; then ok "postgres healthy (pg_isready over TCP) after ${t}s, first start with initdb"; else bad "postgres did not become healthy"; fi
check_has "first start log" "initdb in /var/lib/postgresql/data/pgdata (superuser zfssync, database zfssync)" "$(docker logs "$PG" 2>&1)"
check "PID 1 user (Uid/Gid lines)" "70 70 70 70 / 70 70 70 70" "$(status_line "$PG" Uid) / $(status_line "$PG" Gid)"
check "PID 1 effective capabilities" "0000000000000000" "$(status_line "$PG" CapEff)"
check "PID 1 program" "postgres" "$(docker exec "$PG" sh -c 'tr "\0" " " </proc/1/cmdline' | awk '{print $1}')"
check "PGDATA mode and owner" "700 70:70" "$(docker exec "$PG" stat -c '%a %u:%g' /var/lib/postgresql/data/pgdata)"
check "socket directory owner" "70:70" "$(docker exec "$PG" stat -c '%u:%g' /var/run/postgresql)"
check "password file as delivered" "444 0:0" "$(docker exec "$PG" stat -c '%a %u:%g' /run/secrets/postgres_password)"
check_has "health check command" "127.0.0.1:5432 - accepting connections" "$(docker exec "$PG" pg_isready -U zfssync -d zfssync -h 127.0.0.1 2>&1)"
check "stop signal" "SIGINT" "$(docker inspect -f '{{.Config.StopSignal}}' "$PG")"
check "root filesystem unchanged (docker diff, mount points aside)" "" "$(root_changes "$PG")"
# A second container on the database network, as the app connects: TCP, password, percent-encoded URL.
psql_client() {
  docker run --rm --network "$P-db" "${HARDENED[@]}" --tmpfs /tmp:rw,noexec,nosuid,size=16m "$PG_IMAGE" \
    psql "postgresql://zfssync:$1@postgres:5432/zfssync" -XAtv ON_ERROR_STOP=1 -c "$2" 2>&1
}
check "psql over TCP from a second container: user, database, superuser, encryption, auth rule of its address" \
  "zfssync|zfssync|t|scram-sha-256|scram-sha-256" \
  "$(psql_client "$ENCODED" "SELECT current_user, current_database(), (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), current_setting('password_encryption'), (SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' AND 'all' = ANY(database) AND address = 'all')")"
check "stored password" "SCRAM-SHA-256" "$(psql_client "$ENCODED" "SELECT split_part(rolpassword, '\$', 1) FROM pg_authid WHERE rolname = 'zfssync'")"
check_has "wrong password refused" 'password authentication failed for user "zfssync"' "$(psql_client wrong "SELECT 1" || true)"
check_has "no password refused" "no password supplied" "$(docker run --rm --network "$P-db" "$PG_IMAGE" psql -h postgres -U zfssync -d zfssync -Xc 'SELECT 1' 2>&1 || true)"
check "listens on every interface" "*" "$(psql_client "$ENCODED" "SHOW listen_addresses")"
check "server version" "15" "$(psql_client "$ENCODED" "SHOW server_version" | cut -d. -f1)"
MARK="kept-$(openssl rand -hex 4)"
psql_client "$ENCODED" "CREATE TABLE probe (v text); INSERT INTO probe VALUES ('$MARK')" >/dev/null
start="$(now_us)"
docker restart -t 30 "$PG" >/dev/null
restart_stop_log="$(docker logs "$PG" 2>&1)"
if t="$(wait_healthy "$PG" 120)"; then ok "postgres healthy again $(secs_since "$start")s after docker restart (health ${t}s)"; else bad "postgres not healthy after a restart"; fi
check_has "SIGINT on stop" "received fast shutdown request" "$restart_stop_log"
check_has "restart skips initdb" "holds a cluster (PostgreSQL 15); no initdb" "$(docker logs "$PG" 2>&1 | tail -n 30)"
check "data kept across the restart" "$MARK" "$(psql_client "$ENCODED" "SELECT v FROM probe")"
check "PID 1 user after the restart" "70 70 70 70" "$(status_line "$PG" Uid)"

# ------------------------------------------------------------ zfs-sync-psql --
echo "== $APP_IMAGE (zfs-sync stand-in with psql)"
APP="$P-app"
own_container "$APP"
own_container "$P-migrate"
own_volume "$P-app-logs"
app_flags=("${HARDENED[@]}" --user 1001:1001 -e ZFS_SYNC_PORT=8000 -e ZFS_SYNC_HOST=0.0.0.0)
migrate() {
  docker rm -f "$P-migrate" >/dev/null 2>&1 || true
  docker run --name "$P-migrate" --network "$P-db" "${app_flags[@]}" -e ZFS_SYNC_LOG_DIR=/tmp \
    --tmpfs /tmp:rw,noexec,nosuid,size=16m -v "$WORK/app-config:/app/config:ro" "$APP_IMAGE" sh -c "$(cat "$WORK/migrate.sh")" 2>&1
}
check_has "migration job on a new database" "no Alembic revision recorded yet" "$(migrate)"
docker create --name "$APP" --network "$P-db" "${app_flags[@]}" -e ZFS_SYNC_LOG_DIR=/logs \
  --tmpfs /tmp:rw,noexec,nosuid,size=64m --tmpfs /app/static:rw,noexec,nosuid,size=1m \
  -v "$WORK/app-config:/app/config:ro" -v "$P-app-logs:/logs" \
  --health-cmd 'curl -f http://localhost:8000/api/v1/health' --health-interval 1s --health-retries 60 "$APP_IMAGE" >/dev/null
docker network connect --alias zfs-sync "$P-front" "$APP"
docker start "$APP" >/dev/null
if t="$(wait_healthy "$APP" 90)"; then ok "app healthy after ${t}s"; else bad "app did not become healthy"; fi
check_has "readiness runs SELECT 1 on PostgreSQL through psql" '"status":"ready","database":"postgres"' \
  "$(docker exec "$APP" curl -f http://localhost:8000/api/v1/health/ready 2>&1)"
check "the app's rows in PostgreSQL (init_db stamp, start)" "alembic_version|head app_started|v$V" \
  "$(docker exec "$PG" psql -U zfssync -d zfssync -XAtc 'SELECT key, value FROM standin_kv ORDER BY key' | paste -sd' ')"
check_has "migration job on a stamped database" "at head (head); upgrading to head" "$(migrate)"
check "migration job exit code" "0" "$(docker inspect -f '{{.State.ExitCode}}' "$P-migrate")"
own_container "$P-app-sqlite"
own_volume "$P-app-sqlite-data"
docker run -d --name "$P-app-sqlite" "${app_flags[@]}" -e ZFS_SYNC_LOG_DIR=/tmp --tmpfs /tmp:rw,noexec,nosuid,size=16m \
  --tmpfs /app/static:rw,noexec,nosuid,size=1m -v "$WORK/app-config-sqlite:/app/config:ro" -v "$P-app-sqlite-data:/data" \
  --health-cmd 'curl -f http://localhost:8000/api/v1/health/ready' --health-interval 1s --health-retries 60 "$APP_IMAGE" >/dev/null
if wait_healthy "$P-app-sqlite" 60 >/dev/null; then ok "the same image on SQLite: ready"; else bad "the same image on SQLite is not ready"; fi

# -------------------------------------------------------------------- nginx --
echo "== $NGINX_IMAGE ($(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.packages"}}' "$NGINX_IMAGE"))"
PROXY="$P-proxy"
own_container "$PROXY"
docker create --name "$PROXY" --network "$P-edge" "${HARDENED[@]}" --user 101:101 \
  --tmpfs /tmp:rw,noexec,nosuid,size=64m -p 127.0.0.1::8443 \
  -v "$WORK/proxy-conf:/etc/nginx/zfs-sync:ro" -v "$WORK/proxy-secrets:/run/secrets:ro" \
  --health-cmd 'curl -fsk -o /dev/null https://127.0.0.1:8443/api/v1/health/ready' --health-interval 1s --health-retries 60 \
  "$NGINX_IMAGE" nginx -c /etc/nginx/zfs-sync/nginx.conf >/dev/null
docker network connect "$P-front" "$PROXY"
docker start "$PROXY" >/dev/null
if t="$(wait_healthy "$PROXY" 60)"; then ok "proxy healthy (curl -fsk in the container, TLS → app → PostgreSQL) after ${t}s"; else bad "proxy did not become healthy"; fi
check "PID 1 user" "101 101 101 101" "$(status_line "$PROXY" Uid)"
check "PID 1 program" "nginx: master process nginx -c /etc/nginx/zfs-sync/nginx.conf" "$(docker exec "$PROXY" sh -c 'tr "\0" " " </proc/1/cmdline' | sed 's/ *$//')"
check "health check command" "0" "$(docker exec "$PROXY" curl -fsk -o /dev/null https://127.0.0.1:8443/api/v1/health/ready; echo $?)"
PORT="$(host_port "$PROXY" 8443)"
tls_out="$(curl -sS --cacert "$WORK/proxy-secrets/tls_certificate" --resolve "zfs-sync.e2e.test:$PORT:127.0.0.1" -D - \
  -w '\nhttp=%{http_version} verify=%{ssl_verify_result}\n' "https://zfs-sync.e2e.test:$PORT/api/v1/health/ready" 2>&1 || true)"
check_has "HTTPS from the host, certificate verified against the one made here" "http=2 verify=0" "$tls_out"
check_has "the app's readiness through the proxy" '"status":"ready","database":"postgres"' "$tls_out"
check_has "security headers" "strict-transport-security: max-age=31536000" "$tls_out"
check_has "TLS 1.3" "SSL connection using TLSv1.3" "$(curl -sv -o /dev/null --cacert "$WORK/proxy-secrets/tls_certificate" \
  --resolve "zfs-sync.e2e.test:$PORT:127.0.0.1" "https://zfs-sync.e2e.test:$PORT/api/v1/health" 2>&1)"
check_has "TLS 1.1 refused by the server" "alert protocol version" "$(openssl s_client -tls1_1 -connect "127.0.0.1:$PORT" </dev/null 2>&1 || true)"
check_has "plain HTTP on the TLS port refused" "400" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/" || true)"
PG_IP="$(docker inspect -f "{{(index .NetworkSettings.Networks \"$P-db\").IPAddress}}" "$PG")"
check "the proxy can neither resolve nor reach PostgreSQL (other network)" "unresolved unreachable" \
  "$(docker exec "$PROXY" getent hosts postgres >/dev/null && echo resolved || echo unresolved) $(docker exec "$PROXY" timeout 3 bash -c "echo >/dev/tcp/$PG_IP/5432" 2>/dev/null && echo reached || echo unreachable)"
check "root filesystem unchanged (docker diff, mount points aside)" "" "$(root_changes "$PROXY")"

# ------------------------------------------------------------- alertmanager --
echo "== $AM_IMAGE ($(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.packages"}}' "$AM_IMAGE"))"
AM="$P-alertmanager"
own_container "$AM"
own_volume "$P-alertmanager-data"
load_files "$AM_IMAGE" "$P-alertmanager-files" /etc/alertmanager "$WORK/alertmanager"
docker run -d --name "$AM" --network "$P-mon" --network-alias alertmanager "${HARDENED[@]}" --user 65534:65534 -p 127.0.0.1::9093 \
  -v "$P-alertmanager-data:/alertmanager" -v "$P-alertmanager-files:/etc/alertmanager:ro" \
  --health-cmd 'wget -q --spider http://127.0.0.1:9093/-/healthy' --health-interval 1s --health-retries 60 \
  "$AM_IMAGE" --config.file=/etc/alertmanager/alertmanager.yml --storage.path=/alertmanager >/dev/null
if t="$(wait_healthy "$AM" 60)"; then ok "alertmanager healthy (wget --spider /-/healthy) after ${t}s"; else bad "alertmanager did not become healthy"; fi
AM_PORT="$(host_port "$AM" 9093)"
if http_wait "http://127.0.0.1:$AM_PORT/-/ready" 30; then ok "alertmanager /-/ready from the host: $(curl -s "http://127.0.0.1:$AM_PORT/-/ready")"; else bad "alertmanager /-/ready"; fi
check "PID 1 user" "65534 65534 65534 65534" "$(status_line "$AM" Uid)"
check_has "the generated configuration is loaded" 'receiver: critical' "$(curl -s "http://127.0.0.1:$AM_PORT/api/v2/status")"
check "a fresh data volume belongs to 65534" "65534:65534" "$(docker exec "$AM" stat -c '%u:%g' /alertmanager)"
check "root filesystem unchanged (docker diff, mount points aside)" "" "$(root_changes "$AM")"

# --------------------------------------------------------------- prometheus --
echo "== $PROM_IMAGE ($(docker image inspect -f '{{index .Config.Labels "org.z3-e2e.packages"}}' "$PROM_IMAGE"))"
PROM="$P-prometheus"
own_container "$PROM"
own_volume "$P-prometheus-data"
load_files "$PROM_IMAGE" "$P-prometheus-files" /etc/prometheus "$WORK/prometheus"
docker run -d --name "$PROM" --network "$P-mon" --network-alias prometheus "${HARDENED[@]}" --user 65534:65534 -p 127.0.0.1::9090 \
  -v "$P-prometheus-data:/prometheus" -v "$P-prometheus-files:/etc/prometheus:ro" \
  --health-cmd 'wget -q --spider http://127.0.0.1:9090/-/healthy' --health-interval 1s --health-retries 60 \
  "$PROM_IMAGE" --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus --web.enable-lifecycle >/dev/null
if t="$(wait_healthy "$PROM" 60)"; then ok "prometheus healthy (wget --spider /-/healthy) after ${t}s"; else bad "prometheus did not become healthy"; fi
PROM_PORT="$(host_port "$PROM" 9090)"
if http_wait "http://127.0.0.1:$PROM_PORT/-/ready" 30; then ok "prometheus /-/ready from the host: $(curl -s "http://127.0.0.1:$PROM_PORT/-/ready")"; else bad "prometheus /-/ready"; fi
check "PID 1 user" "65534 65534 65534 65534" "$(status_line "$PROM" Uid)"
check_has "the generated rules are loaded" '"name":"ZebraDown"' "$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/rules")"
check_has "the version is Debian's" '"version":"2.53' "$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/status/buildinfo")"
am_found=""; for _ in $(seq 1 40); do
  am_found="$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/alertmanagers")"; [[ "$am_found" == *alertmanager:9093* ]] && break; sleep 0.5
done
check_has "Alertmanager discovered by alias" "http://alertmanager:9093/api/v2/alerts" "$am_found"
up=""; for _ in $(seq 1 60); do
  up="$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/query?query=up" | sed -n 's/.*"value":\[[0-9.]*,"\([01]\)"\].*/\1/p')"; [ "$up" = 1 ] && break; sleep 0.5
done
check "self-scrape up" "1" "$up"
check "lifecycle reload (POST /-/reload)" "200" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PROM_PORT/-/reload")"
check "a fresh TSDB volume belongs to 65534 and is written" "65534:65534 wal" "$(docker exec "$PROM" stat -c '%u:%g' /prometheus) $(docker exec "$PROM" ls /prometheus | grep -x wal)"
check "root filesystem unchanged (docker diff, mount points aside)" "" "$(root_changes "$PROM")"

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
