#!/usr/bin/env bash
# Refreshes test/fixtures/provider-docker-schema.json: the resource and data source types,
# attributes and nested blocks of the kreuzwerker/docker provider the stacks run against (4.6), read with
# `terraform providers schema -json` from the provider in the bootstrap's filesystem mirror and
# compacted (names only). test/lib/provider-schema.test.ts checks every stack against it.
#
# Usage: scripts/refresh-provider-schema.sh   (after scripts/bootstrap-engine.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${INFRA_CACHE_DIR:-$HOME/.cache/z3-infra}"
export TF_CLI_CONFIG_FILE="$CACHE/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
[ -f "$TF_CLI_CONFIG_FILE" ] || { echo "no $TF_CLI_CONFIG_FILE: run scripts/bootstrap-engine.sh first" >&2; exit 1; }

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cat >"$work/main.tf.json" <<'JSON'
{ "terraform": { "required_providers": { "docker": { "source": "kreuzwerker/docker", "version": "4.6.0" } } } }
JSON
(cd "$work" && terraform init -input=false -no-color >/dev/null)
(cd "$work" && terraform providers schema -json) >"$work/schema.json"
node - "$work/schema.json" "$CACHE/provider-build-info.txt" <<'JS'
const fs = require("fs");
const [schemaFile, infoFile] = process.argv.slice(2);
const raw = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const provider = raw.provider_schemas["registry.terraform.io/kreuzwerker/docker"];
// A block as { attributes: [names], blocks: { name: block } }, keys sorted for a stable diff.
const compact = (block) => ({
  attributes: Object.keys(block.attributes ?? {}).sort(),
  blocks: Object.fromEntries(Object.keys(block.block_types ?? {}).sort().map((b) => [b, compact(block.block_types[b].block)])),
});
const info = fs.existsSync(infoFile) ? fs.readFileSync(infoFile, "utf8") : "";
const source = (info.match(/^source:\s+(.*)$/m) ?? [])[1] ?? "unknown";
const out = {
  "//": `kreuzwerker/docker schema (names only), from scripts/refresh-provider-schema.sh; provider ${source}`,
  provider: compact(provider.provider.block),
  resources: Object.fromEntries(Object.keys(provider.resource_schemas).sort().map((r) => [r, compact(provider.resource_schemas[r].block)])),
  data_sources: Object.fromEntries(Object.keys(provider.data_source_schemas ?? {}).sort().map((r) => [r, compact(provider.data_source_schemas[r].block)])),
};
fs.writeFileSync("test/fixtures/provider-docker-schema.json", JSON.stringify(out, null, 1) + "\n");
console.log(`wrote test/fixtures/provider-docker-schema.json: ${Object.keys(out.resources).length} resource types, ${Object.keys(out.data_sources).length} data sources`);
JS
