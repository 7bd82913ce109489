# shellcheck shell=bash
# The probe scripts/bootstrap-engine.sh and scripts/bootstrap-tofu.sh run to prove an engine takes
# kreuzwerker/docker from the filesystem mirror: init + validate (and plan, when the Docker daemon is
# up) of a throwaway configuration with one docker_network. Sourced, never run. The caller has
# PROVIDER_VERSION, TF_RC and LOG_DIR, and the helpers mktmp, fail and STEP_NOTE of its step runner.

# mirror_probe ENGINE NAME PLAN: ENGINE is the binary (terraform or a path to tofu), NAME labels the
# log (`$LOG_DIR/verify<NAME>.log`) and the network; PLAN is `plan` to also plan against the live
# Docker daemon (read-only: it configures the provider), anything else to stop after validate.
mirror_probe() {
  local engine="$1" name="$2" plan="$3" label d
  label="$(basename "$engine")"
  mktmp d verify
  cat >"$d/main.tf.json" <<JSON
{
  "terraform": {
    "required_providers": {
      "docker": { "source": "kreuzwerker/docker", "version": "$PROVIDER_VERSION" }
    }
  },
  "provider": { "docker": [ { "host": "unix:///var/run/docker.sock" } ] },
  "resource": {
    "docker_network": {
      "bootstrap_probe": { "name": "z3-bootstrap-verify$name" }
    }
  }
}
JSON
  local vlog="$LOG_DIR/verify$name.log"
  : >"$vlog"
  (cd "$d" && TF_CLI_CONFIG_FILE="$TF_RC" TF_IN_AUTOMATION=1 "$engine" init -input=false -no-color) >>"$vlog" 2>&1 </dev/null \
    || { cat "$vlog" >&2; fail 1 "$label init against the filesystem mirror failed"; }
  grep -q "Installed kreuzwerker/docker v$PROVIDER_VERSION" "$vlog" \
    || { cat "$vlog" >&2; fail 1 "$label init did not install kreuzwerker/docker v$PROVIDER_VERSION"; }
  (cd "$d" && TF_CLI_CONFIG_FILE="$TF_RC" "$engine" validate -no-color) >>"$vlog" 2>&1 </dev/null \
    || { cat "$vlog" >&2; fail 1 "$label validate failed"; }
  local what="init+validate"
  if [ "$plan" = plan ]; then
    (cd "$d" && TF_CLI_CONFIG_FILE="$TF_RC" TF_IN_AUTOMATION=1 "$engine" plan -input=false -no-color -lock=false) >>"$vlog" 2>&1 </dev/null \
      || { cat "$vlog" >&2; fail 1 "$label plan against the Docker daemon failed"; }
    grep -q '1 to add' "$vlog" || { cat "$vlog" >&2; fail 1 "$label plan did not plan the docker_network"; }
    what="init+validate+plan"
  fi
  sed -n 's/^- Installed /  installed: /p; s/^Success! /  validate: /p; s/^Plan: /  plan: /p' "$vlog"
  # shellcheck disable=SC2034  # read by the caller's step runner
  STEP_NOTE="$what ok (log: $vlog)"
}
