import { Construct } from "../../lib/cdk";
import { BackupSource, Condition, Network, Secret, Service, Volume } from "../../lib";
import { Z3ServiceName, Z3Settings } from "../../config/z3/schema";
import { ScrapeTarget, scrapeTargetOf, ServiceParts } from "../service-parts";
import { alertmanagerService } from "./alertmanager";
import { Z3Context } from "./context";
import { cookiePermissionsService } from "./cookie-permissions";
import { grafanaService } from "./grafana";
import { NetworkProfile } from "./network-profile";
import { prometheusService } from "./prometheus";
import { rpcRouterService } from "./rpc-router";
import { zainoService } from "./zaino";
import { zalletService } from "./zallet";
import { zebraService } from "./zebra";
import { ZebraSupportWindow } from "./zebra-support";

/** What the stack decides for Z3 besides its settings. */
export interface ZcashZ3Props {
  /** Everything that follows the network, computed once by the stack from `settings.network`. */
  readonly profile: NetworkProfile;
  /** Image reference per service: the stack's `<service>_image` variables, defaulting to the settings' images. */
  readonly images: Readonly<Record<Z3ServiceName, string>>;
  /** `prevent_destroy` on the chain, wallet, indexer and monitoring data volumes. */
  readonly protectData: boolean;
  /**
   * Terraform boolean expression gating Zaino, Zallet and the router (the two-phase boot: Zebra
   * first, consumers once `/ready`). @default - always deployed
   */
  readonly consumersEnabledWhen?: Condition;
}

/**
 * The Zcash Z3 stack: Zebra, the cookie-permissions sidecar, Zaino, Zallet, the rpc-router (Regtest)
 * and optional monitoring, as z3's compose files at HEAD run them. Each service has a builder file;
 * this construct creates the parts they share and puts what they return together.
 */
export class ZcashZ3 extends Construct {
  readonly network: Network;
  /** Zebra's RPC cookie: regenerated on every Zebra start, never backed up. */
  readonly cookieVolume: Volume;
  readonly zebra: Service;
  readonly cookiePermissions: Service;
  readonly zaino: Service;
  readonly zallet: Service;
  readonly rpcRouter?: Service;
  /** Zebra's end-of-support guard (Mainnet). */
  readonly supportWindow?: ZebraSupportWindow;
  readonly services: Service[];
  /**
   * How each stateful volume is backed up: the wallet with its age identity (useless apart) and
   * Grafana's SQLite as files; the chain, Zaino's index and the metrics as rebuildable.
   */
  readonly backupSources: readonly BackupSource[];
  /** Scrape targets of the Z3 services that declare a metrics endpoint. */
  private readonly ownTargets: readonly ScrapeTarget[];
  /** Scrape targets of the stack outside Z3 (the backup runner). */
  private readonly monitored: ScrapeTarget[] = [];
  private backupMaxAgeMinutes?: number;

  constructor(scope: Construct, id: string, settings: Z3Settings, props: ZcashZ3Props) {
    super(scope, id);
    const { profile } = props;
    this.network = new Network(this, "Network", { name: profile.namePrefix, internal: false });
    this.cookieVolume = new Volume(this, "CookieVolume", { name: `${profile.namePrefix}-cookie` });
    const rpcPassword = profile.cookieAuth
      ? undefined
      : new Secret(this, "RegtestRpcPassword", {
          variableName: "regtest_rpc_password",
          description: "Password the rpc-router, Zaino and Zallet send on Regtest (Zebra's Regtest RPC has cookie auth off)",
          minLength: 12,
        });
    const ctx: Z3Context = { settings, ...props, network: this.network, cookieVolume: this.cookieVolume, rpcPassword };

    const zebra = zebraService(this, ctx);
    this.zebra = zebra.service;
    this.supportWindow = profile.endOfSupport
      ? new ZebraSupportWindow(this, "ZebraSupportWindow", {
          image: props.images.zebra,
          stated: settings.zebraReleases ?? [],
          zebra: this.zebra,
        })
      : undefined;
    const cookiePermissions = cookiePermissionsService(this, { ...ctx, zebra: this.zebra });
    this.cookiePermissions = cookiePermissions.service;
    const consumer = { ...ctx, zebra: this.zebra, cookiePermissions: this.cookiePermissions };
    const zaino = zainoService(this, consumer);
    const zallet = zalletService(this, consumer);
    this.zaino = zaino.service;
    this.zallet = zallet.service;
    const rpcRouter =
      settings.rpcRouter && rpcPassword
        ? rpcRouterService(this, { ...ctx, zebra: this.zebra, zallet: this.zallet, rpcPassword })
        : undefined;
    this.rpcRouter = rpcRouter?.service;
    const monitoring = settings.monitoring ? this.monitoring(ctx) : undefined;
    const { alertmanager, prometheus, grafana } = monitoring ?? {};

    const parts = (list: (ServiceParts | undefined)[]) => list.filter((p): p is ServiceParts => p !== undefined);
    const built = parts([zebra, cookiePermissions, zaino, zallet, rpcRouter, alertmanager, prometheus, grafana]);
    this.services = built.map((p) => p.service);
    this.ownTargets = built.flatMap((p) => p.scrapeTargets ?? []);
    // The wallet first: it is the one volume whose loss cannot be rebuilt.
    this.backupSources = parts([zallet, zebra, zaino, prometheus, alertmanager, grafana]).flatMap((p) => p.backupSources ?? []);
  }

  /** Alertmanager, Prometheus and Grafana, in the order upstream starts them (`depends_on`). */
  private monitoring(ctx: Z3Context): Record<"alertmanager" | "prometheus" | "grafana", ServiceParts> {
    const alertmanager = alertmanagerService(this, ctx);
    const prometheus = prometheusService(this, {
      ...ctx,
      alertmanager: alertmanager.service,
      scrapeTargets: () => this.prometheusTargets,
      backupMaxAgeMinutes: () => this.backupMaxAgeMinutes,
      zebraEndOfSupport: this.supportWindow?.deployable,
    });
    const grafana = grafanaService(this, { ...ctx, prometheus: prometheus.service });
    return { alertmanager, prometheus, grafana };
  }

  /** Prometheus scrape targets: those the services' builders return, then the stack's others (the backup runner). */
  get prometheusTargets(): ScrapeTarget[] {
    return [...this.ownTargets, ...this.monitored];
  }

  /**
   * Has Prometheus scrape the stack's backup runner (on this network, alias `backup`) and alert
   * when a volume's newest snapshot is older than `maxAgeMinutes`.
   */
  monitorBackups(runner: Service, opts: { readonly maxAgeMinutes: number; readonly optional: boolean }): void {
    this.monitored.push(...scrapeTargetOf(runner, "backup", opts.optional));
    this.backupMaxAgeMinutes = opts.maxAgeMinutes;
  }
}
