import { Testing } from "../../lib/cdk";
import { ENVIRONMENTS } from "../../config/environments";
import { imageVariableRequests } from "../../config/catalog";
import { JESSY_SERVICES } from "../../config/jessy/services";
import { Z3_SERVICES } from "../../config/z3/services";
import { ZFS_SYNC_SERVICES } from "../../config/zfs-sync/services";
import { JessyStack } from "../../stacks/jessy/jessy-stack";
import { ZcashStack } from "../../stacks/z3/zcash-stack";
import { ZfsSyncStack } from "../../stacks/zfs-sync/zfs-sync-stack";
import { container, synthJson } from "../helpers";

const NAMES = ["dev", "staging", "production"] as const;

describe("the stacks' image variables are the catalogs'", () => {
  test.each(NAMES)("%s: one `<variable>_image` per deployed service that pulls its own image, plus the backup runner's", (name) => {
    const settings = ENVIRONMENTS[name];
    const cases = [
      [new ZcashStack(Testing.app(), settings), imageVariableRequests(Z3_SERVICES, settings.z3)],
      [new JessyStack(Testing.app(), settings), imageVariableRequests(JESSY_SERVICES, settings.jessy)],
      [new ZfsSyncStack(Testing.app(), settings), imageVariableRequests(ZFS_SYNC_SERVICES, settings.zfsSync)],
    ] as const;
    for (const [stack, requests] of cases) {
      const variables = Object.entries(synthJson(stack).variable ?? {}).filter(([v]) => v.endsWith("_image"));
      expect(variables.map(([v, d]) => `${v}=${(d as { default: string }).default}`).sort()).toEqual(
        [...requests.map((r) => `${r.variable}_image=${r.reference}`), `backup_image=${settings.backup!.image}`].sort(),
      );
    }
  });
});

describe("a system construct puts its builders' parts together", () => {
  const z3 = new ZcashStack(Testing.app(), ENVIRONMENTS.production).z3;
  test("Zallet's builder returns the wallet volume's backup with its identity, the variable that decrypts it", () => {
    const wallet = z3.backupSources.find((s) => s.volume.name === "z3-mainnet-zallet");
    expect(wallet).toMatchObject({ kind: "files" });
    expect(wallet?.kind === "files" ? wallet.companions?.map((c) => c.variableName) : undefined).toEqual(["zallet_identity"]);
  });
  test("every stateful volume has the backup source its builder returned, the wallet first", () => {
    expect(z3.backupSources.map((s) => `${s.kind} ${s.volume.name}`)).toEqual([
      "files z3-mainnet-zallet",
      "rebuildable z3-mainnet-chain",
      "rebuildable z3-mainnet-zaino",
      "rebuildable z3-mainnet-prometheus",
      "rebuildable z3-mainnet-alertmanager",
      "files z3-mainnet-grafana",
    ]);
  });
  test("scrape jobs are the network aliases the builders name, not container names with the prefix cut off", () => {
    expect(z3.prometheusTargets.map((t) => `${t.job} ${t.address}`)).toEqual([
      "zebra zebra:9999",
      "alertmanager alertmanager:9093",
      "prometheus prometheus:9090",
      "grafana grafana:3000",
      "backup backup:9102",
    ]);
  });
});

describe("logging: the settings' default, and each service's override", () => {
  test("an override reaches its service's containers only", () => {
    const settings = {
      ...ENVIRONMENTS.staging,
      z3: {
        ...ENVIRONMENTS.staging.z3,
        logging: { ...ENVIRONMENTS.staging.z3.logging, overrides: { zaino: { maxSizeMiB: 7, maxFiles: 2, compress: false } } },
      },
    };
    const json = synthJson(new ZcashStack(Testing.app(), settings));
    expect(container(json, "z3_zaino").log_opts).toEqual({ "max-size": "7m", "max-file": "2" });
    expect(container(json, "z3_zebra").log_opts).toEqual({ "max-size": "50m", "max-file": "5", compress: "true" });
  });
  test("ZFS Sync's shipped overrides: the app and the proxy rotate 50m × 5, the database by the default", () => {
    const json = synthJson(new ZfsSyncStack(Testing.app(), ENVIRONMENTS.production));
    expect(container(json, "zfs_sync_app").log_opts).toMatchObject({ "max-size": "50m", "max-file": "5" });
    expect(container(json, "zfs_sync_postgres").log_opts).toMatchObject({ "max-size": "10m", "max-file": "3" });
  });
});
