import { Construct, Lazy } from "../../lib/cdk";
import { ContainerImage, Logging, Network, ProblemCollector, Secret, Service, Volume } from "../../lib";
import { ResourceLimits } from "../../config/common";
import { Z3ServiceName, ZcashNetwork } from "../../config/z3/schema";
import { Suppressions } from "../../policy";
import { alertmanagerYaml, grafanaDatasourcesYaml, prometheusYaml, ScrapeTarget, zainoToml, zalletToml, zebraAlertsYaml, zebraRegtestToml } from "./config-files";
import { z3Ports } from "./ports";

export interface ZcashZ3Props {
  readonly network: ZcashNetwork;
  /** Image reference per service (usually Terraform variables defaulting to the settings). */
  readonly images: Readonly<Record<Z3ServiceName, string>>;
  readonly rpcRouter: boolean;
  readonly monitoring: boolean;
  readonly publishP2P: boolean;
  readonly resources: Readonly<Partial<Record<Z3ServiceName, ResourceLimits>>>;
  readonly logging: Logging;
  /** `prevent_destroy` on the chain, wallet, indexer and monitoring data volumes. */
  readonly protectData: boolean;
  readonly minerAddress?: string;
  readonly zebraRustLog: string;
  /** Wait for Zebra to be healthy before creating its consumers. @default - do not wait */
  readonly zebraWaitSeconds?: number;
  /**
   * Terraform boolean expression gating Zaino, Zallet and the router (the two-phase boot: Zebra
   * first, consumers once `/ready`). @default - always deployed
   */
  readonly consumersEnabledWhen?: string;
}

/** Shell loop of z3's cookie-permissions sidecar: Zebra writes the cookie 0600; consumers run as other UIDs. */
const COOKIE_CHMOD_LOOP = "while true; do [ -f /var/run/auth/.cookie ] && chmod 0644 /var/run/auth/.cookie; sleep 5; done";

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
  readonly services: Service[] = [];

  constructor(scope: Construct, id: string, props: ZcashZ3Props) {
    super(scope, id);
    const net = props.network;
    const regtest = net === "Regtest";
    // Asked for and not built would be a silent surprise: refuse it instead.
    const problems = new ProblemCollector();
    problems.check(!props.rpcRouter || regtest, "rpcRouter", props.rpcRouter, `false on ${net} (upstream runs the rpc-router on Regtest only)`);
    problems.throwIfAny(this);
    const prefix = `z3-${net.toLowerCase()}`;
    const ports = z3Ports(net);
    const common = { logging: props.logging };
    const image = (name: Z3ServiceName, cid: string) => new ContainerImage(this, cid, { reference: props.images[name] });

    this.network = new Network(this, "Network", { name: prefix, internal: false });
    const onNetwork = [{ network: this.network }];
    const dataVolume = (cid: string, suffix: string) =>
      new Volume(this, cid, { name: `${prefix}-${suffix}`, stateful: true, preventDestroy: props.protectData });
    this.chainVolume = dataVolume("ChainVolume", "chain");
    // The cookie is regenerated on every Zebra start and never needs a backup.
    this.cookieVolume = new Volume(this, "CookieVolume", { name: `${prefix}-cookie` });
    this.zainoVolume = dataVolume("ZainoVolume", "zaino");
    this.zalletVolume = dataVolume("ZalletVolume", "zallet");

    const regtestPassword = regtest
      ? new Secret(this, "RegtestRpcPassword", {
          variableName: "regtest_rpc_password",
          description: "Password the rpc-router, Zaino and Zallet send on Regtest (Zebra's Regtest RPC has cookie auth off)",
          minLength: 12,
        })
      : undefined;

    // Zebra: starts as root; its entrypoint chowns the state and cookie dirs and drops to 10001
    // with setpriv, hence CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID (z3 x-common + zebra service).
    const zebraEnv: Record<string, string> = {
      ZEBRA_NETWORK__NETWORK: net,
      ZEBRA_RPC__LISTEN_ADDR: `0.0.0.0:${ports.zebraRpc.container}`,
      ZEBRA_RPC__ENABLE_COOKIE_AUTH: regtest ? "false" : "true",
      ZEBRA_RPC__COOKIE_DIR: "/var/run/auth",
      ZEBRA_STATE__CACHE_DIR: "/home/zebra/.cache/zebra",
      ZEBRA_HEALTH__LISTEN_ADDR: `0.0.0.0:${ports.zebraHealth.container}`,
      ZEBRA_HEALTH__MIN_CONNECTED_PEERS: regtest ? "0" : "1",
      ZEBRA_HEALTH__READY_MAX_BLOCKS_BEHIND: "2",
      ZEBRA_HEALTH__ENFORCE_ON_TEST_NETWORKS: net === "Testnet" ? "true" : "false",
      ZEBRA_METRICS__ENDPOINT_ADDR: `0.0.0.0:${ports.zebraMetrics.container}`,
      ZEBRA_TRACING__FILTER: "info",
      RUST_LOG: props.zebraRustLog,
    };
    if (regtest && props.minerAddress) zebraEnv.ZEBRA_MINING__MINER_ADDRESS = props.minerAddress;
    this.zebra = this.add(
      new Service(this, "Zebra", {
        ...common,
        name: `${prefix}-zebra`,
        image: image("zebra", "ZebraImage"),
        rootReason: "zebra's entrypoint chowns its state and cookie directories, then drops to UID 10001 with setpriv",
        dropsToUser: "10001:10001",
        capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
        environment: zebraEnv,
        networks: [{ network: this.network, aliases: ["zebra"] }],
        volumes: [this.chainVolume.mount("/home/zebra/.cache/zebra"), this.cookieVolume.mount("/var/run/auth")],
        configFiles: regtest ? [{ containerPath: "/home/zebra/.config/zebrad.toml", content: zebraRegtestToml() }] : [],
        ports: [
          { containerPort: ports.zebraRpc.container, hostPort: ports.zebraRpc.host, kind: "rpc" },
          { containerPort: ports.zebraHealth.container, hostPort: ports.zebraHealth.host, kind: "http" },
          ...(ports.zebraP2p.host !== undefined && props.publishP2P
            ? [{ containerPort: ports.zebraP2p.container, hostPort: ports.zebraP2p.host, kind: "p2p" as const, public: true }]
            : []),
        ],
        healthCheck: regtest
          ? {
              test: [
                "CMD-SHELL",
                `curl -sf -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"getblockchaininfo","params":[]}' http://127.0.0.1:${ports.zebraRpc.container} || exit 1`,
              ],
              intervalSeconds: 10,
              timeoutSeconds: 5,
              retries: 10,
              startPeriodSeconds: 30,
            }
          : {
              test: ["CMD-SHELL", `curl -sf http://127.0.0.1:${ports.zebraHealth.container}/ready || exit 1`],
              intervalSeconds: 30,
              timeoutSeconds: 10,
              retries: 3,
              startPeriodSeconds: 90,
              // Upstream's start_interval: needs Docker Engine 25 or later (API 1.44).
              startIntervalSeconds: 5,
            },
        waitForHealthySeconds: props.zebraWaitSeconds,
        metrics: { port: ports.zebraMetrics.container },
        stopTimeoutSeconds: 30,
        resources: props.resources.zebra,
      }),
    );

    this.cookiePermissions = this.add(
      new Service(this, "CookiePermissions", {
        ...common,
        name: `${prefix}-cookie-permissions`,
        image: image("cookiePermissions", "CookiePermissionsImage"),
        rootReason: "chmods the cookie file that Zebra (UID 10001) writes with mode 0600; needs root with FOWNER",
        capabilities: ["FOWNER"],
        command: ["sh", "-c", COOKIE_CHMOD_LOOP],
        networks: onNetwork,
        volumes: [this.cookieVolume.mount("/var/run/auth")],
        healthCheck: {
          // With cookie auth off (Regtest) there is no cookie and the check passes at once, as upstream.
          test: regtest ? ["CMD", "true"] : ["CMD", "test", "-r", "/var/run/auth/.cookie"],
          intervalSeconds: 5,
          timeoutSeconds: 2,
          retries: 12,
          startPeriodSeconds: 5,
        },
        waitForHealthySeconds: 90,
        dependsOn: [this.zebra],
        resources: props.resources.cookiePermissions,
      }),
    );

    const zainoCookie = regtest ? [] : [this.cookieVolume.mount("/var/run/auth", { readOnly: true })];
    this.zaino = this.add(
      new Service(this, "Zaino", {
        ...common,
        name: `${prefix}-zaino`,
        image: image("zaino", "ZainoImage"),
        rootReason: "zaino's entrypoint (setpriv variant) chowns /app/data and /app/config, then drops to UID 1000",
        dropsToUser: "1000:1000",
        capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
        // /app/config is chowned by the entrypoint: a tmpfs keeps that working on a read-only root.
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/app/config": "rw,noexec,nosuid,size=1m" },
        command: ["start", "--config", "/etc/zaino/zindexer.toml"],
        environment: {
          ZAINO_NETWORK: net,
          ZAINO_VALIDATOR_SETTINGS__VALIDATOR_JSONRPC_LISTEN_ADDRESS: `zebra:${ports.zebraRpc.container}`,
          ...(regtest ? {} : { ZAINO_VALIDATOR_SETTINGS__VALIDATOR_COOKIE_PATH: "/var/run/auth/.cookie" }),
          ZAINO_GRPC_SETTINGS__LISTEN_ADDRESS: `0.0.0.0:${ports.zainoGrpc.container}`,
          ZAINO_JSON_SERVER_SETTINGS__JSON_RPC_LISTEN_ADDRESS: `0.0.0.0:${ports.zainoJsonRpc.container}`,
          RUST_LOG: "info,reqwest=warn,hyper_util=warn",
          RUST_BACKTRACE: "full",
        },
        networks: [{ network: this.network, aliases: ["zaino"] }],
        volumes: [this.zainoVolume.mount("/app/data"), ...zainoCookie],
        configFiles: [{ containerPath: "/etc/zaino/zindexer.toml", content: zainoToml(net, regtestPassword?.value ?? "") }],
        ports: [
          { containerPort: ports.zainoGrpc.container, hostPort: ports.zainoGrpc.host, kind: "grpc" },
          { containerPort: ports.zainoJsonRpc.container, hostPort: ports.zainoJsonRpc.host, kind: "rpc" },
        ],
        healthCheck: {
          test: ["CMD-SHELL", `bash -c 'echo > /dev/tcp/127.0.0.1/${ports.zainoGrpc.container}'`],
          intervalSeconds: 30,
          timeoutSeconds: 5,
          retries: 3,
          startPeriodSeconds: 60,
          startIntervalSeconds: 5,
        },
        stopTimeoutSeconds: 15,
        dependsOn: [this.zebra, this.cookiePermissions],
        enabledWhen: props.consumersEnabledWhen,
        resources: props.resources.zaino,
      }),
    );

    const identity = new Secret(this, "ZalletIdentity", {
      variableName: "zallet_identity",
      description: "Zallet age identity (rage-keygen output, AGE-SECRET-KEY-1...); back it up with the zallet volume",
      minLength: 60,
    });
    const pwhash = regtest
      ? new Secret(this, "ZalletRpcPwhash", {
          variableName: "zallet_rpc_pwhash",
          description: "Zallet [[rpc.auth]] pwhash for user zebra on Regtest: <salt>$<hmac-sha256 of regtest_rpc_password>",
          minLength: 40,
        })
      : undefined;
    this.zallet = this.add(
      new Service(this, "Zallet", {
        ...common,
        name: `${prefix}-zallet`,
        image: image("zallet", "ZalletImage"),
        user: "1000:1000",
        command: ["--datadir", "/var/lib/zallet", "--config", "/etc/zallet/zallet.toml", "start"],
        environment: { RUST_LOG: "info,hyper_util=warn,reqwest=warn" },
        networks: [{ network: this.network, aliases: ["zallet"] }],
        // Config lives under /etc/zallet, never inside the data volume (z3 issue #9).
        volumes: [this.zalletVolume.mount("/var/lib/zallet"), ...(regtest ? [] : [this.cookieVolume.mount("/var/run/auth", { readOnly: true })])],
        configFiles: [
          {
            containerPath: "/etc/zallet/zallet.toml",
            content: zalletToml({
              network: net,
              zebraRpcPort: ports.zebraRpc.container,
              zalletRpcPort: ports.zalletRpc.container,
              regtestRpcPassword: regtestPassword?.value,
              regtestRpcPwhash: pwhash?.value,
            }),
          },
        ],
        secretFiles: [identity.file("/etc/zallet/identity.txt")],
        ports: [{ containerPort: ports.zalletRpc.container, hostPort: ports.zalletRpc.host, kind: "rpc" }],
        // No health check: the distroless image has no shell or curl (upstream has none either).
        stopTimeoutSeconds: 15,
        dependsOn: [this.zebra, this.cookiePermissions],
        enabledWhen: props.consumersEnabledWhen,
        resources: props.resources.zallet,
      }),
    );
    Suppressions.of(this.zallet).add({
      id: "ContainerHealthCheckDefined",
      reason: "the distroless zallet image has no shell, curl or probe command to run a health check with (upstream z3 defines none either)",
    });

    if (props.rpcRouter && regtestPassword) {
      this.rpcRouter = this.add(
        new Service(this, "RpcRouter", {
          ...common,
          name: `${prefix}-rpc-router`,
          image: image("rpcRouter", "RpcRouterImage"),
          // Distroless cc-debian12 ships the nonroot user 65532; the router needs no privileges.
          user: "65532:65532",
          environment: {
            ZEBRA_URL: `http://zebra:${ports.zebraRpc.container}`,
            ZALLET_URL: `http://zallet:${ports.zalletRpc.container}`,
            RPC_USER: "zebra",
            // Upstream reads the password from the environment only; it comes from a sensitive variable.
            RPC_PASSWORD: regtestPassword.value,
            LISTEN_PORT: String(ports.rpcRouter.container),
          },
          networks: [{ network: this.network, aliases: ["rpc-router"] }],
          ports: [{ containerPort: ports.rpcRouter.container, hostPort: ports.rpcRouter.host, kind: "rpc" }],
          dependsOn: [this.zebra, this.zallet],
          enabledWhen: props.consumersEnabledWhen,
          resources: props.resources.rpcRouter,
        }),
      );
    }

    if (props.monitoring) {
      this.addMonitoring(props, prefix, ports, common);
    }
  }

  private add(service: Service): Service {
    this.services.push(service);
    return service;
  }

  private addMonitoring(props: ZcashZ3Props, prefix: string, ports: ReturnType<typeof z3Ports>, common: { logging: Logging }): void {
    const volume = (cid: string, suffix: string) => new Volume(this, cid, { name: `${prefix}-${suffix}`, stateful: true, preventDestroy: props.protectData });
    const wget = (port: number, path: string) => ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${port}${path}`];

    const alertmanagerData = volume("AlertmanagerVolume", "alertmanager");
    const alertmanager = this.add(
      new Service(this, "Alertmanager", {
        ...common,
        name: `${prefix}-alertmanager`,
        image: new ContainerImage(this, "AlertmanagerImage", { reference: props.images.alertmanager }),
        user: "65534:65534",
        command: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
        networks: [{ network: this.network, aliases: ["alertmanager"] }],
        volumes: [alertmanagerData.mount("/alertmanager")],
        configFiles: [{ containerPath: "/etc/alertmanager/alertmanager.yml", content: alertmanagerYaml() }],
        ports: [{ containerPort: ports.alertmanager.container, hostPort: ports.alertmanager.host, kind: "ui" }],
        healthCheck: { test: wget(ports.alertmanager.container, "/-/healthy"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
        metrics: { port: ports.alertmanager.container },
        resources: props.resources.alertmanager,
      }),
    );

    // Scrape targets come from the modelled services: every service that declares a metrics
    // endpoint, resolved at synth time so services added later are scraped too.
    const prometheusData = volume("PrometheusVolume", "prometheus");
    const prometheus = this.add(
      new Service(this, "Prometheus", {
        ...common,
        name: `${prefix}-prometheus`,
        image: new ContainerImage(this, "PrometheusImage", { reference: props.images.prometheus }),
        user: "65534:65534",
        command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle"],
        networks: [{ network: this.network, aliases: ["prometheus"] }],
        volumes: [prometheusData.mount("/prometheus")],
        configFiles: [
          {
            containerPath: "/etc/prometheus/prometheus.yml",
            content: Lazy.stringValue({ produce: () => prometheusYaml(this.prometheusTargets, `alertmanager:${ports.alertmanager.container}`) }),
          },
          { containerPath: "/etc/prometheus/rules/zebra_alerts.yml", content: zebraAlertsYaml() },
        ],
        ports: [{ containerPort: ports.prometheus.container, hostPort: ports.prometheus.host, kind: "ui" }],
        healthCheck: { test: wget(ports.prometheus.container, "/-/healthy"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
        metrics: { port: ports.prometheus.container },
        dependsOn: [alertmanager],
        resources: props.resources.prometheus,
      }),
    );

    const grafanaPassword = new Secret(this, "GrafanaAdminPassword", {
      variableName: "grafana_admin_password",
      description: "Grafana admin password",
      minLength: 12,
    });
    const grafanaData = volume("GrafanaVolume", "grafana");
    this.add(
      new Service(this, "Grafana", {
        ...common,
        name: `${prefix}-grafana`,
        image: new ContainerImage(this, "GrafanaImage", { reference: props.images.grafana }),
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
        networks: [{ network: this.network, aliases: ["grafana"] }],
        volumes: [grafanaData.mount("/var/lib/grafana")],
        secretFiles: [grafanaPassword.file("/run/secrets/grafana_admin_password")],
        configFiles: [
          {
            containerPath: "/etc/grafana/provisioning/datasources/prometheus.yml",
            content: grafanaDatasourcesYaml(`http://prometheus:${ports.prometheus.container}`),
          },
        ],
        ports: [{ containerPort: ports.grafana.container, hostPort: ports.grafana.host, kind: "ui" }],
        healthCheck: { test: wget(ports.grafana.container, "/api/health"), intervalSeconds: 10, timeoutSeconds: 3, retries: 3, startPeriodSeconds: 10 },
        metrics: { port: ports.grafana.container },
        dependsOn: [prometheus],
        resources: props.resources.grafana,
      }),
    );
  }

  /**
   * Prometheus scrape targets, derived from the modelled services that declare a metrics endpoint;
   * each is scraped by its upstream service name (its network alias).
   */
  get prometheusTargets(): ScrapeTarget[] {
    return this.services
      .filter((s) => s.metrics !== undefined)
      .map((s) => {
        const job = s.name.replace(`${this.network.name}-`, "");
        return { job, address: `${job}:${s.metrics!.port}`, path: s.metrics!.path ?? "/metrics" };
      });
  }
}
