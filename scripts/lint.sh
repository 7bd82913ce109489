#!/usr/bin/env bash
# The repository's linters (npm run lint), each over everything it covers. All of them run, even
# after one has failed, so that one run reports every finding; the script fails if any failed.
#
#   - eslint: typescript-eslint over every .ts, .js and .mjs file (eslint.config.mjs)
#   - prettier: --check of every .ts and .js file (.prettierrc.json, .prettierignore)
#   - shellcheck: scripts/**/*.sh and .ci/run, following the files they source
#     (scripts/.shellcheckrc); it must be on PATH (Debian: apt-get install shellcheck)
#
# The GitHub workflows have their own linter (scripts/lint-workflows.sh, npm run lint:workflows).
#
# Usage: scripts/lint.sh
# Exit codes: 0 no findings; 1 findings, or a linter missing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

failed=()
lint() {  # lint NAME COMMAND...
  local name="$1"; shift
  printf -- '--- %s\n' "$name"
  "$@" || failed+=("$name")
}

lint eslint npx --no-install eslint --max-warnings 0 .
lint prettier npx --no-install prettier --check --log-level warn "**/*.{ts,js}"
if command -v shellcheck >/dev/null 2>&1; then
  mapfile -t shell_files < <(find scripts -name '*.sh' -type f | sort)
  lint shellcheck shellcheck .ci/run "${shell_files[@]}"
else
  echo "shellcheck is not on PATH (Debian: apt-get install shellcheck)" >&2
  failed+=("shellcheck (missing)")
fi

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'lint: findings from %s\n' "${failed[*]}" >&2
  exit 1
fi
echo "lint: no findings"
