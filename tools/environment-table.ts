/**
 * The README's environment table, rendered from the shipped settings: every row is read from the
 * settings the stacks are built from, so the table cannot drift from them. `npm run docs` writes it
 * into README.md; a test fails when the README's copy differs.
 */
import type { DeploymentSettings, EnvironmentName, LoggingPolicy } from "../config/common";
import { ENVIRONMENT_NAMES, loggingOf } from "../config/common";
import type { EnvironmentSettings } from "../config/settings";
import { alertTimingOf, Z3_SERVICE_NAMES, type Z3Settings } from "../config/z3/schema";
import { JESSY_SERVICE_NAMES } from "../config/jessy/schema";
import { ZFS_SYNC_SERVICE_NAMES } from "../config/zfs-sync/schema";
import { promDuration as d } from "../stacks/z3/config-files";
import type { Logging } from "../lib/service";
import { releaseOfImage, supportWindow, dayOf } from "../config/z3/zebra-releases";
import { withBlock } from "./generated-block";

export const TABLE_START = "<!-- environment-table:start (npm run docs) -->";
export const TABLE_END = "<!-- environment-table:end -->";

const logs = (l: Logging) => `${l.maxSizeMiB}m × ${l.maxFiles}${l.compress ? ", compressed" : ""}`;

/** "app, proxy: 50m × 5, compressed; postgres, migrate: 10m × 3" (services sharing a rotation grouped, in catalog order). */
function logsPerService<K extends string>(policy: LoggingPolicy<K>, services: readonly K[]): string {
  const groups = new Map<string, string[]>();
  for (const service of services) {
    const l = logs(loggingOf(policy, service));
    groups.set(l, [...(groups.get(l) ?? []), service]);
  }
  if (groups.size === 1) return [...groups.keys()][0];
  return [...groups].map(([text, services]) => `${services.join(", ")}: ${text}`).join("; ");
}

/** "containers", or "swarm (app × 2, proxy × 2)": the target and the replicas the settings give. */
function deployment(d: DeploymentSettings | undefined): string {
  if (d?.target !== "swarm") return "containers";
  const replicas = Object.entries(d.replicas ?? {}).map(([service, n]) => `${service} × ${n}`);
  return replicas.length > 0 ? `swarm (${replicas.join(", ")})` : "swarm";
}

const minutes = (m: number) => (m % 60 === 0 ? `${m / 60} h` : `${m} min`);

/** "oncall: webhook (critical, warning)", one entry per receiver; "none" when alerts stay in Alertmanager. */
function receivers(z3: Z3Settings): string {
  if (!z3.monitoring) return "no monitoring";
  const list = z3.alerting?.receivers ?? [];
  return list.length === 0
    ? "none (alerts stay in Alertmanager)"
    : list.map((r) => `${r.name}: ${r.kind} (${r.severities.join(", ")})`).join("; ");
}

/** "every 15s; down 2m; wait 30s, interval 5m, repeat 4h": the Prometheus and Alertmanager timing in effect. */
function timing(z3: Z3Settings): string {
  if (!z3.monitoring) return "no monitoring";
  const t = alertTimingOf(z3.alerting);
  return `every ${d(t.evaluationIntervalSeconds)}; down ${d(t.serviceDownForSeconds)}; wait ${d(t.groupWaitSeconds)}, interval ${d(t.groupIntervalSeconds)}, repeat ${d(t.repeatIntervalMinutes * 60)}`;
}

/** "halts 2026-12-17 (est.); plans warn from 2026-12-03, fail from 2026-12-12", or why there is no window. */
function zebraWindow(z3: Z3Settings): string {
  if (z3.network !== "Mainnet") return `none: ${z3.network} nodes do not halt`;
  const release = releaseOfImage(z3.images.zebra, z3.zebraReleases);
  if (!release) return "unknown release";
  const w = supportWindow(release);
  return `${w.version} halts at height ${w.haltHeight}, ${dayOf(w.haltAt)} (est.); plans warn from ${dayOf(w.warnAt)}, fail from ${dayOf(w.refuseFrom)}`;
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
  [
    "Backups (`backup`, [docs/backups.md](docs/backups.md))",
    (s) => (s.backup ? (s.backup.required ? "required" : "when `backup_repository` is set") : "none"),
  ],
  [
    "Backup interval / alert after",
    (s) => (s.backup ? `${minutes(s.backup.intervalMinutes)} / ${minutes(s.backup.maxAgeMinutes)}` : "none"),
  ],
  [
    "Snapshots kept (`backup.keep`)",
    (s) =>
      s.backup
        ? `all of ${s.backup.keep.withinHours} h, ${s.backup.keep.daily} daily, ${s.backup.keep.weekly} weekly, ${s.backup.keep.monthly} monthly`
        : "none",
  ],
  ["Rebuildable volumes (`backup.rebuildable`)", (s) => (s.backup ? s.backup.rebuildable : "none")],
  ["Z3 deployment (`z3.deployment`)", (s) => deployment(s.z3.deployment)],
  ["Jessy deployment (`jessy.deployment`)", (s) => deployment(s.jessy.deployment)],
  ["ZFS Sync deployment (`zfsSync.deployment`)", (s) => deployment(s.zfsSync.deployment)],
  ["Z3 logs (json-file)", (s) => logsPerService(s.z3.logging, Z3_SERVICE_NAMES)],
  ["Jessy logs (json-file)", (s) => logsPerService(s.jessy.logging, JESSY_SERVICE_NAMES)],
  ["ZFS Sync logs (json-file)", (s) => logsPerService(s.zfsSync.logging, ZFS_SYNC_SERVICE_NAMES)],
  ["Z3 network", (s) => s.z3.network],
  [
    "Z3 images (`z3.images`): Zebra, Zaino, Zallet",
    (s) => [s.z3.images.zebra, s.z3.images.zaino, s.z3.images.zallet].map((i) => `\`${i}\``).join(", "),
  ],
  ["Zebra support window ([docs/zebra-upgrades.md](docs/zebra-upgrades.md))", (s) => zebraWindow(s.z3)],
  ["Z3 monitoring / rpc-router", (s) => `${s.z3.monitoring ? "yes" : "no"} / ${s.z3.rpcRouter ? "yes" : "no"}`],
  ["Z3 alert receivers (`z3.alerting.receivers`)", (s) => receivers(s.z3)],
  ["Z3 alert timing (`z3.alerting`): scrape and evaluate; ServiceDown `for`; group wait, interval, repeat", (s) => timing(s.z3)],
];

export function renderEnvironmentTable(environments: Readonly<Record<EnvironmentName, EnvironmentSettings>>): string {
  const header = `| Setting | ${ENVIRONMENT_NAMES.join(" | ")} |`;
  const rule = `|---|${ENVIRONMENT_NAMES.map(() => "---").join("|")}|`;
  const rows = ROWS.map(([name, cell]) => `| ${name} | ${ENVIRONMENT_NAMES.map((e) => cell(environments[e])).join(" | ")} |`);
  return [TABLE_START, header, rule, ...rows, TABLE_END].join("\n");
}

/** The README with its environment table replaced by `table`; throws when the markers are missing. */
export function withEnvironmentTable(readme: string, table: string): string {
  return withBlock(readme, TABLE_START, TABLE_END, table, "README.md");
}
