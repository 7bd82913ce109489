#!/usr/bin/env bash
# OpenTofu's state and plan encryption for a CI plan or apply job: writes `export TF_ENCRYPTION=…`
# (the JSON of `npm run tofu:encryption`, which holds the passphrase) to FILE, mode 600, for the
# engine steps to source. FILE's directory is removed by the job's clean-up step.
#
# Usage: scripts/ci-state-encryption.sh FILE
# Environment:
#   TOFU_STATE_PASSPHRASE           the environment's key passphrase (required: an OpenTofu run of a
#                                   staging or production stack never writes its state in clear)
#   TOFU_STATE_PASSPHRASE_PREVIOUS  the previous passphrase while a rotation is under way (optional)
#
# Exit codes: 0 written, 1 no passphrase or a refused one, 2 bad usage.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/ci-state-encryption.sh FILE" >&2; exit 2; }
file="$1"
if [ -z "${TOFU_STATE_PASSPHRASE:-}" ]; then
  echo "::error::TOFU_STATE_PASSPHRASE is not set in this environment: OpenTofu plans and applies of staging and production stacks encrypt their state, and need it (README, \"Encrypted state (OpenTofu)\")"
  exit 1
fi
args=()
if [ -n "${TOFU_STATE_PASSPHRASE_PREVIOUS:-}" ]; then
  args+=(--previous-passphrase-env TOFU_STATE_PASSPHRASE_PREVIOUS)
  echo "key rotation: the previous passphrase is the fallback"
fi
install -d -m 700 "$(dirname "$file")"
config="$(npm run --silent tofu:encryption -- "${args[@]}")"
(umask 077 && printf 'export TF_ENCRYPTION=%q\n' "$config" >"$file")
echo "state and plan encryption: on (pbkdf2 + aes_gcm, enforced)"
