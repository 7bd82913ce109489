import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, Service } from "../../lib";
import type { SecretFile } from "../../lib/secret";
import { ServiceParts, scrapeTargetOf } from "../service-parts";
import { ALERTMANAGER_DIR, alertmanagerYaml, receiverSecretPath, receiverVariable } from "./config-files";
import { Z3Context, z3DataVolume, z3ServiceBasics } from "./context";
import { wget } from "./prometheus";

/**
 * Alertmanager, as upstream's monitoring profile, on its own data volume (silences and notification
 * state: rebuildable, active alerts fire again). Each receiver's URL or SMTP password is a sensitive
 * variable, delivered as a file it reads at notification time (`url_file`, `auth_password_file`),
 * never written into its config.
 */
export function alertmanagerService(scope: Construct, ctx: Z3Context): ServiceParts {
  const { ports } = ctx.profile;
  const alerting = ctx.settings.alerting;
  const secrets: Secret[] = [];
  const receiverSecrets: SecretFile[] = (alerting?.receivers ?? []).flatMap((r) => {
    const secret = (what: "webhook_url" | "smtp_password", cid: string, description: string, minLength: number) => {
      const s = new Secret(scope, cid, { variableName: receiverVariable(r, what), description, minLength });
      secrets.push(s);
      return s.file(receiverSecretPath(r, what));
    };
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

  const data = z3DataVolume(scope, ctx, "AlertmanagerVolume", "alertmanager");
  const alertmanager = new Service(scope, "Alertmanager", {
    ...z3ServiceBasics(ctx, "alertmanager"),
    resources: ctx.settings.resources.alertmanager,
    image: new ContainerImage(scope, "AlertmanagerImage", { reference: ctx.images.alertmanager }),
    user: "65534:65534",
    command: [`--config.file=${ALERTMANAGER_DIR}/alertmanager.yml`, "--storage.path=/alertmanager"],
    networks: [{ network: ctx.network, aliases: ["alertmanager"] }],
    volumes: [data.mount("/alertmanager")],
    secretFiles: receiverSecrets,
    configFiles: [{ containerPath: `${ALERTMANAGER_DIR}/alertmanager.yml`, content: alertmanagerYaml(alerting) }],
    ports: [{ containerPort: ports.alertmanager.container, hostPort: ports.alertmanager.host, kind: "ui" }],
    healthCheck: { test: wget(ports.alertmanager.container, "/-/healthy"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
    metrics: { port: ports.alertmanager.container },
  });
  return {
    service: alertmanager,
    volumes: [data],
    secrets,
    backupSources: [{ kind: "rebuildable", volume: data, why: "silences and notification state: active alerts fire again" }],
    scrapeTargets: scrapeTargetOf(alertmanager, "alertmanager"),
  };
}
