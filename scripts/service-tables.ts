/**
 * The README's service tables, rendered from each system's service catalog (config/<system>/services.ts)
 * and the shipped settings: what runs, its image variable and default, when it is deployed, whether it
 * may be replicated, whether it is stateful, and its production limits. `npm run docs` writes them into
 * README.md; a test fails when the README's copy differs.
 */
import type { EnvironmentName } from "../config/common";
import type { EnvironmentSettings } from "../config/settings";
import type { CatalogEntry, ServiceCatalog } from "../config/catalog";
import { JESSY_SERVICES } from "../config/jessy/services";
import { Z3_SERVICES } from "../config/z3/services";
import { ZFS_SYNC_SERVICES } from "../config/zfs-sync/services";
import { withBlock } from "../tools/generated-block";

export const SERVICE_TABLES_START = "<!-- service-tables:start (npm run docs) -->";
export const SERVICE_TABLES_END = "<!-- service-tables:end -->";

type Environments = Readonly<Record<EnvironmentName, EnvironmentSettings>>;

interface SystemTable<K extends string, S> {
  readonly title: string;
  /** The Docker name prefix, as the table shows it. */
  readonly prefix: string;
  /** The settings key of the system (`z3`, `jessy`, `zfsSync`). */
  readonly key: string;
  readonly catalog: ServiceCatalog<K, S>;
  readonly settings: (
    e: EnvironmentSettings,
  ) => S & { readonly resources: Readonly<Partial<Record<K, { memoryMiB?: number; cpus?: number }>>> };
}

const code = (s: string) => `\`${s}\``;

function imageCell<S>(entry: CatalogEntry<S>, production: S, catalog: ServiceCatalog<string, S>): string {
  if (entry.image === undefined) {
    const runs = entry.runs ?? "";
    return runs in catalog ? `${catalog[runs].name}'s image` : runs;
  }
  const reference = entry.image.reference(production);
  const when = entry.image.pulled === undefined ? "" : " (pulled images only; a built image is named by the settings' tag)";
  return `${code(`${entry.image.variable}_image`)}${when}${reference === undefined ? "" : `, ${code(reference)}`}`;
}

function limitsCell(limits: { memoryMiB?: number; cpus?: number } | undefined): string {
  if (limits?.memoryMiB === undefined && limits?.cpus === undefined) return "–";
  return [limits.memoryMiB !== undefined ? `${limits.memoryMiB} MiB` : "", limits.cpus !== undefined ? `${limits.cpus} CPU` : ""]
    .filter((x) => x !== "")
    .join(", ");
}

function renderSystem<K extends string, S>(t: SystemTable<K, S>, environments: Environments): string {
  const production = t.settings(environments.production);
  const names = Object.keys(t.catalog) as K[];
  const rows = names.map((key) => {
    const e: CatalogEntry<S> = t.catalog[key];
    const stateful = e.stateful === true ? "yes" : e.stateful === false ? "no" : e.stateful;
    return `| ${code(key)} | ${code(`${t.prefix}-${e.name}`)}: ${e.summary} | ${imageCell(e, production, t.catalog as ServiceCatalog<string, S>)} | ${e.deployedWhenText} | ${e.replicable ? `yes (${code(`${t.key}.deployment.replicas.${key}`)})` : "no"} | ${stateful} | ${limitsCell(production.resources[key])} |`;
  });
  return [
    `**${t.title}**`,
    "",
    "| Service (settings key) | Container: what it is | Image variable, production default | Deployed when | Replicas on swarm | Stateful | Production limits |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** The three tables, between their markers. */
export function renderServiceTables(environments: Environments): string {
  const z3 = renderSystem(
    {
      title: "Zcash Z3",
      prefix: "z3-<net>",
      key: "z3",
      catalog: Z3_SERVICES,
      settings: (e) => e.z3,
    },
    environments,
  );
  const jessy = renderSystem(
    { title: "Jessy", prefix: "jessy-<env>", key: "jessy", catalog: JESSY_SERVICES, settings: (e) => e.jessy },
    environments,
  );
  const zfsSync = renderSystem(
    { title: "ZFS Sync", prefix: "zfs-sync-<env>", key: "zfsSync", catalog: ZFS_SYNC_SERVICES, settings: (e) => e.zfsSync },
    environments,
  );
  return [SERVICE_TABLES_START, z3, "", jessy, "", zfsSync, SERVICE_TABLES_END].join("\n");
}

/** The README with its service tables replaced by `tables`; throws when the markers are missing. */
export function withServiceTables(readme: string, tables: string): string {
  return withBlock(readme, SERVICE_TABLES_START, SERVICE_TABLES_END, tables, "README.md");
}
