/** Z3 alerting: receivers from the settings, their secrets as variables and files, rules per scrape job, timing. */
import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { EnvironmentSettings } from "../../../config/settings";
import { AlertingSettings } from "../../../config/z3/schema";
import { ZcashStack } from "../../../stacks/z3/zcash-stack";
import { healthAlertsYaml, ScrapeTarget } from "../../../stacks/z3/config-files";
import { container, synthJson, TfJson, uploadsOf } from "../../helpers";
import { parse } from "yaml";

const withAlerting = (base: EnvironmentSettings, alerting: AlertingSettings | undefined): EnvironmentSettings =>
  ({ ...base, z3: { ...base.z3, alerting } }) as EnvironmentSettings;
const synth = (settings: EnvironmentSettings): TfJson => synthJson(new ZcashStack(Testing.app(), settings));
const file = (json: TfJson, id: string, path: string): string => {
  const u = uploadsOf(json, id).find((x) => x.file === path);
  if (!u)
    throw new Error(
      `${id} has no ${path}; has ${uploadsOf(json, id)
        .map((x) => x.file)
        .join(", ")}`,
    );
  return u.content;
};
const alertmanagerYml = (json: TfJson) => file(json, "z3_alertmanager", "/etc/alertmanager/alertmanager.yml");
const prometheusYml = (json: TfJson) => file(json, "z3_prometheus", "/etc/prometheus/prometheus.yml");
const healthRules = (json: TfJson) => file(json, "z3_prometheus", "/etc/prometheus/rules/health_alerts.yml");
/** A YAML file as its Go readers see it (YAML 1.1); the files hold no Terraform value here, so the template is the text. */
const read = (yml: string): unknown => parse(yml, { version: "1.1" });
/** Alertmanager's configuration, the parts the tests read. */
interface AlertmanagerConfig {
  route: {
    receiver: string;
    group_by: string[];
    group_wait: string;
    group_interval: string;
    repeat_interval: string;
    routes?: { receiver: string; matchers: string[]; continue?: boolean }[];
  };
  receivers: ({ name: string } & Record<string, unknown>)[];
}
/** Prometheus's configuration, the parts the tests read. */
interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string };
  rule_files: string[];
}
interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
/** A Prometheus rules file. */
interface RulesFile {
  groups: { name: string; rules: AlertRule[] }[];
}
const readAlertmanager = (yml: string) => read(yml) as AlertmanagerConfig;
const readPrometheus = (yml: string) => read(yml) as PrometheusConfig;
const readRules = (yml: string) => read(yml) as RulesFile;
/** Every rule of a rules file, across its groups. */
const rulesOf = (yml: string): AlertRule[] => readRules(yml).groups.flatMap((g) => g.rules);

const staging = synth(ENVIRONMENTS.staging);
const prod = synth(ENVIRONMENTS.production);

const EVERY_KIND: AlertingSettings = {
  receivers: [
    { kind: "webhook", name: "pager", severities: ["critical"] },
    {
      kind: "email",
      name: "ops_mail",
      severities: ["critical", "warning"],
      smarthost: "smtp.example.org:587",
      from: "alerts@example.org",
      to: ["ops@example.org", "sre@example.org"],
      authUsername: "alerts@example.org",
    },
    {
      kind: "email",
      name: "relay",
      severities: ["warning"],
      smarthost: "relay.example.org:25",
      from: "z3@example.org",
      to: ["team@example.org"],
      requireTls: false,
      sendResolved: true,
    },
  ],
};
const everyKind = synth(withAlerting(ENVIRONMENTS.production, EVERY_KIND));

describe("receivers", () => {
  test("staging and production route critical and warning alerts to the oncall webhook; anything else stays unrouted", () => {
    for (const json of [staging, prod]) {
      const config = readAlertmanager(alertmanagerYml(json));
      expect(config.route).toMatchObject({ receiver: "unrouted", group_by: ["alertname", "job"] });
      expect(config.route.routes).toEqual([{ receiver: "oncall", matchers: ['severity=~"critical|warning"'], continue: true }]);
      expect(config.receivers).toEqual([
        { name: "unrouted" },
        { name: "oncall", webhook_configs: [{ url_file: "/etc/alertmanager/alert_oncall_webhook_url", send_resolved: true }] },
      ]);
    }
  });
  test("the webhook URL is a sensitive variable with no default, delivered as a file Alertmanager's user can read, next to its configuration (no extra files volume)", () => {
    for (const json of [staging, prod]) {
      const v = json.variable!.alert_oncall_webhook_url;
      expect(v).toMatchObject({ type: "string", sensitive: true, nullable: false });
      expect("default" in v).toBe(false);
      expect(v.description).toMatch(/set TF_VAR_alert_oncall_webhook_url/);
      const upload = uploadsOf(json, "z3_alertmanager").find((u) => u.file === "/etc/alertmanager/alert_oncall_webhook_url");
      expect(upload).toEqual({
        file: "/etc/alertmanager/alert_oncall_webhook_url",
        content: "${var.alert_oncall_webhook_url}",
        permissions: "0444",
      });
      // Alertmanager runs as 65534; the uploaded file is root's, so it must be world-readable.
      expect(container(json, "z3_alertmanager").user).toBe("65534:65534");
      expect(Object.keys(json.resource.docker_volume).filter((v) => v.startsWith("z3_alertmanager_files"))).toEqual([
        "z3_alertmanager_files_etc_alertmanager",
      ]);
    }
  });
  test("the secret appears in the JSON only as a variable reference: never in the configuration, never in the environment", () => {
    // Every string outside the variable blocks that mentions a receiver variable is exactly a reference to it (the value
    // only exists at apply time, and never enters a larger text such as the configuration), or its length check.
    const mentions: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (typeof v === "string" && /var\.alert_/.test(v)) mentions.push(`${path}=${v}`);
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk({ ...everyKind, variable: undefined }, "");
    expect(mentions.sort()).toEqual([
      ".resource.docker_container.z3_alertmanager_files.upload.0.content=${var.alert_pager_webhook_url}",
      ".resource.docker_container.z3_alertmanager_files.upload.1.content=${var.alert_ops_mail_smtp_password}",
      ".resource.terraform_data.alert_ops_mail_smtp_password_length.lifecycle.precondition.0.condition=${length(var.alert_ops_mail_smtp_password) >= 8}",
      ".resource.terraform_data.alert_pager_webhook_url_length.lifecycle.precondition.0.condition=${length(var.alert_pager_webhook_url) >= 12}",
    ]);
    expect(alertmanagerYml(everyKind)).not.toMatch(/\burl:|auth_password:|\$\{var\./);
    expect(container(everyKind, "z3_alertmanager").env ?? []).toEqual([]);
    const contents = uploadsOf(everyKind, "z3_alertmanager")
      .filter((u) => u.file !== "/etc/alertmanager/alertmanager.yml")
      .map((u) => `${u.file}=${u.content}`);
    expect(contents.sort()).toEqual([
      "/etc/alertmanager/alert_ops_mail_smtp_password=${var.alert_ops_mail_smtp_password}",
      "/etc/alertmanager/alert_pager_webhook_url=${var.alert_pager_webhook_url}",
    ]);
  });
  test("e-mail receivers: server, sender and recipients from the settings; the password from a file, only with a login", () => {
    const receivers = readAlertmanager(alertmanagerYml(everyKind)).receivers;
    expect(receivers.find((r) => r.name === "ops_mail")).toEqual({
      name: "ops_mail",
      email_configs: [
        {
          to: "ops@example.org, sre@example.org",
          from: "alerts@example.org",
          smarthost: "smtp.example.org:587",
          auth_username: "alerts@example.org",
          auth_password_file: "/etc/alertmanager/alert_ops_mail_smtp_password",
          require_tls: true,
          send_resolved: false,
        },
      ],
    });
    expect(receivers.find((r) => r.name === "relay")).toEqual({
      name: "relay",
      email_configs: [
        { to: "team@example.org", from: "z3@example.org", smarthost: "relay.example.org:25", require_tls: false, send_resolved: true },
      ],
    });
    expect(everyKind.variable!.alert_ops_mail_smtp_password).toMatchObject({ sensitive: true, nullable: false });
    expect(everyKind.variable!.alert_relay_smtp_password).toBeUndefined();
  });
  test("each receiver gets the severities it lists, and every receiver listing a severity gets it (continue)", () => {
    const routes = readAlertmanager(alertmanagerYml(everyKind)).route.routes?.map(
      (r) => `${r.receiver} ${r.matchers.join(",")}${r.continue ? "" : " (no continue)"}`,
    );
    expect(routes).toEqual(['pager severity="critical"', 'ops_mail severity=~"critical|warning"', 'relay severity="warning"']);
  });
  test("without alerting settings (allowed outside production) Alertmanager has only the unrouted receiver and no secret", () => {
    const json = synth(withAlerting(ENVIRONMENTS.staging, undefined));
    expect(readAlertmanager(alertmanagerYml(json)).receivers).toEqual([{ name: "unrouted" }]);
    expect(readAlertmanager(alertmanagerYml(json)).route.routes).toBeUndefined();
    expect(Object.keys(json.variable!).filter((v) => v.startsWith("alert_"))).toEqual([]);
  });
});

describe("timing", () => {
  test("production: upstream's 15 s intervals, ServiceDown after 2 minutes, Alertmanager's grouping defaults", () => {
    expect(readPrometheus(prometheusYml(prod)).global).toEqual({ scrape_interval: "15s", evaluation_interval: "15s" });
    expect(
      rulesOf(healthRules(prod))
        .filter((r) => r.alert === "ServiceDown")
        .map((r) => r.for),
    ).toEqual(["2m", "2m", "2m", "2m", "2m"]);
    expect(readAlertmanager(alertmanagerYml(prod)).route).toMatchObject({ group_wait: "30s", group_interval: "5m", repeat_interval: "4h" });
  });
  test("staging: 10 s intervals, ServiceDown after 30 s, a group held 10 s and updated every 30 s", () => {
    expect(readPrometheus(prometheusYml(staging)).global).toEqual({ scrape_interval: "10s", evaluation_interval: "10s" });
    expect(
      rulesOf(healthRules(staging))
        .filter((r) => r.alert === "ServiceDown")
        .map((r) => r.for),
    ).toEqual(["30s", "30s", "30s", "30s", "30s"]);
    expect(readAlertmanager(alertmanagerYml(staging)).route).toMatchObject({
      group_wait: "10s",
      group_interval: "30s",
      repeat_interval: "1h",
    });
  });
});

describe("rules", () => {
  test("a ServiceDown rule for every scrape target, derived from the targets (not a hand-kept list)", () => {
    const z3 = new ZcashStack(Testing.app(), ENVIRONMENTS.staging).z3;
    const serviceDown = rulesOf(healthRules(staging)).filter((r) => r.alert === "ServiceDown");
    const jobs = serviceDown.map((r) => /^up\{job="([a-z-]+)"\} == 0$/.exec(r.expr)![1]);
    expect(jobs).toEqual(z3.prometheusTargets.map((t) => t.job));
    // The backup runner (job "backup") is scraped too: its own ServiceDown, found by DNS.
    expect(jobs).toEqual(["zebra", "alertmanager", "prometheus", "grafana", "backup"]);
    expect(serviceDown.find((r) => r.expr === 'up{job="grafana"} == 0')).toMatchObject({
      labels: { severity: "critical" },
      annotations: { summary: "grafana is down" },
    });
  });
  test("Zebra's own rules are kept; Mainnet adds ZebraEndOfSupportSoon for each release it accepts, Testnet none", () => {
    const alerts = (json: TfJson) => rulesOf(file(json, "z3_prometheus", "/etc/prometheus/rules/zebra_alerts.yml")).map((r) => r.alert);
    const versions = [
      ...file(prod, "z3_prometheus", "/etc/prometheus/rules/zebra_alerts.yml").matchAll(/zebrad_build_info\{version="([0-9.]+)"\}/g),
    ].map((m) => m[1]);
    // Every release that knows NU6.3 (active on Mainnet): 6.0.0 on; 5.x are refused at synth.
    expect(versions).toEqual(["6.0.0", "6.1.0", "6.2.0", "6.2.1", "6.2.2", "6.2.3", "6.3.0", "6.4.2", "7.0.0"]);
    expect(alerts(prod)).toEqual(["ZebraDown", "ZebraNoPeers", "ZebraLowPeers", ...versions.map(() => "ZebraEndOfSupportSoon")]);
    expect(alerts(staging)).toEqual(["ZebraDown", "ZebraNoPeers", "ZebraLowPeers"]);
  });
  test("Prometheus loads every rule file (rule_files glob) and sends to Alertmanager", () => {
    expect(readPrometheus(prometheusYml(prod)).rule_files).toEqual(["/etc/prometheus/rules/*.yml"]);
    expect(
      uploadsOf(prod, "z3_prometheus")
        .map((u) => u.file)
        .filter((f) => f.startsWith("/etc/prometheus/rules/"))
        .sort(),
    ).toEqual(["/etc/prometheus/rules/health_alerts.yml", "/etc/prometheus/rules/zebra_alerts.yml"]);
  });

  const targets: ScrapeTarget[] = [{ job: "zebra", address: "zebra:9999", path: "/metrics" }];
  const backup: ScrapeTarget = { job: "backup", address: "backup:9102", path: "/metrics.txt" };
  test("no backup rules unless a backup runner is among the scrape targets", () => {
    expect(healthAlertsYaml(targets).template).not.toMatch(/Backup/);
  });
  test("with a backup job: BackupFailed and BackupTooOld over the runner's gauges, 26 hours by default", () => {
    const yml = healthAlertsYaml([...targets, backup]).template;
    expect(readRules(yml).groups.map((g) => g.name)).toEqual(["services", "backups"]);
    const backups = readRules(yml).groups[1].rules;
    expect(backups.map((r) => [r.expr, r.for])).toEqual([
      ['z3infra_backup_last_run_success{job="backup"} == 0 and z3infra_backup_last_success_timestamp_seconds{job="backup"} > 0', undefined],
      [
        'time() - z3infra_backup_last_success_timestamp_seconds{job="backup"} > 93600 and z3infra_backup_last_success_timestamp_seconds{job="backup"} > 0',
        undefined,
      ],
      ['z3infra_backup_last_success_timestamp_seconds{job="backup"} == 0', "26h"],
    ]);
    expect(rulesOf(yml).map((r) => r.alert)).toEqual(["ServiceDown", "ServiceDown", "BackupFailed", "BackupTooOld", "BackupTooOld"]);
  });
  test("the shipped stacks scrape their runner and pass the settings' maxAgeMinutes (staging 13 h, production 150 min)", () => {
    expect(healthRules(staging)).toContain(`> ${ENVIRONMENTS.staging.backup!.maxAgeMinutes * 60} and`);
    expect(healthRules(prod)).toContain(`> ${ENVIRONMENTS.production.backup!.maxAgeMinutes * 60} and`);
  });
  test("the BackupTooOld threshold is a parameter", () => {
    const backups = readRules(healthAlertsYaml([...targets, backup], { backupMaxAgeMinutes: 150 }).template).groups[1].rules;
    expect(backups[1].expr).toContain("> 9000 and");
    expect(backups[2].for).toBe("150m");
  });
  test("the rules need no Terraform escape: their template is their text (a `${` would be escaped, see test/lib/yaml.test.ts)", () => {
    expect(healthAlertsYaml([...targets, backup]).template).not.toMatch(/\$\{|%\{/);
  });
});
