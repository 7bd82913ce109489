import { Construct } from "../../lib/cdk";
import { ContainerImage, FileText, Network, Secret, Service, Volume } from "../../lib";
import { alertTimingOf, Z3Settings } from "../../config/z3/schema";
import type { SecretFile } from "../../lib/secret";
import {
  ALERTMANAGER_DIR,
  alertmanagerYaml,
  grafanaDatasourcesYaml,
  healthAlertsYaml,
  prometheusYaml,
  receiverSecretPath,
  receiverVariable,
  ScrapeTarget,
  zebraAlertsYaml,
} from "./config-files";
import { NetworkProfile } from "./network-profile";
import type { SupportWindow } from "../../config/z3/zebra-releases";

export interface MonitoringParts {
  readonly network: Network;
  /** Image references. */
  readonly images: Readonly<Record<"prometheus" | "grafana" | "alertmanager", string>>;
  /** `prevent_destroy` on the monitoring data volumes. */
  readonly protectData: boolean;
  /** Prometheus scrape targets, read at synth time so services added later are scraped too. */
  readonly scrapeTargets: () => readonly ScrapeTarget[];
  /** BackupTooOld threshold, when a backup runner is among the scrape targets (read at synth time). @default - 26 hours */
  readonly backupMaxAgeMinutes?: () => number | undefined;
  /** Mainnet: the Zebra releases whose end of support `ZebraEndOfSupportSoon` watches. @default - none (Zebra does not halt) */
  readonly zebraEndOfSupport?: readonly SupportWindow[];
}

/** The settings monitoring reads. */
export type MonitoringSettings = Pick<Z3Settings, "logging" | "resources" | "alerting">;

/** Prometheus, Grafana and Alertmanager as upstream's monitoring profile, each on its own data volume. */
export function monitoringServices(
  scope: Construct,
  profile: NetworkProfile,
  parts: MonitoringParts,
  settings: MonitoringSettings,
): Service[] {
  const { ports, namePrefix: prefix } = profile;
  const volume = (cid: string, suffix: string) =>
    new Volume(scope, cid, { name: `${prefix}-${suffix}`, stateful: true, preventDestroy: parts.protectData });
  const image = (name: keyof MonitoringParts["images"], cid: string) => new ContainerImage(scope, cid, { reference: parts.images[name] });
  const wget = (port: number, path: string) => ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${port}${path}`];

  // Each receiver's URL or SMTP password: a sensitive variable, delivered to Alertmanager as a file
  // it reads at notification time (`url_file`, `auth_password_file`), never written into its config.
  const receiverSecrets: SecretFile[] = (settings.alerting?.receivers ?? []).flatMap((r) => {
    const secret = (what: "webhook_url" | "smtp_password", cid: string, description: string, minLength: number) =>
      new Secret(scope, cid, { variableName: receiverVariable(r, what), description, minLength }).file(receiverSecretPath(r, what));
    // Construct ids from the receiver's name: its variable (the Terraform address) is named after it too.
    const id = r.name
      .split("_")
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join("");
    if (r.kind === "webhook")
      return [
        secret(
          "webhook_url",
          `AlertReceiver${id}WebhookUrl`,
          `Webhook URL of the alert receiver "${r.name}", where Alertmanager POSTs its notifications`,
          12,
        ),
      ];
    if (r.authUsername !== undefined)
      return [
        secret(
          "smtp_password",
          `AlertReceiver${id}SmtpPassword`,
          `SMTP password of ${r.authUsername}, the login of the alert receiver "${r.name}"`,
          8,
        ),
      ];
    return [];
  });
  const timing = alertTimingOf(settings.alerting);

  const alertmanagerData = volume("AlertmanagerVolume", "alertmanager");
  const alertmanager = new Service(scope, "Alertmanager", {
    logging: settings.logging,
    name: `${prefix}-alertmanager`,
    image: image("alertmanager", "AlertmanagerImage"),
    user: "65534:65534",
    command: [`--config.file=${ALERTMANAGER_DIR}/alertmanager.yml`, "--storage.path=/alertmanager"],
    networks: [{ network: parts.network, aliases: ["alertmanager"] }],
    volumes: [alertmanagerData.mount("/alertmanager")],
    secretFiles: receiverSecrets,
    configFiles: [{ containerPath: `${ALERTMANAGER_DIR}/alertmanager.yml`, content: alertmanagerYaml(settings.alerting) }],
    ports: [{ containerPort: ports.alertmanager.container, hostPort: ports.alertmanager.host, kind: "ui" }],
    healthCheck: { test: wget(ports.alertmanager.container, "/-/healthy"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
    metrics: { port: ports.alertmanager.container },
    resources: settings.resources.alertmanager,
  });

  const prometheusData = volume("PrometheusVolume", "prometheus");
  const prometheus = new Service(scope, "Prometheus", {
    logging: settings.logging,
    name: `${prefix}-prometheus`,
    image: image("prometheus", "PrometheusImage"),
    user: "65534:65534",
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle"],
    networks: [{ network: parts.network, aliases: ["prometheus"] }],
    volumes: [prometheusData.mount("/prometheus")],
    configFiles: [
      {
        containerPath: "/etc/prometheus/prometheus.yml",
        content: FileText.lazy(() =>
          prometheusYaml(parts.scrapeTargets(), `alertmanager:${ports.alertmanager.container}`, timing.evaluationIntervalSeconds),
        ),
      },
      { containerPath: "/etc/prometheus/rules/zebra_alerts.yml", content: zebraAlertsYaml(parts.zebraEndOfSupport) },
      {
        containerPath: "/etc/prometheus/rules/health_alerts.yml",
        content: FileText.lazy(() =>
          healthAlertsYaml(parts.scrapeTargets(), {
            serviceDownForSeconds: timing.serviceDownForSeconds,
            backupMaxAgeMinutes: parts.backupMaxAgeMinutes?.(),
          }),
        ),
      },
    ],
    ports: [{ containerPort: ports.prometheus.container, hostPort: ports.prometheus.host, kind: "ui" }],
    healthCheck: { test: wget(ports.prometheus.container, "/-/healthy"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
    metrics: { port: ports.prometheus.container },
    dependsOn: [alertmanager],
    resources: settings.resources.prometheus,
  });

  const grafanaPassword = new Secret(scope, "GrafanaAdminPassword", {
    variableName: "grafana_admin_password",
    description: "Grafana admin password",
    minLength: 12,
  });
  const grafanaData = volume("GrafanaVolume", "grafana");
  const grafana = new Service(scope, "Grafana", {
    logging: settings.logging,
    name: `${prefix}-grafana`,
    image: image("grafana", "GrafanaImage"),
    user: "472:0",
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    environment: {
      // Grafana reads <VAR>__FILE; the password never appears in the environment.
      GF_SECURITY_ADMIN_PASSWORD__FILE: "/run/secrets/grafana_admin_password",
      GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
      // Logs go to the json-file driver; nothing is written under the read-only root.
      GF_LOG_MODE: "console",
    },
    networks: [{ network: parts.network, aliases: ["grafana"] }],
    volumes: [grafanaData.mount("/var/lib/grafana")],
    secretFiles: [grafanaPassword.file("/run/secrets/grafana_admin_password")],
    configFiles: [
      {
        containerPath: "/etc/grafana/provisioning/datasources/prometheus.yml",
        content: grafanaDatasourcesYaml(`http://prometheus:${ports.prometheus.container}`),
      },
    ],
    ports: [{ containerPort: ports.grafana.container, hostPort: ports.grafana.host, kind: "ui" }],
    healthCheck: {
      test: wget(ports.grafana.container, "/api/health"),
      intervalSeconds: 10,
      timeoutSeconds: 3,
      retries: 3,
      startPeriodSeconds: 10,
    },
    metrics: { port: ports.grafana.container },
    dependsOn: [prometheus],
    resources: settings.resources.grafana,
  });
  return [alertmanager, prometheus, grafana];
}
