import { Construct } from "../../lib/cdk";
import { BackupSource, ContainerImage, Network, NetworkAttachment, Service, Volume } from "../../lib";
import type { ZfsSyncImageName, ZfsSyncSettings } from "../../config/zfs-sync/schema";
import { ServiceParts } from "../service-parts";
import { appService } from "./app";
import { ZfsSyncContext } from "./context";
import { appDatabase } from "./database";
import { migrateService } from "./migrate";
import { postgresService } from "./postgres";
import { proxyService } from "./proxy";

/** What the stack decides for one deployment and the settings do not hold. */
export interface ZfsSyncDeployment {
  /** Prefix of every Docker name (containers, volumes, networks), so environments can share a host. */
  readonly namePrefix: string;
  /**
   * Image reference per image the stack chose (usually a Terraform variable defaulting to the settings).
   * @default - the settings' reference, for each image not given
   */
  readonly images?: Readonly<Partial<Record<ZfsSyncImageName, string>>>;
  /**
   * `server_name` of the proxy (a Terraform expression is fine).
   * @default "_" - any name
   */
  readonly serverName?: string;
  /** `prevent_destroy` on the database volume. */
  readonly protectData: boolean;
}

/**
 * ZFS Sync, the FastAPI "witness" service (`nickilby/zfs_sync`): the app on SQLite (upstream base
 * stack), or the app on PostgreSQL 15 with a migration job and a TLS proxy (upstream production
 * override, repaired: one shared network, a file-delivered password, a config file the app reads).
 */
export class ZfsSync extends Construct {
  readonly app: Service;
  readonly postgres?: Service;
  readonly migrate?: Service;
  readonly proxy?: Service;
  /** App, database and migration job; internal. */
  readonly network: Network;
  /** Proxy ↔ app; internal. */
  readonly frontendNetwork?: Network;
  /** Non-internal, for the one container that publishes a port (the app without a proxy, else the proxy). */
  readonly edgeNetwork?: Network;
  /** SQLite data (named-volume variant) or PostgreSQL data. */
  readonly dataVolume?: Volume;
  /** How its data is backed up: PostgreSQL through pg_dump, SQLite as files. */
  readonly backupSources: readonly BackupSource[];
  readonly services: readonly Service[];

  constructor(scope: Construct, id: string, settings: ZfsSyncSettings, deployment: ZfsSyncDeployment) {
    super(scope, id);
    const prefix = deployment.namePrefix;
    const image = (name: ZfsSyncImageName) => deployment.images?.[name] ?? settings.images[name];
    const proxySettings = settings.proxy;
    // Upstream's zfs-sync-network, shared by app, database and migration job (upstream since 6626207
    // puts app and database on different networks, so `postgres` does not resolve). Internal: nothing
    // on it needs a route out. Docker publishes no port of a container attached to internal networks
    // only, so whatever publishes a port (the app in dev, else the proxy) also joins the edge network.
    const appPublishes = settings.appHostPort !== undefined;
    this.network = new Network(this, "Network", { name: `${prefix}-network`, internal: true });
    this.edgeNetwork =
      appPublishes || proxySettings ? new Network(this, "EdgeNetwork", { name: `${prefix}-edge`, internal: false }) : undefined;
    this.frontendNetwork = proxySettings ? new Network(this, "FrontendNetwork", { name: `${prefix}-frontend`, internal: true }) : undefined;
    const database = appDatabase(this, settings, prefix, deployment.protectData);
    this.dataVolume = database.volume;
    const ctx: ZfsSyncContext = {
      settings,
      namePrefix: prefix,
      network: this.network,
      appImage: new ContainerImage(this, "AppImage", { reference: image("app") }),
      database,
      images: { postgres: image("postgres"), proxy: image("proxy") },
    };

    const postgres =
      settings.database.kind === "postgres" && database.volume && database.password
        ? postgresService(this, {
            ...ctx,
            volume: database.volume,
            password: database.password,
            waitForHealthySeconds: settings.database.waitForHealthySeconds,
          })
        : undefined;
    this.postgres = postgres?.service;
    const migrate = settings.migrations ? migrateService(this, { ...ctx, postgres: this.postgres }) : undefined;
    this.migrate = migrate?.service;
    const appNetworks: NetworkAttachment[] = [
      { network: this.network, aliases: ["zfs-sync"] },
      ...(appPublishes && this.edgeNetwork ? [{ network: this.edgeNetwork, aliases: ["zfs-sync"] }] : []),
      ...(this.frontendNetwork ? [{ network: this.frontendNetwork, aliases: ["zfs-sync"] }] : []),
    ];
    const app = appService(this, { ...ctx, networks: appNetworks, postgres: this.postgres, migrate: this.migrate });
    this.app = app.service;
    const proxy =
      proxySettings && this.edgeNetwork && this.frontendNetwork
        ? proxyService(this, {
            ...ctx,
            proxy: proxySettings,
            edgeNetwork: this.edgeNetwork,
            frontendNetwork: this.frontendNetwork,
            app: this.app,
            serverName: deployment.serverName ?? "_",
          })
        : undefined;
    this.proxy = proxy?.service;

    const parts = [postgres, migrate, app, proxy].filter((p): p is ServiceParts => p !== undefined);
    this.services = parts.map((p) => p.service);
    this.backupSources = parts.flatMap((p) => p.backupSources ?? []);
  }
}
