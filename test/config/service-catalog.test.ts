import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS } from "../../config/environments";
import { deployedServices, imageVariableRequests, replicableServices } from "../../config/catalog";
import { loggingOf } from "../../config/common";
import { JESSY_SERVICES } from "../../config/jessy/services";
import { Z3_SERVICES } from "../../config/z3/services";
import { ZFS_SYNC_SERVICES } from "../../config/zfs-sync/services";
import { renderServiceTables, withServiceTables } from "../../scripts/service-tables";
import { clone, problems } from "./settings-helpers";

/** The problems a changed copy of the shipped settings has. */
function problemsAfter(change: (all: ReturnType<typeof clone>) => void): string[] {
  const all = clone();
  change(all);
  return problems(all);
}

describe("each system's service catalog is the one list of its services", () => {
  test("the schema's resources, logging overrides and replicas keys are the catalog's: a key the catalog lacks names the catalog's keys", () => {
    const z3Keys = Object.keys(Z3_SERVICES).join(", ");
    expect(
      problemsAfter((all) => {
        (all.staging.z3.resources as Record<string, unknown>).zcashd = { memoryMiB: 64, cpus: 1 };
        (all.staging.z3.logging as Record<string, unknown>).overrides = { zebrad: { maxSizeMiB: 10, maxFiles: 3, compress: false } };
        (all.staging.jessy.deployment as Record<string, unknown>).replicas = { core: 2 };
      }),
    ).toEqual([
      `[staging] z3.resources.zcashd: got {"memoryMiB":64,"cpus":1}; allowed: no key \`zcashd\` (keys of z3.resources: ${z3Keys})`,
      `[staging] z3.logging.overrides.zebrad: got {"maxSizeMiB":10,"maxFiles":3,"compress":false}; allowed: no key \`zebrad\`: did you mean \`zebra\`? (keys of z3.logging.overrides: ${z3Keys})`,
      "[staging] jessy.deployment.replicas.core: got 2; allowed: no key `core` (keys of jessy.deployment.replicas: api; replicas for the stateless services only: jessy-api only reads jessy-core's volume; jessy-core is its single writer)",
    ]);
  });

  test("replicable services are the catalog's: rpcRouter, api, app and proxy", () => {
    expect(replicableServices(Z3_SERVICES)).toEqual(["rpcRouter"]);
    expect(replicableServices(JESSY_SERVICES)).toEqual(["api"]);
    expect(replicableServices(ZFS_SYNC_SERVICES)).toEqual(["app", "proxy"]);
  });

  test("production limits are required for the services the catalog deploys, and only those", () => {
    expect(deployedServices(Z3_SERVICES, { ...ENVIRONMENTS.production.z3, monitoring: false })).toEqual([
      "zebra",
      "cookiePermissions",
      "zaino",
      "zallet",
    ]);
    // With monitoring off, Prometheus, Grafana and Alertmanager need no limits; Zebra still does.
    expect(
      problemsAfter((all) => {
        all.production.z3.monitoring = false;
        delete all.production.z3.alerting;
        delete all.production.z3.resources.prometheus;
        delete all.production.z3.resources.zebra;
      }),
    ).toEqual([
      "[production] z3.resources.zebra.memoryMiB: got (not set); allowed: a memory limit in MiB (this environment requires resource limits)",
      "[production] z3.resources.zebra.cpus: got (not set); allowed: a CPU limit in cores (this environment requires resource limits)",
    ]);
  });

  test("image variables: one per deployed service that pulls an image of its own, in catalog order", () => {
    const variables = (requests: { variable: string; reference: string }[]) => requests.map((r) => `${r.variable}=${r.reference}`);
    // Dev builds jessy-core and jessy-api from the checkout: only the coverage image is pulled.
    expect(variables(imageVariableRequests(JESSY_SERVICES, ENVIRONMENTS.dev.jessy))).toEqual(["jessy_coverage=xd009642/tarpaulin:0.35.1"]);
    expect(variables(imageVariableRequests(JESSY_SERVICES, ENVIRONMENTS.staging.jessy))).toEqual([
      "jessy_core=jessy-core:1.0.0",
      "jessy_api=jessy-api:1.0.0",
    ]);
    // The migration job runs the app's image; dev has neither PostgreSQL nor the proxy.
    expect(variables(imageVariableRequests(ZFS_SYNC_SERVICES, ENVIRONMENTS.dev.zfsSync))).toEqual(["zfs_sync=zfs-sync:0.2.0"]);
    expect(imageVariableRequests(ZFS_SYNC_SERVICES, ENVIRONMENTS.production.zfsSync).map((r) => r.variable)).toEqual([
      "zfs_sync",
      "postgres",
      "proxy",
    ]);
    expect(imageVariableRequests(Z3_SERVICES, ENVIRONMENTS.dev.z3).map((r) => r.variable)).toEqual([
      "zebra",
      "cookie_permissions",
      "zaino",
      "zallet",
      "rpc_router",
    ]);
  });
});

describe("logging has one shape: a default and per-service overrides", () => {
  test("an override applies to its service only; every other service rotates by the default", () => {
    const policy = ENVIRONMENTS.staging.zfsSync.logging;
    expect(loggingOf(policy, "app")).toEqual({ maxSizeMiB: 50, maxFiles: 5, compress: true });
    expect(loggingOf(policy, "postgres")).toEqual({ maxSizeMiB: 10, maxFiles: 3, compress: false });
    expect(loggingOf(ENVIRONMENTS.production.z3.logging, "grafana")).toBe(ENVIRONMENTS.production.z3.logging.default);
  });

  test("a rotation per service (the earlier ZFS Sync shape) is refused with the override it became", () => {
    expect(
      problemsAfter((all) => {
        (all.dev.zfsSync.logging as Record<string, unknown>).app = { maxSizeMiB: 50, maxFiles: 5, compress: true };
      }),
    ).toEqual([
      '[dev] zfsSync.logging.app: got {"maxSizeMiB":50,"maxFiles":5,"compress":true}; allowed: no key `app`: it was renamed to `overrides.app` (keys of zfsSync.logging: default, overrides)',
    ]);
  });

  test("the backup runner's logging has the same shape, and its problems name the path, the value and what is allowed", () => {
    expect(
      problemsAfter((all) => {
        (all.staging.backup!.logging as Record<string, unknown>) = { maxSizeMiB: 10, maxFiles: 3, compress: false };
        all.production.backup!.logging.default.maxFiles = 0;
      }),
    ).toEqual([
      "[staging] backup.logging.default: got (not set); allowed: json-file rotation settings (maxSizeMiB, maxFiles, compress)",
      "[staging] backup.logging.maxSizeMiB: got 10; allowed: no key `maxSizeMiB`: it was renamed to `default.maxSizeMiB` (keys of backup.logging: default, overrides)",
      "[staging] backup.logging.maxFiles: got 3; allowed: no key `maxFiles`: it was renamed to `default.maxFiles` (keys of backup.logging: default, overrides)",
      "[staging] backup.logging.compress: got false; allowed: no key `compress`: it was renamed to `default.compress` (keys of backup.logging: default, overrides)",
      "[production] backup.logging.default.maxFiles: got 0; allowed: an integer from 1 to 100",
    ]);
  });
});

describe("the README's service tables", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
  test("are the ones rendered from the catalogs and the shipped settings (npm run docs)", () => {
    expect(readme).toBe(withServiceTables(readme, renderServiceTables(ENVIRONMENTS)));
  });
  test("read the catalog and the settings: a changed production limit changes its row", () => {
    const changed = {
      ...ENVIRONMENTS,
      production: {
        ...ENVIRONMENTS.production,
        zfsSync: {
          ...ENVIRONMENTS.production.zfsSync,
          resources: { ...ENVIRONMENTS.production.zfsSync.resources, proxy: { memoryMiB: 96, cpus: 0.25 } },
        },
      },
    };
    expect(renderServiceTables(changed)).toContain(
      "| `zfsSync.proxy` | yes (`zfsSync.deployment.replicas.proxy`) | no | 96 MiB, 0.25 CPU |",
    );
  });
});
