import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { EnvironmentName } from "../../../config/common";
import { ZcashStack } from "../../../stacks/z3/zcash-stack";
import { buildApp } from "../../../app";
import { container, cpusOf, DockerContainer, envMap, labelMap, synthJson, TfJson, uploadsOf } from "../../helpers";
import { HOSTILE_VALUES, readToml, readTomls, renderForEach, renderTemplates } from "../../real-readers";
import { parse } from "yaml";

const synth = (env: EnvironmentName): TfJson => synthJson(new ZcashStack(Testing.app(), ENVIRONMENTS[env]));
const dev = synth("dev");
const staging = synth("staging");
const prod = synth("production");
const all: [EnvironmentName, TfJson][] = [
  ["dev", dev],
  ["staging", staging],
  ["production", prod],
];
/** Long-running containers (not the never-started files loaders). */
const services = (json: TfJson): [string, DockerContainer][] =>
  Object.entries(json.resource.docker_container).filter(([, c]) => c.start !== false);
const ports = (c: DockerContainer) => c.ports.map((p) => `${p.ip}:${p.external}->${p.internal}`);
const mounts = (c: DockerContainer) =>
  Object.fromEntries(c.volumes.map((v) => [v.container_path, `${v.volume_name}${v.read_only ? ":ro" : ":rw"}`]));
/** zallet.toml as Zallet reads it, the parts the tests name. */
interface ZalletToml {
  consensus: { network: string };
  indexer: Record<string, string>;
  rpc: { auth: { user: string; pwhash: string }[] };
  [section: string]: unknown;
}
/** prometheus.yml, the parts the tests read. */
interface PrometheusConfig {
  scrape_configs: {
    job_name: string;
    metrics_path: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type: string; port: number; refresh_interval: string }[];
  }[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
}

describe("stable Terraform addresses (renaming one destroys data)", () => {
  test.each(all)("%s pins its stateful volume addresses", (env, json) => {
    const net = { dev: "regtest", staging: "testnet", production: "mainnet" }[env];
    const stateful = Object.entries(json.resource.docker_volume)
      .filter(([, v]) => (v.labels ?? []).some((l) => l.label === "stateful"))
      .map(([address, v]) => `${address}=${v.name}`)
      .sort();
    const expected = [`z3_chain_volume=z3-${net}-chain`, `z3_zaino_volume=z3-${net}-zaino`, `z3_zallet_volume=z3-${net}-zallet`];
    if (env !== "dev")
      expected.push(
        `z3_alertmanager_volume=z3-${net}-alertmanager`,
        `z3_grafana_volume=z3-${net}-grafana`,
        `z3_prometheus_volume=z3-${net}-prometheus`,
      );
    expect(stateful).toEqual(expected.sort());
  });
  test("production data volumes carry prevent_destroy; dev and staging do not", () => {
    for (const [address, v] of Object.entries(prod.resource.docker_volume)) {
      const stateful = (v.labels ?? []).some((l) => l.label === "stateful");
      expect([address, v.lifecycle?.prevent_destroy === true]).toEqual([address, stateful]);
    }
    for (const json of [dev, staging]) {
      for (const v of Object.values(json.resource.docker_volume)) expect(v.lifecycle).toBeUndefined();
    }
  });
  test("the cookie volume is not stateful (regenerated on every Zebra start)", () => {
    expect(prod.resource.docker_volume.z3_cookie_volume.lifecycle).toBeUndefined();
  });
});

describe("refused settings", () => {
  test("fails when the rpc-router is asked for outside Regtest, instead of silently leaving it out: the settings refuse it before any stack is built", () => {
    const settings = { ...ENVIRONMENTS.staging, z3: { ...ENVIRONMENTS.staging.z3, rpcRouter: true } };
    expect(() => buildApp(Testing.app(), { ...ENVIRONMENTS, staging: settings })).toThrow(
      '[staging] z3.rpcRouter: got true; allowed: false unless z3.network is "Regtest" (upstream runs the router on Regtest only; z3 issue #44)',
    );
  });
});

describe("stack wiring", () => {
  test("each stack requires the docker provider 4.6.x", () => {
    for (const [, json] of all)
      expect(json.terraform.required_providers.docker).toEqual({ source: "kreuzwerker/docker", version: "~> 4.6.0" });
  });
  test("dev uses a local backend and the local socket by default", () => {
    expect(dev.terraform.backend).toEqual({ local: { path: "../../../terraform.zcash-dev.tfstate" } });
    expect(dev.variable!.docker_host.default).toBe("unix:///var/run/docker.sock");
  });
  test("staging and production use the pg backend with a per-stack schema and no connection string in code", () => {
    expect(staging.terraform.backend).toEqual({ pg: { schema_name: "zcash_staging" } });
    expect(prod.terraform.backend).toEqual({ pg: { schema_name: "zcash_production" } });
  });
  test("staging and production require docker_host (no default) and validate its scheme", () => {
    for (const json of [staging, prod]) {
      expect(json.variable!.docker_host.default).toBeUndefined();
      expect(json.variable!.docker_host.validation[0].condition).toContain("^(unix|tcp|ssh)://");
    }
  });
  test("image variables default to the settings and production rejects latest", () => {
    expect(prod.variable!.zebra_image.default).toBe("zfnd/zebra:7.0.0");
    expect(prod.variable!.zebra_image.validation[0].condition).toContain('!endswith(var.zebra_image, ":latest")');
    expect(dev.variable!.zebra_image.validation[0].condition).not.toContain("latest");
  });
  test("every container references a docker_image by id", () => {
    for (const [, json] of all)
      // A conditional container (the backup runner outside production) reads its conditional image by instance.
      for (const c of Object.values(json.resource.docker_container)) expect(c.image).toMatch(/^\$\{docker_image\.\w+(\[0\])?\.image_id\}$/);
  });
  test("the network is z3-<net>, a plain bridge (Zebra needs egress to peers)", () => {
    expect(prod.resource.docker_network.z3_network).toMatchObject({ name: "z3-mainnet", internal: false, driver: "bridge" });
  });
});

describe("zebra", () => {
  test("network settings per environment, never an empty ZEBRA_ variable", () => {
    const d = envMap(container(dev, "z3_zebra"));
    const s = envMap(container(staging, "z3_zebra"));
    const p = envMap(container(prod, "z3_zebra"));
    expect([d.ZEBRA_NETWORK__NETWORK, s.ZEBRA_NETWORK__NETWORK, p.ZEBRA_NETWORK__NETWORK]).toEqual(["Regtest", "Testnet", "Mainnet"]);
    expect([d.ZEBRA_RPC__LISTEN_ADDR, s.ZEBRA_RPC__LISTEN_ADDR, p.ZEBRA_RPC__LISTEN_ADDR]).toEqual([
      "0.0.0.0:18232",
      "0.0.0.0:18232",
      "0.0.0.0:8232",
    ]);
    expect([d.ZEBRA_RPC__ENABLE_COOKIE_AUTH, s.ZEBRA_RPC__ENABLE_COOKIE_AUTH, p.ZEBRA_RPC__ENABLE_COOKIE_AUTH]).toEqual([
      "false",
      "true",
      "true",
    ]);
    expect([d.ZEBRA_HEALTH__MIN_CONNECTED_PEERS, p.ZEBRA_HEALTH__MIN_CONNECTED_PEERS]).toEqual(["0", "1"]);
    expect([
      d.ZEBRA_HEALTH__ENFORCE_ON_TEST_NETWORKS,
      s.ZEBRA_HEALTH__ENFORCE_ON_TEST_NETWORKS,
      p.ZEBRA_HEALTH__ENFORCE_ON_TEST_NETWORKS,
    ]).toEqual(["false", "true", "false"]);
    expect(d.ZEBRA_MINING__MINER_ADDRESS).toBe("tmSRd1r8gs77Ja67Fw1JcdoXytxsyrLTPJm");
    expect(p.ZEBRA_MINING__MINER_ADDRESS).toBeUndefined();
    expect(p).toMatchObject({
      ZEBRA_RPC__COOKIE_DIR: "/var/run/auth",
      ZEBRA_STATE__CACHE_DIR: "/home/zebra/.cache/zebra",
      ZEBRA_HEALTH__LISTEN_ADDR: "0.0.0.0:8080",
      ZEBRA_HEALTH__READY_MAX_BLOCKS_BEHIND: "2",
      ZEBRA_METRICS__ENDPOINT_ADDR: "0.0.0.0:9999",
      ZEBRA_TRACING__FILTER: "info",
    });
    // zebrad reads no RUST_LOG: the filter goes through its configuration only.
    expect(p.RUST_LOG).toBeUndefined();
    for (const [, json] of all)
      for (const [k, v] of Object.entries(envMap(container(json, "z3_zebra")))) {
        expect([k, v.trim().length > 0]).toEqual([k, true]);
        expect(k).not.toBe("ZEBRA_RPC_PORT");
      }
  });
  test("ports per network: P2P public on Mainnet/Testnet, everything else on loopback, nothing P2P on Regtest", () => {
    expect(ports(container(prod, "z3_zebra"))).toEqual(["127.0.0.1:8232->8232", "127.0.0.1:8080->8080", "0.0.0.0:8233->8233"]);
    expect(ports(container(staging, "z3_zebra"))).toEqual(["127.0.0.1:18232->18232", "127.0.0.1:18080->8080", "0.0.0.0:18233->18233"]);
    expect(ports(container(dev, "z3_zebra"))).toEqual(["127.0.0.1:29232->18232", "127.0.0.1:28080->8080"]);
  });
  test("starts as root for its setpriv entrypoint with exactly upstream's capabilities", () => {
    const z = container(prod, "z3_zebra");
    expect(z.user).toBeUndefined();
    expect(z.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"] });
    expect(z.security_opts).toEqual(["no-new-privileges:true"]);
    expect(z.read_only).toBe(true);
  });
  test("mounts chain and cookie volumes read-write", () => {
    expect(mounts(container(prod, "z3_zebra"))).toEqual({
      "/home/zebra/.cache/zebra": "z3-mainnet-chain:rw",
      "/var/run/auth": "z3-mainnet-cookie:rw",
    });
  });
  test("health check: /ready on Mainnet (upstream timings); getblockchaininfo on Regtest", () => {
    expect(container(prod, "z3_zebra").healthcheck).toEqual({
      test: ["CMD-SHELL", "curl -sf http://127.0.0.1:8080/ready || exit 1"],
      interval: "30s",
      timeout: "10s",
      retries: 3,
      // Go's duration spelling, as the provider reads it back; upstream's start_interval (Engine >= 25).
      start_period: "1m30s",
      start_interval: "5s",
    });
    expect(container(prod, "z3_zaino").healthcheck).toMatchObject({ start_period: "1m0s", start_interval: "5s" });
    const d = container(dev, "z3_zebra").healthcheck;
    expect(d.test[1]).toContain("getblockchaininfo");
    expect(d.test[1]).toContain("http://127.0.0.1:18232");
    expect([d.interval, d.timeout, d.retries, d.start_period]).toEqual(["10s", "5s", 10, "30s"]);
  });
  test("Terraform waits for Zebra only on Regtest (a Mainnet node is not ready for days)", () => {
    expect(container(dev, "z3_zebra").wait).toBe(true);
    expect(container(prod, "z3_zebra").wait).toBeUndefined();
    expect(container(staging, "z3_zebra").wait).toBeUndefined();
  });
  test("stop grace period 30 s", () => expect(container(prod, "z3_zebra").stop_timeout).toBe(30));
  test("Regtest gets the activation-heights zebrad.toml; Mainnet runs on env vars only", () => {
    expect(uploadsOf(dev, "z3_zebra")[0].file).toBe("/home/zebra/.config/zebrad.toml");
    expect(readToml(uploadsOf(dev, "z3_zebra")[0].content)).toMatchObject({
      network: { testnet_parameters: { activation_heights: { NU5: 2, "NU6.1": 1000 } } },
    });
    expect(mounts(container(dev, "z3_zebra"))["/home/zebra/.config"]).toBe("z3-regtest-zebra-files-home-zebra-config:ro");
    expect(uploadsOf(prod, "z3_zebra")).toEqual([]);
    expect(prod.resource.docker_container.z3_zebra_files).toBeUndefined();
  });
  test("production limits come from the settings", () => {
    expect([container(prod, "z3_zebra").memory, cpusOf(container(prod, "z3_zebra"))]).toEqual([16384, 4]);
  });
});

describe("cookie-permissions sidecar", () => {
  const c = container(prod, "z3_cookie_permissions");
  test("root with FOWNER only, cookie volume read-write, chmod loop", () => {
    expect(c.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_FOWNER"] });
    expect(mounts(c)).toEqual({ "/var/run/auth": "z3-mainnet-cookie:rw" });
    expect(c.command.join(" ")).toContain("chmod 0644 /var/run/auth/.cookie");
    expect(c.depends_on).toContain("docker_container.z3_zebra");
  });
  test("health check is `test -r` on the cookie (5s/2s/12, start 5s) and Terraform waits for it", () => {
    expect(c.healthcheck).toEqual({
      test: ["CMD", "test", "-r", "/var/run/auth/.cookie"],
      interval: "5s",
      timeout: "2s",
      retries: 12,
      start_period: "5s",
    });
    expect(c.wait).toBe(true);
  });
});

describe("zaino", () => {
  test("env per upstream, cookie path only with cookie auth", () => {
    const p = envMap(container(prod, "z3_zaino"));
    expect(p).toEqual({
      ZAINO_NETWORK: "Mainnet",
      ZAINO_VALIDATOR_SETTINGS__VALIDATOR_JSONRPC_LISTEN_ADDRESS: "zebra:8232",
      ZAINO_VALIDATOR_SETTINGS__VALIDATOR_COOKIE_PATH: "/var/run/auth/.cookie",
      ZAINO_GRPC_SETTINGS__LISTEN_ADDRESS: "0.0.0.0:8137",
      ZAINO_STORAGE__DATABASE__PATH: "/app/data",
      RUST_LOG: "info,reqwest=warn,hyper_util=warn",
      RUST_BACKTRACE: "full",
    });
    expect(envMap(container(dev, "z3_zaino")).ZAINO_VALIDATOR_SETTINGS__VALIDATOR_COOKIE_PATH).toBeUndefined();
  });
  test("no env var name contains 'password' (Zaino refuses them)", () => {
    for (const [, json] of all)
      for (const k of Object.keys(envMap(container(json, "z3_zaino")))) expect(k.toLowerCase()).not.toContain("password");
  });
  test("mounts: data rw, cookie ro (not on Regtest), config dir", () => {
    expect(mounts(container(prod, "z3_zaino"))).toEqual({
      "/app/data": "z3-mainnet-zaino:rw",
      "/var/run/auth": "z3-mainnet-cookie:ro",
      "/etc/zaino": "z3-mainnet-zaino-files-etc-zaino:ro",
    });
    expect(mounts(container(dev, "z3_zaino"))["/var/run/auth"]).toBeUndefined();
  });
  test("gRPC only, per network on loopback (zainod 0.10.2 refuses a public JSON-RPC bind)", () => {
    expect(ports(container(prod, "z3_zaino"))).toEqual(["127.0.0.1:8137->8137"]);
    expect(ports(container(staging, "z3_zaino"))).toEqual(["127.0.0.1:18137->8137"]);
    expect(ports(container(dev, "z3_zaino"))).toEqual(["127.0.0.1:28137->8137"]);
    for (const [, json] of all)
      expect(Object.keys(envMap(container(json, "z3_zaino"))).filter((k) => k.startsWith("ZAINO_JSON_SERVER"))).toEqual([]);
  });
  test("command, capabilities, TCP health check, 15 s stop", () => {
    const z = container(prod, "z3_zaino");
    expect(z.command).toEqual(["start", "--config", "/etc/zaino/zindexer.toml"]);
    expect(z.capabilities.add).toEqual(["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"]);
    expect(z.healthcheck.test).toEqual(["CMD-SHELL", "bash -c 'echo > /dev/tcp/127.0.0.1/8137'"]);
    expect(z.stop_timeout).toBe(15);
    expect(z.depends_on).toEqual(expect.arrayContaining(["docker_container.z3_zebra", "docker_container.z3_cookie_permissions"]));
  });
  test("Mainnet config file is comments only; Regtest carries credentials by variable reference", () => {
    expect(uploadsOf(prod, "z3_zaino")[0].content).toMatch(/^#[^\n]*\n\n?$/);
    expect(readToml(uploadsOf(prod, "z3_zaino")[0].content)).toEqual({});
    expect(uploadsOf(dev, "z3_zaino")[0].content).toContain("validator_password = ${replace(jsonencode(var.regtest_rpc_password)");
  });
  test("Regtest: an RPC password holding quotes, line breaks or `${` is one value of zindexer.toml and adds no key (Terraform writes, tomllib reads)", () => {
    const files = renderForEach(uploadsOf(dev, "z3_zaino")[0].content, "regtest_rpc_password", HOSTILE_VALUES);
    expect(readTomls(Object.fromEntries(HOSTILE_VALUES.map((v, i) => [v, files[i]])))).toEqual(
      Object.fromEntries(
        HOSTILE_VALUES.map((v) => [v, { backend: "rpc", validator_settings: { validator_user: "zebra", validator_password: v } }]),
      ),
    );
  });
  test("consumers are gated by z3_consumers_enabled outside Regtest (two-phase boot)", () => {
    expect(container(prod, "z3_zaino").count).toBe("${var.z3_consumers_enabled ? 1 : 0}");
    expect(container(prod, "z3_zallet").count).toBe("${var.z3_consumers_enabled ? 1 : 0}");
    expect(prod.variable!.z3_consumers_enabled).toMatchObject({ type: "bool", default: true });
    expect(container(dev, "z3_zaino").count).toBeUndefined();
    expect(container(prod, "z3_zebra").count).toBeUndefined();
  });
});

describe("zallet", () => {
  test("runs as 1000:1000 with no capabilities and upstream's command", () => {
    const z = container(prod, "z3_zallet");
    expect(z.user).toBe("1000:1000");
    expect(z.capabilities).toEqual({ drop: ["ALL"], add: [] });
    expect(z.command).toEqual(["--datadir", "/var/lib/zallet", "--config", "/etc/zallet/zallet.toml", "start"]);
    expect(envMap(z)).toEqual({ RUST_LOG: "info,hyper_util=warn,reqwest=warn" });
    expect(z.healthcheck).toBeUndefined();
  });
  test("config outside the data volume; identity from a sensitive variable", () => {
    const z = container(prod, "z3_zallet");
    expect(mounts(z)).toEqual({
      "/var/lib/zallet": "z3-mainnet-zallet:rw",
      "/var/run/auth": "z3-mainnet-cookie:ro",
      "/etc/zallet": "z3-mainnet-zallet-files-etc-zallet:ro",
    });
    const byFile = Object.fromEntries(uploadsOf(prod, "z3_zallet").map((u) => [u.file, u]));
    expect(byFile["/etc/zallet/identity.txt"]).toEqual({
      file: "/etc/zallet/identity.txt",
      content: "${var.zallet_identity}",
      permissions: "0444",
    });
    const toml = readToml(byFile["/etc/zallet/zallet.toml"].content) as ZalletToml;
    expect(toml.consensus).toEqual({ network: "main" });
    expect(toml.indexer).toEqual({ validator_address: "zebra:8232", validator_cookie_path: "/var/run/auth/.cookie" });
    expect(prod.variable!.zallet_identity).toMatchObject({ sensitive: true, type: "string" });
  });
  test("RPC port per network", () => {
    expect(ports(container(prod, "z3_zallet"))).toEqual(["127.0.0.1:28232->28232"]);
    expect(ports(container(staging, "z3_zallet"))).toEqual(["127.0.0.1:40232->28232"]);
    expect(ports(container(dev, "z3_zallet"))).toEqual(["127.0.0.1:50232->28232"]);
  });
  const zalletToml = (json: TfJson, vars: Record<string, string> = {}): ZalletToml =>
    readToml(
      renderTemplates({ f: uploadsOf(json, "z3_zallet").find((u) => u.file === "/etc/zallet/zallet.toml")!.content }, vars).f,
    ) as ZalletToml;
  const REGTEST_VARS = { regtest_rpc_password: "regtest-password", zallet_rpc_pwhash: "salt$hmac" };
  test("Regtest config has the rpc.auth user with the pwhash by reference", () => {
    expect(uploadsOf(dev, "z3_zallet").find((u) => u.file === "/etc/zallet/zallet.toml")!.content).toContain(
      "pwhash = ${replace(jsonencode(var.zallet_rpc_pwhash)",
    );
    const toml = zalletToml(dev, REGTEST_VARS);
    expect(toml.consensus.network).toBe("regtest");
    expect(toml.indexer).toEqual({ validator_address: "zebra:18232", validator_user: "zebra", validator_password: "regtest-password" });
    expect(toml.rpc.auth).toEqual([{ user: "zebra", pwhash: "salt$hmac" }]);
  });
  test("Regtest: an RPC password or pwhash holding quotes, line breaks or `${` is one value of zallet.toml and adds no key", () => {
    const plain = zalletToml(dev, REGTEST_VARS);
    const template = uploadsOf(dev, "z3_zallet").find((u) => u.file === "/etc/zallet/zallet.toml")!.content;
    const passwords = renderForEach(template, "regtest_rpc_password", HOSTILE_VALUES, {
      zallet_rpc_pwhash: REGTEST_VARS.zallet_rpc_pwhash,
    });
    const pwhashes = renderForEach(template, "zallet_rpc_pwhash", HOSTILE_VALUES, {
      regtest_rpc_password: REGTEST_VARS.regtest_rpc_password,
    });
    const read = readTomls(
      Object.fromEntries(
        HOSTILE_VALUES.flatMap((v, i) => [
          [`password ${v}`, passwords[i]],
          [`pwhash ${v}`, pwhashes[i]],
        ]),
      ),
    );
    expect(read).toEqual(
      Object.fromEntries(
        HOSTILE_VALUES.flatMap((v) => [
          [`password ${v}`, { ...plain, indexer: { ...plain.indexer, validator_password: v } }],
          [`pwhash ${v}`, { ...plain, rpc: { ...plain.rpc, auth: [{ user: "zebra", pwhash: v }] } }],
        ]),
      ),
    );
  });
  test("every section Zallet requires is written, even empty (it has no serde default but for [sync])", () => {
    const required = [
      "builder",
      "consensus",
      "database",
      "external",
      "features",
      "features.deprecated",
      "features.experimental",
      "indexer",
      "keystore",
      "note_management",
      "rpc",
    ];
    for (const [env, json] of all) {
      const toml = zalletToml(json, env === "dev" ? REGTEST_VARS : {});
      const missing = required.filter(
        (r) =>
          r.split(".").reduce<unknown>((t, k) => (t && typeof t === "object" ? (t as Record<string, unknown>)[k] : undefined), toml) ===
          undefined,
      );
      expect([env, missing]).toEqual([env, []]);
    }
  });
});

describe("rpc-router", () => {
  test("runs on Regtest only, password from the sensitive variable", () => {
    const r = container(dev, "z3_rpc_router");
    expect(envMap(r)).toEqual({
      ZEBRA_URL: "http://zebra:18232",
      ZALLET_URL: "http://zallet:28232",
      RPC_USER: "zebra",
      RPC_PASSWORD: "${var.regtest_rpc_password}",
      LISTEN_PORT: "8181",
    });
    expect(ports(r)).toEqual(["127.0.0.1:8181->8181"]);
    expect(r.user).toBe("65532:65532");
    expect(staging.resource.docker_container.z3_rpc_router).toBeUndefined();
    expect(prod.resource.docker_container.z3_rpc_router).toBeUndefined();
  });
});

describe("monitoring", () => {
  test("off in dev, on in staging and production", () => {
    expect(dev.resource.docker_container.z3_prometheus).toBeUndefined();
    expect(container(prod, "z3_prometheus")).toBeDefined();
    expect(container(staging, "z3_grafana")).toBeDefined();
  });
  /** prometheus.yml as Prometheus reads it (YAML 1.1); it holds no Terraform value, so the template is the text. */
  const prometheusConfig = (json: TfJson): PrometheusConfig =>
    parse(uploadsOf(json, "z3_prometheus").find((u) => u.file === "/etc/prometheus/prometheus.yml")!.content, { version: "1.1" });
  test("prometheus scrapes the modelled metrics endpoint and alerts to alertmanager", () => {
    const conf = prometheusConfig(prod);
    expect(conf.scrape_configs[0]).toEqual({ job_name: "zebra", metrics_path: "/metrics", static_configs: [{ targets: ["zebra:9999"] }] });
    expect(conf.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
  });
  test("scrape targets are derived from every modelled service that declares a metrics endpoint", () => {
    const jobs = prometheusConfig(prod).scrape_configs.map(
      (c) => `${c.job_name} ${c.metrics_path} ${(c.static_configs ?? []).map((s) => s.targets.join(",")).join(" ")}`,
    );
    // Production requires backups: its runner always exists, a static target.
    expect(jobs).toEqual([
      "zebra /metrics zebra:9999",
      "alertmanager /metrics alertmanager:9093",
      "prometheus /metrics prometheus:9090",
      "grafana /metrics grafana:3000",
      "backup /metrics.txt backup:9102",
    ]);
    // In staging the runner exists only with backup_repository set: found by DNS, so without it there is no target and no alert.
    expect(prometheusConfig(staging).scrape_configs.find((c) => c.job_name === "backup")).toEqual({
      job_name: "backup",
      metrics_path: "/metrics.txt",
      dns_sd_configs: [{ names: ["backup"], type: "A", port: 9102, refresh_interval: "30s" }],
    });
    const z3 = new ZcashStack(Testing.app(), ENVIRONMENTS.production).z3;
    expect(z3.prometheusTargets.map((t) => t.job)).toEqual([
      ...z3.services.filter((s) => s.metrics).map((s) => s.name.replace("z3-mainnet-", "")),
      "backup",
    ]);
  });
  test("grafana starts after prometheus, prometheus after alertmanager (upstream depends_on)", () => {
    expect(container(prod, "z3_grafana").depends_on).toContain("docker_container.z3_prometheus");
    expect(container(prod, "z3_prometheus").depends_on).toContain("docker_container.z3_alertmanager");
  });
  test("grafana reads its admin password from a file, never the environment", () => {
    const g = container(prod, "z3_grafana");
    expect(envMap(g).GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
    expect(envMap(g).GF_SECURITY_ADMIN_PASSWORD__FILE).toBe("/run/secrets/grafana_admin_password");
    expect(uploadsOf(prod, "z3_grafana").find((u) => u.file === "/run/secrets/grafana_admin_password")!.content).toBe(
      "${var.grafana_admin_password}",
    );
    expect(prod.variable!.grafana_admin_password.sensitive).toBe(true);
  });
  test("host ports per network on loopback", () => {
    expect(ports(container(prod, "z3_prometheus"))).toEqual(["127.0.0.1:9094->9090"]);
    expect(ports(container(staging, "z3_grafana"))).toEqual(["127.0.0.1:13000->3000"]);
    expect(ports(container(prod, "z3_alertmanager"))).toEqual(["127.0.0.1:9093->9093"]);
  });
});

describe("files loaders", () => {
  test("every service with files has a never-started loader of its own image, and is replaced with it", () => {
    for (const [, json] of all) {
      for (const [address, c] of Object.entries(json.resource.docker_container)) {
        if (c.start !== false) continue;
        const service = json.resource.docker_container[address.replace(/_files$/, "")];
        expect([address, c.image, c.must_run, c.upload.length > 0]).toEqual([address, service.image, false, true]);
        expect(service.lifecycle.replace_triggered_by[0]).toMatch(new RegExp(`^docker_container\\.${address}(\\[count\\.index\\])?$`));
      }
    }
  });
  test("zaino's and zallet's loaders follow the two-phase boot gate", () => {
    expect(container(prod, "z3_zaino_files").count).toBe("${var.z3_consumers_enabled ? 1 : 0}");
    expect(container(prod, "z3_zallet_files").count).toBe("${var.z3_consumers_enabled ? 1 : 0}");
  });
});

describe("every Z3 container", () => {
  test.each(all)("%s: hardened defaults, rotation, labels", (env, json) => {
    const logging = env === "dev" ? { "max-size": "10m", "max-file": "3" } : { "max-size": "50m", "max-file": "5", compress: "true" };
    for (const [address, c] of services(json)) {
      expect([address, c.capabilities.drop]).toEqual([address, ["ALL"]]);
      expect([address, c.security_opts]).toEqual([address, ["no-new-privileges:true"]]);
      expect([address, c.read_only]).toEqual([address, true]);
      expect([address, c.restart]).toEqual([address, "unless-stopped"]);
      // The backup runner rotates by the environment's backup.logging, not by the Z3 settings.
      const rotation = address === "backup_runner" ? { "max-size": "10m", "max-file": "3" } : logging;
      expect([address, c.log_driver, c.log_opts]).toEqual([address, "json-file", rotation]);
      expect([address, labelMap(c).environment]).toEqual([address, env]);
    }
  });
  test("production: every container has memory and CPU limits", () => {
    for (const [address, c] of services(prod)) {
      expect([address, typeof c.memory, c.memory_swap === c.memory, typeof cpusOf(c)]).toEqual([address, "number", true, "number"]);
    }
  });
  test("only Zebra P2P is published on all interfaces", () => {
    for (const [, json] of all) {
      const publicPorts = Object.entries(json.resource.docker_container).flatMap(([a, c]) =>
        (c.ports ?? []).filter((p) => p.ip !== "127.0.0.1").map((p) => `${a}:${p.internal}`),
      );
      expect(publicPorts).toEqual(json === dev ? [] : [`z3_zebra:${json === prod ? 8233 : 18233}`]);
    }
  });
});
