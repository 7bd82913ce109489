#!/usr/bin/env bash
# Prepares the engine of a CI plan or apply job (.github/actions/engine): Terraform or OpenTofu, with
# kreuzwerker/docker from the downloaded provider artifact only, and the stack's lock file for that
# engine. Writes ENGINE and TF_CLI_CONFIG_FILE to $GITHUB_ENV and the tofu directory to $GITHUB_PATH.
#
# Usage: scripts/ci-engine.sh ENGINE PROVIDERS_DIR TOFU_DIR STACK_DIR
#   ENGINE          terraform or tofu
#   PROVIDERS_DIR   the terraform-provider-docker artifact (registry.terraform.io/kreuzwerker/docker/…)
#   TOFU_DIR        the opentofu artifact (the `tofu` binary); ignored for terraform
#   STACK_DIR       cdktf.out/stacks/<stack>: gets .terraform.lock.hcl for the engine
#
# Exit codes: 0 ready, 1 something is missing, 2 bad usage.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: scripts/ci-engine.sh ENGINE PROVIDERS_DIR TOFU_DIR STACK_DIR" >&2; exit 2; }
engine="$1" providers="$2" tofu_dir="$3" stack_dir="$4"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${GITHUB_ENV:?GITHUB_ENV is not set (this script runs in a GitHub Actions job)}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set (this script runs in a GitHub Actions job)}"

case "$engine" in
  terraform) host="registry.terraform.io" ;;
  tofu) host="registry.opentofu.org" ;;
  *) echo "::error::engine must be terraform or tofu, got '$engine' (the TERRAFORM_BINARY_NAME variable)"; exit 2 ;;
esac
[ -d "$providers/registry.terraform.io/kreuzwerker/docker" ] \
  || { echo "::error::no kreuzwerker/docker in $providers (the terraform-provider-docker artifact)"; exit 1; }
[ -f "$stack_dir/cdk.tf.json" ] || { echo "::error::no stack in $stack_dir"; exit 1; }

# Artifacts do not keep the executable bit.
find "$providers" -type f -name 'terraform-provider-*' -exec chmod 0755 {} +
if [ "$engine" = tofu ]; then
  [ -f "$tofu_dir/tofu" ] || { echo "::error::no tofu in '$tofu_dir' (the opentofu artifact of terraform-provider.yml with engine tofu)"; exit 1; }
  chmod 0755 "$tofu_dir/tofu"
  echo "$tofu_dir" >>"${GITHUB_PATH:?}"
  # The same build under OpenTofu's registry host (a copy: OpenTofu does not follow a linked
  # provider directory in a filesystem mirror).
  rm -rf "$providers/registry.opentofu.org/kreuzwerker/docker"
  mkdir -p "$providers/registry.opentofu.org/kreuzwerker"
  cp -r "$providers/registry.terraform.io/kreuzwerker/docker" "$providers/registry.opentofu.org/kreuzwerker/docker"
fi

cat >"$RUNNER_TEMP/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$providers"
    include = ["$host/kreuzwerker/docker"]
  }
  direct {
    exclude = ["$host/kreuzwerker/docker"]
  }
}
RC

# The committed lock names registry.terraform.io; OpenTofu looks the provider up under its own host.
# The checksums stay: `init -lockfile=readonly` refuses any other build on either engine.
sed "s#\"registry.terraform.io/kreuzwerker/docker\"#\"$host/kreuzwerker/docker\"#" \
  "$root/.terraform.lock.hcl" >"$stack_dir/.terraform.lock.hcl"

{
  echo "ENGINE=$engine"
  echo "TF_CLI_CONFIG_FILE=$RUNNER_TEMP/terraformrc"
} >>"$GITHUB_ENV"
echo "engine: $engine ($host/kreuzwerker/docker from $providers)"
