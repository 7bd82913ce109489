import { Testing } from "../../lib/cdk";
import { buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { synthJson } from "../helpers";

/**
 * The Terraform address of every volume of every shipped stack. A changed address is a destroy and a
 * create: data loss for a stateful volume, a replaced container for a files volume. Change this list
 * only together with a `moved` block or a reviewed migration.
 */
const VOLUME_ADDRESSES: Readonly<Record<string, readonly string[]>> = {
  "jessy-dev": ["jessy_cargo_cache", "jessy_go_cache", "jessy_mmap_data", "jessy_target_cache", "jessy_test_results"],
  // On the swarm: files are swarm secrets and configs, no files volumes.
  "jessy-staging": ["jessy_mmap_data"],
  "jessy-production": ["jessy_api_files_run_secrets", "jessy_mmap_data"],
  "zcash-dev": [
    "z3_chain_volume",
    "z3_cookie_volume",
    "z3_zaino_files_etc_zaino",
    "z3_zaino_volume",
    "z3_zallet_files_etc_zallet",
    "z3_zallet_volume",
    "z3_zebra_files_home_zebra_config",
  ],
  "zcash-staging": [
    "z3_alertmanager_files_etc_alertmanager",
    "z3_alertmanager_volume",
    "z3_chain_volume",
    "z3_cookie_volume",
    "z3_grafana_files_etc_grafana_provisioning_datasources",
    "z3_grafana_files_run_secrets",
    "z3_grafana_volume",
    "z3_prometheus_files_etc_prometheus",
    "z3_prometheus_volume",
    "z3_zaino_files_etc_zaino",
    "z3_zaino_volume",
    "z3_zallet_files_etc_zallet",
    "z3_zallet_volume",
  ],
  "zfs-sync-dev": ["zfs_sync_app_files_app_config", "zfs_sync_data_volume", "zfs_sync_logs_volume"],
  // On the swarm: the migration job is the only container (files loader volume); logs are per task.
  "zfs-sync-staging": ["zfs_sync_migrate_files_app_config", "zfs_sync_postgres_volume"],
  "zfs-sync-production": [
    "zfs_sync_app_files_app_config",
    "zfs_sync_logs_volume",
    "zfs_sync_migrate_files_app_config",
    "zfs_sync_postgres_files_run_secrets",
    "zfs_sync_postgres_volume",
    "zfs_sync_proxy_files_etc_nginx_zfs_sync",
    "zfs_sync_proxy_files_run_secrets",
  ],
};
// Z3 production has the same volumes as staging (Mainnet instead of Testnet changes names, not addresses).
const SYSTEM_VOLUMES: Readonly<Record<string, readonly string[]>> = {
  ...VOLUME_ADDRESSES,
  "zcash-production": VOLUME_ADDRESSES["zcash-staging"],
};

/**
 * The files volumes of every stack's backup runner (a container even on a swarm, `lib/backup.ts`): its
 * program and restic settings, the restic password and SSH key, and per stack the companion files
 * stored with a volume (Z3: Zallet's identity) or the PostgreSQL password for pg_dump (ZFS Sync with
 * PostgreSQL). A files volume carries no data: a changed address replaces the runner, nothing else.
 */
const BACKUP_RUNNER_VOLUMES: Readonly<Record<string, readonly string[]>> = {
  jessy: ["backup_runner_files_etc_restic", "backup_runner_files_run_secrets_restic"],
  zcash: ["backup_runner_files_etc_restic", "backup_runner_files_run_secrets_companions", "backup_runner_files_run_secrets_restic"],
  "zfs-sync-dev": ["backup_runner_files_etc_restic", "backup_runner_files_run_secrets_restic"],
  "zfs-sync": ["backup_runner_files_etc_restic", "backup_runner_files_run_secrets_postgres", "backup_runner_files_run_secrets_restic"],
};
const backupVolumesOf = (stack: string): readonly string[] =>
  BACKUP_RUNNER_VOLUMES[stack] ?? BACKUP_RUNNER_VOLUMES[stack.slice(0, stack.lastIndexOf("-"))];

const EXPECTED: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(SYSTEM_VOLUMES).map(([stack, volumes]) => [stack, [...volumes, ...backupVolumesOf(stack)]]),
);

const stacks = buildApp(Testing.app(), ENVIRONMENTS).map((s) => [s.node.id, synthJson(s)] as const);

describe("volume addresses of the shipped stacks", () => {
  test("every stack is pinned", () => expect(stacks.map(([id]) => id).sort()).toEqual(Object.keys(EXPECTED).sort()));
  test.each(stacks)("%s keeps its volume addresses", (id, json) => {
    expect(Object.keys(json.resource.docker_volume ?? {}).sort()).toEqual([...EXPECTED[id]].sort());
  });
});
