/**
 * The README's environment table, rendered from the shipped settings: every row is read from the
 * settings the stacks are built from, so the table cannot drift from them. `npm run docs` writes it
 * into README.md; a test fails when the README's copy differs.
 */
import type { DeploymentSettings, EnvironmentName } from "../config/common";
import { ENVIRONMENT_NAMES } from "../config/common";
import type { EnvironmentSettings } from "../config/settings";
import type { Logging } from "../lib/service";

export const TABLE_START = "<!-- environment-table:start (npm run docs) -->";
export const TABLE_END = "<!-- environment-table:end -->";

const logs = (l: Logging) => `${l.maxSizeMiB}m × ${l.maxFiles}${l.compress ? ", compressed" : ""}`;

/** "app, proxy: 50m × 5, compressed; postgres, migrate: 10m × 3" (services sharing a rotation grouped, in settings order). */
function logsPerService(perService: Readonly<Record<string, Logging>>): string {
  const groups = new Map<string, string[]>();
  for (const [service, l] of Object.entries(perService)) groups.set(logs(l), [...(groups.get(logs(l)) ?? []), service]);
  if (groups.size === 1) return [...groups.keys()][0];
  return [...groups].map(([text, services]) => `${services.join(", ")}: ${text}`).join("; ");
}

/** "containers", or "swarm (app × 2, proxy × 2)": the target and the replicas the settings give. */
function deployment(d: DeploymentSettings | undefined): string {
  if (d?.target !== "swarm") return "containers";
  const replicas = Object.entries(d.replicas ?? {}).map(([service, n]) => `${service} × ${n}`);
  return replicas.length > 0 ? `swarm (${replicas.join(", ")})` : "swarm";
}

const ROWS: readonly [string, (s: EnvironmentSettings) => string][] = [
  ["Docker host (`docker_host`)", (s) => (s.defaultDockerHost !== undefined ? `default \`${s.defaultDockerHost}\`` : "required")],
  ["State backend", (s) => (s.backend.kind === "pg" ? `pg (schema \`<system>_${s.backend.schemaName}\`)` : "local")],
  ["Policy pack", (s) => s.policyPack],
  ["Resource limits", (s) => (s.requireResourceLimits ? "required for every service" : "optional")],
  ["Data volumes `prevent_destroy`", (s) => (s.protectData ? "yes" : "no")],
  ["Images", (s) => (s.requirePinnedImages ? "pinned (no `latest`)" : "any reference")],
  ["Swarm endpoint mode (`swarm.endpointMode`)", (s) => (s.swarm ? `\`${s.swarm.endpointMode}\`` : "no swarm")],
  ["Swarm overlay encryption (`swarm.encryptOverlay`)", (s) => (s.swarm ? (s.swarm.encryptOverlay ? "yes" : "no") : "no swarm")],
  ["Swarm data node (`swarm.dataNodeLabel`)", (s) => (s.swarm ? `\`node.labels.${s.swarm.dataNodeLabel}==true\`` : "no swarm")],
  ["Z3 deployment (`z3.deployment`)", (s) => deployment(s.z3.deployment)],
  ["Jessy deployment (`jessy.deployment`)", (s) => deployment(s.jessy.deployment)],
  ["ZFS Sync deployment (`zfsSync.deployment`)", (s) => deployment(s.zfsSync.deployment)],
  ["Z3 logs (json-file)", (s) => logs(s.z3.logging)],
  ["Jessy logs (json-file)", (s) => logs(s.jessy.logging)],
  ["ZFS Sync logs (json-file)", (s) => logsPerService(s.zfsSync.logging)],
  ["Z3 network", (s) => s.z3.network],
  ["Z3 monitoring / rpc-router", (s) => `${s.z3.monitoring ? "yes" : "no"} / ${s.z3.rpcRouter ? "yes" : "no"}`],
];

export function renderEnvironmentTable(environments: Readonly<Record<EnvironmentName, EnvironmentSettings>>): string {
  const header = `| Setting | ${ENVIRONMENT_NAMES.join(" | ")} |`;
  const rule = `|---|${ENVIRONMENT_NAMES.map(() => "---").join("|")}|`;
  const rows = ROWS.map(([name, cell]) => `| ${name} | ${ENVIRONMENT_NAMES.map((e) => cell(environments[e])).join(" | ")} |`);
  return [TABLE_START, header, rule, ...rows, TABLE_END].join("\n");
}

/** The README with its environment table replaced by `table`; throws when the markers are missing. */
export function withEnvironmentTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} block`);
  return readme.slice(0, start) + table + readme.slice(end + TABLE_END.length);
}
