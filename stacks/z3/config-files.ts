/**
 * Configuration file contents for the Z3 services, as z3 ships them under config/<net>/.
 * Values that are secret arrive as Terraform expressions (sensitive variables), never literals.
 */

/** Zebra TOML, Regtest only (z3 config/regtest/zebra.toml.example); Mainnet and Testnet run on env vars only. */
export function zebraRegtestToml(): string {
  return [
    "# Regtest activation heights (z3 config/regtest/zebra.toml.example).",
    "[network.testnet_parameters.activation_heights]",
    "Canopy = 1",
    "NU5 = 2",
    "NU6 = 2",
    '"NU6.1" = 1000',
    "",
  ].join("\n");
}

/** User and password Zaino and Zallet send to Zebra's RPC when its cookie auth is off. */
export interface RpcCredentials {
  readonly user: string;
  /** A Terraform expression of a sensitive variable, never a literal. */
  readonly password: string;
}

/**
 * Zaino TOML. With Zebra's cookie auth it is deliberately empty (everything comes from env vars;
 * a key in both makes config-rs panic with "duplicate field"). Without it (Regtest) the credentials
 * live here because Zaino refuses env vars whose names contain "password".
 */
export function zainoToml(credentials?: RpcCredentials): string {
  if (credentials === undefined) {
    return "# Intentionally empty: Zaino is configured through ZAINO_* environment variables.\n";
  }
  return ['backend = "fetch"', "", "[validator_settings]", `validator_user = "${credentials.user}"`, `validator_password = "${credentials.password}"`, ""].join("\n");
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

/** Zallet TOML (z3 config/<net>/zallet.toml.example, alpha.3 schema). */
export function zalletToml(p: ZalletTomlProps): string {
  const lines = ["[consensus]", `network = "${p.consensus}"`];
  if (p.regtestNuparams) {
    lines.push(`regtest_nuparams = [${p.regtestNuparams.map((n) => `"${n}"`).join(", ")}]`);
  }
  lines.push("", "[features]", 'as_of_version = "0.1.0-alpha.3"', "", "[indexer]", `validator_address = "zebra:${p.zebraRpcPort}"`);
  if (p.validatorCredentials) {
    lines.push(`validator_user = "${p.validatorCredentials.user}"`, `validator_password = "${p.validatorCredentials.password}"`);
  } else {
    lines.push('validator_cookie_path = "/var/run/auth/.cookie"');
  }
  lines.push("", "[keystore]", 'encryption_identity = "/etc/zallet/identity.txt"', "", "[rpc]", `bind = ["0.0.0.0:${p.zalletRpcPort}"]`, "timeout = 30");
  if (p.orchardActionsLimit !== undefined) {
    lines.push("", "[builder.limits]", `orchard_actions = ${p.orchardActionsLimit}`);
  }
  if (p.rpcAuth) {
    lines.push("", "[[rpc.auth]]", `user = "${p.rpcAuth.user}"`, `pwhash = "${p.rpcAuth.pwhash}"`);
  }
  return lines.join("\n") + "\n";
}

export interface ScrapeTarget {
  readonly job: string;
  readonly address: string;
  readonly path: string;
}

/** Prometheus config; scrape targets are derived from the modelled services that expose metrics. */
export function prometheusYaml(targets: readonly ScrapeTarget[], alertmanager?: string): string {
  const lines = ["global:", "  scrape_interval: 15s", "  evaluation_interval: 15s", ""];
  if (alertmanager) {
    lines.push("alerting:", "  alertmanagers:", "    - static_configs:", `        - targets: ["${alertmanager}"]`, "");
  }
  lines.push("rule_files:", "  - /etc/prometheus/rules/*.yml", "", "scrape_configs:");
  for (const t of targets) {
    lines.push(`  - job_name: ${t.job}`, `    metrics_path: ${t.path}`, "    static_configs:", `      - targets: ["${t.address}"]`);
  }
  return lines.join("\n") + "\n";
}

/** A subset of upstream's zebra_alerts.yml: node down, no peers, low peers. */
export function zebraAlertsYaml(): string {
  return [
    "groups:",
    "  - name: zebra",
    "    rules:",
    "      - alert: ZebraDown",
    '        expr: up{job="zebra"} == 0',
    "        for: 2m",
    "        labels: { severity: critical }",
    "        annotations: { summary: Zebra metrics endpoint is down }",
    "      - alert: ZebraNoPeers",
    "        expr: zcash_net_peers == 0",
    "        for: 5m",
    "        labels: { severity: critical }",
    "        annotations: { summary: Zebra has no peers }",
    "      - alert: ZebraLowPeers",
    "        expr: zcash_net_peers < 3",
    "        for: 10m",
    "        labels: { severity: warning }",
    "        annotations: { summary: Zebra has fewer than 3 peers }",
    "",
  ].join("\n");
}

/** Alertmanager config with upstream's empty receivers: no notification leaves the host by default. */
export function alertmanagerYaml(): string {
  return [
    "route:",
    "  receiver: default",
    "  routes:",
    "    - matchers: [severity=\"critical\"]",
    "      receiver: critical",
    "    - matchers: [severity=\"warning\"]",
    "      receiver: warning",
    "receivers:",
    "  - name: default",
    "  - name: critical",
    "  - name: warning",
    "",
  ].join("\n");
}

/** Grafana datasource provisioning (upstream uid zebra-prometheus). */
export function grafanaDatasourcesYaml(prometheusUrl: string): string {
  return [
    "apiVersion: 1",
    "datasources:",
    "  - name: Prometheus",
    "    uid: zebra-prometheus",
    "    type: prometheus",
    "    access: proxy",
    `    url: ${prometheusUrl}`,
    "    isDefault: true",
    "",
  ].join("\n");
}
