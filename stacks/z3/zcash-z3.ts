import { Construct } from "../../lib/cdk";
import { BackupSource, Condition, Network, ProblemCollector, Secret, Service, Volume } from "../../lib";
import { Z3ServiceName, Z3Settings } from "../../config/z3/schema";
import { ScrapeTarget } from "./config-files";
import { cookiePermissionsService } from "./cookie-permissions";
import { monitoringServices } from "./monitoring";
import { networkProfile } from "./network-profile";
import { rpcRouterService } from "./rpc-router";
import { zainoService } from "./zaino";
import { zalletService } from "./zallet";
import { zebraService } from "./zebra";
import { ZebraSupportWindow } from "./zebra-support";

/** What the stack decides for Z3 besides its settings. */
export interface ZcashZ3Props {
  /** Image reference per service: the stack's `<service>_image` variables, defaulting to the settings' images. */
  readonly images: Readonly<Record<Z3ServiceName, string>>;
  /** `prevent_destroy` on the chain, wallet, indexer and monitoring data volumes. */
  readonly protectData: boolean;
  /**
   * Gates Zaino, Zallet and the router (the two-phase boot: Zebra first, consumers once `/ready`).
   * @default - always deployed
   */
  readonly consumersEnabledWhen?: Condition;
}

/**
 * The Zcash Z3 stack: Zebra, the cookie-permissions sidecar, Zaino, Zallet, the rpc-router (Regtest)
 * and optional monitoring, as z3's compose files at HEAD run them.
 */
export class ZcashZ3 extends Construct {
  readonly network: Network;
  readonly chainVolume: Volume;
  readonly cookieVolume: Volume;
  readonly zainoVolume: Volume;
  readonly zalletVolume: Volume;
  readonly zebra: Service;
  readonly cookiePermissions: Service;
  readonly zaino: Service;
  readonly zallet: Service;
  readonly rpcRouter?: Service;
  /** Zebra's end-of-support guard (Mainnet). */
  readonly supportWindow?: ZebraSupportWindow;
  readonly services: Service[] = [];
  /**
   * How each stateful volume is backed up: the wallet with its age identity (useless apart) and
   * Grafana's SQLite as files; the chain, Zaino's index and the metrics as rebuildable.
   */
  readonly backupSources: readonly BackupSource[];
  /** Services of the stack outside Z3 that Prometheus scrapes (the backup runner). */
  private readonly monitored: { service: Service; optional: boolean }[] = [];
  private backupMaxAgeMinutes?: number;

  constructor(scope: Construct, id: string, settings: Z3Settings, props: ZcashZ3Props) {
    super(scope, id);
    const profile = networkProfile(settings.network);
    // Asked for and not built would be a silent surprise: refuse it instead.
    const problems = new ProblemCollector();
    problems.check(
      !settings.rpcRouter || profile.rpcRouterAllowed,
      "rpcRouter",
      settings.rpcRouter,
      `false on ${settings.network} (upstream runs the rpc-router on Regtest only)`,
    );
    problems.throwIfAny(this);
    const prefix = profile.namePrefix;
    const images = props.images;

    this.network = new Network(this, "Network", { name: prefix, internal: false });
    const network = this.network;
    const dataVolume = (cid: string, suffix: string) =>
      new Volume(this, cid, { name: `${prefix}-${suffix}`, stateful: true, preventDestroy: props.protectData });
    this.chainVolume = dataVolume("ChainVolume", "chain");
    // The cookie is regenerated on every Zebra start and never needs a backup.
    this.cookieVolume = new Volume(this, "CookieVolume", { name: `${prefix}-cookie` });
    this.zainoVolume = dataVolume("ZainoVolume", "zaino");
    this.zalletVolume = dataVolume("ZalletVolume", "zallet");
    const cookieVolume = this.cookieVolume;

    const rpcPassword = profile.cookieAuth
      ? undefined
      : new Secret(this, "RegtestRpcPassword", {
          variableName: "regtest_rpc_password",
          description: "Password the rpc-router, Zaino and Zallet send on Regtest (Zebra's Regtest RPC has cookie auth off)",
          minLength: 12,
        });

    this.zebra = this.add(
      zebraService(this, profile, { network, chainVolume: this.chainVolume, cookieVolume, image: images.zebra }, settings),
    );
    const zebra = this.zebra;
    this.supportWindow = profile.endOfSupport
      ? new ZebraSupportWindow(this, "ZebraSupportWindow", { image: images.zebra, stated: settings.zebraReleases ?? [], zebra })
      : undefined;
    this.cookiePermissions = this.add(
      cookiePermissionsService(this, profile, { network, cookieVolume, image: images.cookiePermissions, zebra }, settings),
    );
    const enabledWhen = props.consumersEnabledWhen;
    const consumer = { network, cookieVolume, zebra, cookiePermissions: this.cookiePermissions, rpcPassword, enabledWhen };
    this.zaino = this.add(zainoService(this, profile, { ...consumer, dataVolume: this.zainoVolume, image: images.zaino }, settings));
    this.zallet = this.add(zalletService(this, profile, { ...consumer, dataVolume: this.zalletVolume, image: images.zallet }, settings));
    if (settings.rpcRouter && rpcPassword) {
      const parts = { network, image: images.rpcRouter, zebra, zallet: this.zallet, rpcPassword, enabledWhen };
      this.rpcRouter = this.add(rpcRouterService(this, profile, parts, settings));
    }
    if (settings.monitoring) {
      const parts = {
        network,
        images,
        protectData: props.protectData,
        scrapeTargets: () => this.prometheusTargets,
        backupMaxAgeMinutes: () => this.backupMaxAgeMinutes,
        zebraEndOfSupport: this.supportWindow?.deployable,
      };
      monitoringServices(this, profile, parts, settings).forEach((s) => this.add(s));
    }
    const identity = this.node.children.find((c): c is Secret => c instanceof Secret && c.variableName === "zallet_identity")!;
    const monitoringVolume = (id: string) => this.node.tryFindChild(id) as Volume | undefined;
    const rebuildable = (volume: Volume | undefined, why: string): BackupSource[] => (volume ? [{ kind: "rebuildable", volume, why }] : []);
    this.backupSources = [
      { kind: "files", volume: this.zalletVolume, companions: [identity] },
      ...rebuildable(this.chainVolume, "Zebra re-syncs the chain from its peers (minutes on Regtest, hours on Testnet, days on Mainnet)"),
      ...rebuildable(this.zainoVolume, "Zaino rebuilds its index from Zebra"),
      ...rebuildable(monitoringVolume("PrometheusVolume"), "metrics history: Prometheus scrapes again, the history before a loss is gone"),
      ...rebuildable(monitoringVolume("AlertmanagerVolume"), "silences and notification state: active alerts fire again"),
      ...(monitoringVolume("GrafanaVolume") ? [{ kind: "files" as const, volume: monitoringVolume("GrafanaVolume")! }] : []),
    ];
  }

  private add(service: Service): Service {
    this.services.push(service);
    return service;
  }

  /**
   * Prometheus scrape targets, derived from the modelled services that declare a metrics endpoint;
   * each is scraped by its upstream service name (its network alias).
   */
  get prometheusTargets(): ScrapeTarget[] {
    return [...this.services.map((service) => ({ service, optional: false })), ...this.monitored]
      .filter(({ service }) => service.metrics !== undefined)
      .map(({ service: s, optional }) => {
        const job = s.name.replace(`${this.network.name}-`, "");
        return { job, address: `${job}:${s.metrics!.port}`, path: s.metrics!.path ?? "/metrics", ...(optional ? { optional } : {}) };
      });
  }

  /**
   * Has Prometheus scrape the stack's backup runner (on this network, alias = its job) and alert
   * when a volume's newest snapshot is older than `maxAgeMinutes`.
   */
  monitorBackups(runner: Service, opts: { readonly maxAgeMinutes: number; readonly optional: boolean }): void {
    this.monitored.push({ service: runner, optional: opts.optional });
    this.backupMaxAgeMinutes = opts.maxAgeMinutes;
  }
}
