# shellcheck shell=bash
# The step runner of scripts/bootstrap-engine.sh and scripts/bootstrap-tofu.sh. Sourced, never run;
# the caller sets STEP_LOG_NAME (the log prefix, e.g. bootstrap-engine) and STEP_NAME_WIDTH (the
# width of the summary's name column) first.
#
#   log MESSAGE...           a line prefixed [STEP_LOG_NAME]
#   run_step NAME FUNCTION   runs FUNCTION; its time and STEP_NOTE go into the summary
#   skip_step NAME WHY       a summary line for a step not run
#   fail CODE MESSAGE...     names the running step, prints the summary, exits with CODE
#   print_summary            every step's line and the total time
#   mktmp VAR NAME           a temporary directory removed at exit, its path into VAR
#
# A command that fails outside a condition (the ERR trap) fails the running step, quoting the
# command and its line.

log() { printf '[%s] %s\n' "$STEP_LOG_NAME" "$*"; }

TMP_DIRS=()
cleanup() { local d; for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT
# No $(...) around mktmp: a subshell could not register the directory for clean-up.
mktmp() {
  local _d; _d="$(mktemp -d "${TMPDIR:-/tmp}/z3-$STEP_LOG_NAME.$2.XXXXXX")"
  TMP_DIRS+=("$_d"); printf -v "$1" '%s' "$_d"
}

SUMMARY=()
CURRENT_STEP=""
STEP_NOTE=""
now_us() { local t="$EPOCHREALTIME"; printf '%s' "${t/./}"; }
fmt_secs() { printf '%d.%01d' "$(($1 / 1000000))" "$((($1 % 1000000) / 100000))"; }
SCRIPT_START="$(now_us)"

print_summary() {
  local total line; total=$(( $(now_us) - SCRIPT_START ))
  echo
  echo "==== $STEP_LOG_NAME summary ===="
  for line in "${SUMMARY[@]+"${SUMMARY[@]}"}"; do echo "  $line"; done
  echo "  total: $(fmt_secs "$total")s"
}

fail() {  # fail CODE MESSAGE...
  local code="$1" where=""; shift
  if [ -n "$CURRENT_STEP" ]; then
    where=" in step '$CURRENT_STEP'"
    SUMMARY+=("$(printf "%-${STEP_NAME_WIDTH}s FAILED" "$CURRENT_STEP")")
  fi
  printf '\n[%s] ERROR%s: %s\n' "$STEP_LOG_NAME" "$where" "$*" >&2
  CURRENT_STEP=""
  print_summary >&2
  exit "$code"
}

on_err() { local rc=$? line=$1; fail "$rc" "command failed (exit $rc) at line $line: $BASH_COMMAND"; }
trap 'on_err $LINENO' ERR
set -o errtrace

run_step() {  # run_step NAME FUNCTION
  local name="$1" fn="$2" t0 dt
  CURRENT_STEP="$name"
  log "---- $name"
  t0="$(now_us)"
  STEP_NOTE=""
  "$fn"
  dt=$(( $(now_us) - t0 ))
  SUMMARY+=("$(printf "%-${STEP_NAME_WIDTH}s ok %6ss  %s" "$name" "$(fmt_secs "$dt")" "$STEP_NOTE")")
  log "     $name done in $(fmt_secs "$dt")s${STEP_NOTE:+ ($STEP_NOTE)}"
  CURRENT_STEP=""
}

skip_step() {  # skip_step NAME WHY
  SUMMARY+=("$(printf "%-${STEP_NAME_WIDTH}s skipped  %s" "$1" "$2")")
  log "---- $1: skipped ($2)"
}
