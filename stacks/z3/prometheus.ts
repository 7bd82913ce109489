import { Construct } from "../../lib/cdk";
import { ContainerImage, FileText, Service } from "../../lib";
import { alertTimingOf } from "../../config/z3/schema";
import type { SupportWindow } from "../../config/z3/zebra-releases";
import { ScrapeTarget, ServiceParts, scrapeTargetOf } from "../service-parts";
import { healthAlertsYaml, prometheusYaml, zebraAlertsYaml } from "./config-files";
import { Z3Context, z3DataVolume, z3ServiceBasics } from "./context";

/** A health check that fetches `path` on the container's own `port` (busybox wget in the upstream images). */
export const wget = (port: number, path: string) => ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${port}${path}`];

/** What Prometheus reads besides the shared parts. */
export interface PrometheusContext extends Z3Context {
  readonly alertmanager: Service;
  /** Every scrape target of the stack, read at synth time: the services built after Prometheus (Grafana, the backup runner) are scraped too. */
  readonly scrapeTargets: () => readonly ScrapeTarget[];
  /** BackupTooOld threshold, when a backup runner is among the scrape targets (read at synth time). @default - 26 hours */
  readonly backupMaxAgeMinutes: () => number | undefined;
  /** Mainnet: the Zebra releases whose end of support `ZebraEndOfSupportSoon` watches. @default - none (Zebra does not halt) */
  readonly zebraEndOfSupport?: readonly SupportWindow[];
}

/** Prometheus, as upstream's monitoring profile, on its own data volume (metrics history: rebuildable). */
export function prometheusService(scope: Construct, ctx: PrometheusContext): ServiceParts {
  const { ports } = ctx.profile;
  const timing = alertTimingOf(ctx.settings.alerting);
  const data = z3DataVolume(scope, ctx, "PrometheusVolume", "prometheus");
  const prometheus = new Service(scope, "Prometheus", {
    ...z3ServiceBasics(ctx, "prometheus"),
    resources: ctx.settings.resources.prometheus,
    image: new ContainerImage(scope, "PrometheusImage", { reference: ctx.images.prometheus }),
    user: "65534:65534",
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle"],
    networks: [{ network: ctx.network, aliases: ["prometheus"] }],
    volumes: [data.mount("/prometheus")],
    configFiles: [
      {
        containerPath: "/etc/prometheus/prometheus.yml",
        content: FileText.lazy(() =>
          prometheusYaml(ctx.scrapeTargets(), `alertmanager:${ports.alertmanager.container}`, timing.evaluationIntervalSeconds),
        ),
      },
      { containerPath: "/etc/prometheus/rules/zebra_alerts.yml", content: zebraAlertsYaml(ctx.zebraEndOfSupport) },
      {
        containerPath: "/etc/prometheus/rules/health_alerts.yml",
        content: FileText.lazy(() =>
          healthAlertsYaml(ctx.scrapeTargets(), {
            serviceDownForSeconds: timing.serviceDownForSeconds,
            backupMaxAgeMinutes: ctx.backupMaxAgeMinutes(),
          }),
        ),
      },
    ],
    ports: [{ containerPort: ports.prometheus.container, hostPort: ports.prometheus.host, kind: "ui" }],
    healthCheck: { test: wget(ports.prometheus.container, "/-/healthy"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
    metrics: { port: ports.prometheus.container },
    dependsOn: [ctx.alertmanager],
  });
  return {
    service: prometheus,
    volumes: [data],
    backupSources: [
      { kind: "rebuildable", volume: data, why: "metrics history: Prometheus scrapes again, the history before a loss is gone" },
    ],
    scrapeTargets: scrapeTargetOf(prometheus, "prometheus"),
  };
}
