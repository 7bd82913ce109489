/**
 * Configuration file contents for the Z3 services, as z3 ships them under config/<net>/, written by
 * their format's serializer (lib/toml.ts, lib/yaml.ts) from plain objects. Values that are secret
 * arrive as Terraform expressions (sensitive variables), never literals: Terraform writes them into
 * the file as quoted strings.
 */
import { FileText, tomlFile, yamlFile } from "../../lib";
import type { Document } from "../../lib/document-text";
import type { ScrapeTarget } from "../service-parts";
import { AlertingSettings, AlertReceiver, alertTimingOf, UNROUTED_RECEIVER } from "../../config/z3/schema";
import { BRANCH_IDS, REGTEST_ACTIVATION_HEIGHTS, type SupportWindow } from "../../config/z3/zebra-releases";

/**
 * Zebra TOML, Regtest only (z3 config/regtest/zebra.toml.example); Mainnet and Testnet run on env vars
 * only. Activation heights cannot be environment variables: zebrad lower-cases variable names, and
 * the keys (`NU5`, `"NU6.1"`) are case-sensitive.
 */
export function zebraRegtestToml(): FileText {
  return tomlFile(
    { network: { testnet_parameters: { activation_heights: { ...REGTEST_ACTIVATION_HEIGHTS } } } },
    "Regtest activation heights (config/z3/zebra-releases.ts, REGTEST_ACTIVATION_HEIGHTS).",
  );
}

/** Zallet's `regtest_nuparams`: `<branch id>:<height>` for every upgrade Regtest activates. */
export function zalletRegtestNuparams(): string[] {
  return Object.entries(REGTEST_ACTIVATION_HEIGHTS).map(([u, h]) => `${BRANCH_IDS[u as keyof typeof BRANCH_IDS]}:${h}`);
}

/** User and password Zaino and Zallet send to Zebra's RPC when its cookie auth is off. */
export interface RpcCredentials {
  readonly user: string;
  /** A Terraform expression of a sensitive variable, never a literal. */
  readonly password: string;
}

/**
 * Zaino TOML (zainod 0.10.2, `ZainodConfig`). With Zebra's cookie auth it is empty: everything comes
 * from `ZAINO_*` variables. Without it (Regtest) the credentials live here, because zainod refuses a
 * variable whose name ends in "password".
 */
export function zainoToml(credentials?: RpcCredentials): FileText {
  if (credentials === undefined) return tomlFile({}, "Intentionally empty: Zaino is configured through ZAINO_* environment variables.");
  return tomlFile({ backend: "rpc", validator_settings: { validator_user: credentials.user, validator_password: credentials.password } });
}

export interface ZalletTomlProps {
  /** `[consensus] network`. */
  readonly consensus: string;
  /** `[consensus] regtest_nuparams`. @default - none */
  readonly regtestNuparams?: readonly string[];
  readonly zebraRpcPort: number;
  readonly zalletRpcPort: number;
  /** Credentials for Zebra's RPC. @default - Zebra's cookie at /var/run/auth/.cookie */
  readonly validatorCredentials?: RpcCredentials;
  /** `[builder.limits] orchard_actions`. @default - Zallet's default */
  readonly orchardActionsLimit?: number;
  /** `[[rpc.auth]]` entry (user and `<salt>$<hmac>` pwhash) for callers of Zallet's RPC. @default - none */
  readonly rpcAuth?: { readonly user: string; readonly pwhash: string };
}

/**
 * Zallet TOML (z3 config/<net>/zallet.toml.example, alpha.3 schema). Zallet denies unknown keys and
 * requires every section but `[sync]`, even empty (`ZalletConfig` in zallet/src/config.rs: only
 * `sync` has a serde default), so each is written (`[builder]` by its `[builder.limits]` when set).
 */
export function zalletToml(p: ZalletTomlProps): FileText {
  const credentials = p.validatorCredentials;
  return tomlFile({
    builder: p.orchardActionsLimit !== undefined ? { limits: { orchard_actions: p.orchardActionsLimit } } : {},
    consensus: { network: p.consensus, regtest_nuparams: p.regtestNuparams && [...p.regtestNuparams] },
    database: {},
    external: {},
    features: { as_of_version: "0.1.0-alpha.3", deprecated: {}, experimental: {} },
    indexer: {
      validator_address: `zebra:${p.zebraRpcPort}`,
      ...(credentials
        ? { validator_user: credentials.user, validator_password: credentials.password }
        : { validator_cookie_path: "/var/run/auth/.cookie" }),
    },
    keystore: { encryption_identity: "/etc/zallet/identity.txt" },
    note_management: {},
    rpc: { bind: [`0.0.0.0:${p.zalletRpcPort}`], timeout: 30, auth: p.rpcAuth && [{ user: p.rpcAuth.user, pwhash: p.rpcAuth.pwhash }] },
  });
}

/** Prometheus scrape targets come from the service builders (`ServiceParts.scrapeTargets`). */
export type { ScrapeTarget };

/** A duration as Prometheus and Alertmanager write it: `4h`, `2m`, `45s`. */
export function promDuration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * Prometheus config; scrape targets are derived from the modelled services that expose metrics.
 * Targets are scraped and rules evaluated every `intervalSeconds` (upstream: 15 s, both).
 */
export function prometheusYaml(targets: readonly ScrapeTarget[], alertmanager?: string, intervalSeconds = 15): FileText {
  const interval = promDuration(intervalSeconds);
  return yamlFile({
    global: { scrape_interval: interval, evaluation_interval: interval },
    alerting: alertmanager ? { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] } : undefined,
    rule_files: ["/etc/prometheus/rules/*.yml"],
    scrape_configs: targets.map((t): Document => {
      if (!t.optional) return { job_name: t.job, metrics_path: t.path, static_configs: [{ targets: [t.address] }] };
      const [host, port] = t.address.split(":");
      return {
        job_name: t.job,
        metrics_path: t.path,
        dns_sd_configs: [{ names: [host], type: "A", port: Number(port), refresh_interval: "30s" }],
      };
    }),
  });
}

/**
 * A subset of upstream's zebra_alerts.yml (node down, no peers, low peers) and, on Mainnet,
 * `ZebraEndOfSupportSoon`: one rule per release the stack may run, firing once the node's own
 * verified tip (`zcash_chain_verified_block_height`, the height zebrad's end-of-support check reads)
 * reaches the release's warning height, 14 days of blocks before it halts. The running release is
 * told by `zebrad_build_info{version}`, so an image override is judged by what actually runs.
 */
export function zebraAlertsYaml(endOfSupport: readonly SupportWindow[] = []): FileText {
  const rules: Document[] = [
    {
      alert: "ZebraDown",
      expr: 'up{job="zebra"} == 0',
      for: "2m",
      labels: { severity: "critical" },
      annotations: { summary: "Zebra metrics endpoint is down" },
    },
    {
      alert: "ZebraNoPeers",
      expr: "zcash_net_peers == 0",
      for: "5m",
      labels: { severity: "critical" },
      annotations: { summary: "Zebra has no peers" },
    },
    {
      alert: "ZebraLowPeers",
      expr: "zcash_net_peers < 3",
      for: "10m",
      labels: { severity: "warning" },
      annotations: { summary: "Zebra has fewer than 3 peers" },
    },
  ];
  for (const w of endOfSupport) {
    rules.push(
      rule({
        alert: "ZebraEndOfSupportSoon",
        // `0 * build_info` adds the version label without changing the height.
        expr: `max by (job, instance, version) (zcash_chain_verified_block_height + on (job, instance) group_left (version) (0 * zebrad_build_info{version="${w.version}"})) >= ${w.warnHeight}`,
        severity: "warning",
        summary: `Zebra ${w.version} halts on Mainnet after height ${w.haltHeight}`,
        description: `Zebra {{ $labels.version }} on {{ $labels.instance }} is at height {{ $value | printf "%.0f" }}: it stops itself after height ${w.haltHeight} (estimated ${w.haltAt.slice(
          0,
          10,
        )}, about 14 days of blocks from its warning height ${w.warnHeight}). Deploy a newer release (docs/zebra-upgrades.md).`,
      }),
    );
  }
  return yamlFile({ groups: [{ name: "zebra", rules }] });
}

/** Scrape job of the backup runner (`<prefix>-backup`), whose metrics the backup rules read. */
export const BACKUP_JOB = "backup";

/** The BackupTooOld threshold when the stack passes none: a daily backup plus two hours of slack. */
export const DEFAULT_BACKUP_MAX_AGE_MINUTES = 26 * 60;

export interface HealthAlertsOptions {
  /** `for:` of each ServiceDown rule, in seconds. @default 120 */
  readonly serviceDownForSeconds?: number;
  /** BackupTooOld fires when a volume's newest snapshot is older than this. @default 1560 (26 hours) */
  readonly backupMaxAgeMinutes?: number;
}

/** One alerting rule. */
function rule(r: { alert: string; expr: string; forSeconds?: number; severity: string; summary: string; description: string }): Document {
  return {
    alert: r.alert,
    expr: r.expr,
    for: r.forSeconds !== undefined ? promDuration(r.forSeconds) : undefined,
    labels: { severity: r.severity },
    annotations: { summary: r.summary, description: r.description },
  };
}

/**
 * Health rules of every system the stack runs, derived from its scrape targets: a ServiceDown rule
 * per scrape job (`up == 0`), and, when a backup runner is among the targets (job `backup`),
 * BackupFailed and BackupTooOld over its `z3infra_backup_*` gauges.
 *
 * The runner starts with every volume at `last_run_success 0` and `last_success_timestamp_seconds 0`
 * until its first run ends (its state is a tmpfs, so after every restart too). So BackupFailed fires
 * for a volume that has had a snapshot since the runner started and whose last attempt failed, and a
 * volume still without a snapshot fires BackupTooOld once that has lasted the threshold: a runner that
 * was just deployed does not page anyone while its first run is under way.
 */
export function healthAlertsYaml(targets: readonly ScrapeTarget[], options: HealthAlertsOptions = {}): FileText {
  const downFor = options.serviceDownForSeconds ?? 120;
  const maxAgeSeconds = (options.backupMaxAgeMinutes ?? DEFAULT_BACKUP_MAX_AGE_MINUTES) * 60;
  const groups: Document[] = [
    {
      name: "services",
      rules: targets.map((t) =>
        rule({
          alert: "ServiceDown",
          expr: `up{job="${t.job}"} == 0`,
          forSeconds: downFor,
          severity: "critical",
          summary: `${t.job} is down`,
          description: `Prometheus has not reached ${t.job} (http://${t.address}${t.path}) for ${promDuration(downFor)}: the container is stopped, unhealthy or unreachable.`,
        }),
      ),
    },
  ];
  if (targets.some((t) => t.job === BACKUP_JOB)) {
    const job = `job="${BACKUP_JOB}"`;
    groups.push({
      name: "backups",
      rules: [
        rule({
          alert: "BackupFailed",
          expr: `z3infra_backup_last_run_success{${job}} == 0 and z3infra_backup_last_success_timestamp_seconds{${job}} > 0`,
          severity: "warning",
          summary: "Backup of volume {{ $labels.volume }} failed",
          description:
            "The last backup attempt of {{ $labels.volume }} failed (the runner's log says why); the newest snapshot is from an earlier run.",
        }),
        rule({
          alert: "BackupTooOld",
          expr: `time() - z3infra_backup_last_success_timestamp_seconds{${job}} > ${maxAgeSeconds} and z3infra_backup_last_success_timestamp_seconds{${job}} > 0`,
          severity: "critical",
          summary: "Newest backup of volume {{ $labels.volume }} is older than " + promDuration(maxAgeSeconds),
          description: "The newest snapshot of {{ $labels.volume }} is {{ $value | humanizeDuration }} old.",
        }),
        rule({
          alert: "BackupTooOld",
          expr: `z3infra_backup_last_success_timestamp_seconds{${job}} == 0`,
          forSeconds: maxAgeSeconds,
          severity: "critical",
          summary: "No backup of volume {{ $labels.volume }} for " + promDuration(maxAgeSeconds),
          description:
            "The backup runner has had no snapshot of {{ $labels.volume }} since it started, " + promDuration(maxAgeSeconds) + " ago.",
        }),
      ],
    });
  }
  return yamlFile({ groups });
}

/** What a receiver's sensitive inputs are called: Terraform variable and file name. */
export type ReceiverSecret = "webhook_url" | "smtp_password";

/** The Terraform variable holding a receiver's `what` (`alert_<receiver>_<what>`). */
export const receiverVariable = (receiver: Pick<AlertReceiver, "name">, what: ReceiverSecret) => `alert_${receiver.name}_${what}`;

/** Alertmanager's configuration directory (its files volume, mounted read-only). */
export const ALERTMANAGER_DIR = "/etc/alertmanager";

/**
 * Where Alertmanager reads a receiver's secret: a file named after its variable, next to the
 * configuration (the same read-only files volume, which only Alertmanager mounts: no volume per secret).
 */
export const receiverSecretPath = (receiver: Pick<AlertReceiver, "name">, what: ReceiverSecret) =>
  `${ALERTMANAGER_DIR}/${receiverVariable(receiver, what)}`;

/** The Alertmanager route matcher for a receiver's severities. */
function severityMatcher(severities: readonly string[]): string {
  return severities.length === 1 ? `severity="${severities[0]}"` : `severity=~"${severities.join("|")}"`;
}

/**
 * Alertmanager config: one route per receiver, matching its severities, each with `continue` so that
 * every receiver listing a severity gets it; the root receiver (`unrouted`) has no destination, so
 * alerts no receiver takes stay visible in Alertmanager only. Secrets are file paths, never values.
 */
export function alertmanagerYaml(alerting?: AlertingSettings): FileText {
  const t = alertTimingOf(alerting);
  const receivers = alerting?.receivers ?? [];
  const destination = (r: AlertReceiver): Document =>
    r.kind === "webhook"
      ? { name: r.name, webhook_configs: [{ url_file: receiverSecretPath(r, "webhook_url"), send_resolved: r.sendResolved ?? true }] }
      : {
          name: r.name,
          email_configs: [
            {
              to: r.to.join(", "),
              from: r.from,
              smarthost: r.smarthost,
              auth_username: r.authUsername,
              auth_password_file: r.authUsername !== undefined ? receiverSecretPath(r, "smtp_password") : undefined,
              require_tls: r.requireTls ?? true,
              send_resolved: r.sendResolved ?? false,
            },
          ],
        };
  return yamlFile({
    route: {
      receiver: UNROUTED_RECEIVER,
      group_by: ["alertname", "job"],
      group_wait: promDuration(t.groupWaitSeconds),
      group_interval: promDuration(t.groupIntervalSeconds),
      repeat_interval: promDuration(t.repeatIntervalMinutes * 60),
      routes:
        receivers.length > 0
          ? receivers.map((r) => ({ receiver: r.name, matchers: [severityMatcher(r.severities)], continue: true }))
          : undefined,
    },
    receivers: [{ name: UNROUTED_RECEIVER }, ...receivers.map(destination)],
  });
}

/** Grafana datasource provisioning (upstream uid zebra-prometheus). */
export function grafanaDatasourcesYaml(prometheusUrl: string): FileText {
  return yamlFile({
    apiVersion: 1,
    datasources: [
      { name: "Prometheus", uid: "zebra-prometheus", type: "prometheus", access: "proxy", url: prometheusUrl, isDefault: true },
    ],
  });
}
