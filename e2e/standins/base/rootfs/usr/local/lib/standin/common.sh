# Helpers sourced by every stand-in entrypoint (busybox ash).
# shellcheck shell=sh
STANDIN_LIB=/usr/local/lib/standin
SERVER_PIDS=""

log() { printf '[%s v%s uid=%s] %s\n' "${STANDIN_NAME:-standin}" "${STANDIN_VERSION:-?}" "$(id -u)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# "0.0.0.0:18232" -> 18232
port_of() { printf '%s\n' "${1##*:}"; }

# serve PORT ROUTES_FILE: HTTP server (one forked handler per connection, see http-conn).
serve() {
  STANDIN_ROUTES="$2" nc -ll -p "$1" -e "$STANDIN_LIB/http-conn" &
  SERVER_PIDS="$SERVER_PIDS $!"
  log "HTTP on :$1 ($(basename "$2"))"
}

# serve_lines PORT HANDLER: line-protocol TCP server (HANDLER reads stdin, writes stdout).
serve_lines() {
  nc -ll -p "$1" -e "$2" &
  SERVER_PIDS="$SERVER_PIDS $!"
  log "TCP on :$1 ($(basename "$2"))"
}

# forever: stay up until SIGTERM (docker stop: exit at once, as the real services do on TERM);
# exit non-zero when a listener died (the restart policy then brings the container back).
forever() {
  trap 'log "SIGTERM: shutting down"; exit 143' TERM INT
  log "ready"
  while :; do
    sleep 5 &
    wait $!
    for pid in $SERVER_PIDS; do
      kill -0 "$pid" 2>/dev/null || die "listener (pid $pid) exited"
    done
  done
}

# retry ATTEMPTS DELAY_SECONDS COMMAND...: bounded retries.
retry() {
  _n=$1; _d=$2; shift 2; _i=1
  while :; do
    "$@" && return 0
    [ "$_i" -ge "$_n" ] && return 1
    _i=$((_i + 1))
    sleep "$_d"
  done
}

# (busybox 1.35 wget segfaults with -T; timeouts come from busybox timeout instead.)
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }

# rpc URL METHOD [USER:PASSWORD]: JSON-RPC 1.0/2.0 POST, prints the response body.
rpc() {
  if [ -n "${3:-}" ]; then
    timeout 5 wget -q -O- --header "Content-Type: application/json" --header "Authorization: Basic $(b64 "$3")" \
      --post-data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":[]}" "$1"
  else
    timeout 5 wget -q -O- --header "Content-Type: application/json" \
      --post-data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":[]}" "$1"
  fi
}

# toml_get FILE KEY: the first `KEY = "value"` (string values only).
toml_get() { sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\"\(.*\)\"[[:space:]]*\$/\1/p" "$1" | head -n 1; }

# json_str JSON KEY: a top-level-ish "KEY":"value" (good enough for the stand-ins' own messages).
json_str() { printf '%s' "$1" | sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }

# must_read FILE WHAT: fail unless this process can read a non-empty FILE.
must_read() { [ -r "$1" ] && [ -s "$1" ] || die "cannot read $2 at $1 ($(ls -ln "$1" 2>&1))"; }

# must_write DIR WHAT: fail unless this process can create a file in DIR.
must_write() {
  _f="$1/.standin-write-test.$$"
  : >"$_f" 2>/dev/null || die "cannot write $2 in $1 ($(ls -lnd "$1" 2>&1))"
  rm -f "$_f"
}

# drop_to USER PROGRAM ARGS...: what the real entrypoints do with setpriv / su-exec after chowning
# their directories as root (busybox su: needs the user in /etc/passwd, execs, keeps the environment).
drop_to() {
  _user=$1; shift
  log "dropping privileges to $_user ($(grep "^$_user:" /etc/passwd | cut -d: -f3,4))"
  # The command goes in one quoted string: su would read the program's own options (--config) as its own.
  _cmd="exec"
  for _a in "$@"; do
    _cmd="$_cmd '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
  done
  exec su -s /bin/sh "$_user" -c "$_cmd"
}
