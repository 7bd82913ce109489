import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, Service } from "../../lib";
import { ServiceParts, scrapeTargetOf } from "../service-parts";
import { grafanaDatasourcesYaml } from "./config-files";
import { Z3Context, z3DataVolume, z3ServiceBasics } from "./context";
import { wget } from "./prometheus";

/** Grafana, as upstream's monitoring profile, on its own data volume (its SQLite: backed up as files). */
export function grafanaService(scope: Construct, ctx: Z3Context & { readonly prometheus: Service }): ServiceParts {
  const { ports } = ctx.profile;
  const password = new Secret(scope, "GrafanaAdminPassword", {
    variableName: "grafana_admin_password",
    description: "Grafana admin password",
    minLength: 12,
  });
  const data = z3DataVolume(scope, ctx, "GrafanaVolume", "grafana");
  const grafana = new Service(scope, "Grafana", {
    ...z3ServiceBasics(ctx, "grafana"),
    resources: ctx.settings.resources.grafana,
    image: new ContainerImage(scope, "GrafanaImage", { reference: ctx.images.grafana }),
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
    networks: [{ network: ctx.network, aliases: ["grafana"] }],
    volumes: [data.mount("/var/lib/grafana")],
    secretFiles: [password.file("/run/secrets/grafana_admin_password")],
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
    dependsOn: [ctx.prometheus],
  });
  return {
    service: grafana,
    volumes: [data],
    secrets: [password],
    backupSources: [{ kind: "files", volume: data }],
    scrapeTargets: scrapeTargetOf(grafana, "grafana"),
  };
}
