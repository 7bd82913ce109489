/**
 * Every Zebra and Zaino configuration key the stacks set, checked against the releases they deploy:
 * the configuration structs in the releases' own crates, from the Rust crate registry. zebrad 7.0.0
 * and zainod 0.10.2 refuse unknown keys (`deny_unknown_fields`), so a key that is not there stops the
 * node at start. Building zebrad to ask it (`zebrad generate`) takes about an hour here; its source
 * says the same.
 */
import * as path from "path";
import { Testing } from "../../lib/cdk";
import { ENVIRONMENTS } from "../../config/environments";
import { ENVIRONMENT_NAMES } from "../../config/common";
import { releaseOfImage } from "../../config/z3/zebra-releases";
import { ZcashStack } from "../../stacks/z3/zcash-stack";
import { container, envMap, synthJson, uploadOf } from "../helpers";
import { crateSource, dependencyVersion, serdeFields } from "./crate-source";
import { readToml, renderTemplates } from "../real-readers";

const stacks = ENVIRONMENT_NAMES.map((env) => [env, synthJson(new ZcashStack(Testing.app(), ENVIRONMENTS[env]))] as const);

/** `ZEBRA_A__B=…` and `ZAINO_A__B__C=…` as key paths (lower-cased, as config-rs reads them). */
const keyPaths = (prefix: string) =>
  [
    ...new Set(
      stacks
        .flatMap(([, json]) => Object.keys(envMap(container(json, `z3_${prefix.toLowerCase()}`))))
        .filter((k) => k.startsWith(`${prefix}_`)),
    ),
  ]
    .map((k) =>
      k
        .slice(prefix.length + 1)
        .toLowerCase()
        .split("__"),
    )
    .sort();

describe("Zebra: every key the stacks set is one zebrad reads", () => {
  const version = releaseOfImage(ENVIRONMENTS.production.z3.images.zebra)!.version;
  const zebrad = crateSource("zebrad", version);
  const dep = (name: string) => crateSource(name, dependencyVersion(zebrad, name));
  /** Where each section's struct is, in the release's crates (zebrad's `ZebradConfig` sections). */
  const sections: Record<string, () => string[]> = {
    network: () => serdeFields(path.join(dep("zebra-network"), "src", "config.rs"), "DConfig"),
    rpc: () => serdeFields(path.join(dep("zebra-rpc"), "src", "config", "rpc.rs"), "Config"),
    mining: () => serdeFields(path.join(dep("zebra-rpc"), "src", "config", "mining.rs"), "Config"),
    state: () => serdeFields(path.join(dep("zebra-state"), "src", "config.rs"), "Config"),
    health: () => serdeFields(path.join(zebrad, "src", "components", "health", "config.rs"), "Config"),
    metrics: () => serdeFields(path.join(zebrad, "src", "components", "metrics.rs"), "Config"),
    tracing: () => serdeFields(path.join(zebrad, "src", "components", "tracing.rs"), "InnerConfig"),
  };

  test(`the ZEBRA_* variables name sections and fields of zebrad ${version}`, () => {
    const paths = keyPaths("ZEBRA");
    expect(paths.length).toBeGreaterThanOrEqual(10);
    const unknown = paths.filter(
      ([section, key, ...rest]) => rest.length > 0 || !(section in sections) || !sections[section]().includes(key),
    );
    expect(unknown.map((p) => `ZEBRA_${p.join("__").toUpperCase()}`)).toEqual([]);
  });

  test(`Regtest's activation heights are keys of zebra-chain's ConfiguredActivationHeights (zebrad ${version})`, () => {
    const known = serdeFields(path.join(dep("zebra-chain"), "src", "parameters", "network", "testnet.rs"), "ConfiguredActivationHeights");
    const dev = stacks.find(([env]) => env === "dev")![1];
    const toml = readToml(renderTemplates({ f: uploadOf(dev, "z3_zebra", (f) => f.endsWith("zebrad.toml")).content }).f) as {
      network: { testnet_parameters: { activation_heights: Record<string, number> } };
    };
    const keys = Object.keys(toml.network.testnet_parameters.activation_heights);
    expect(keys.length).toBeGreaterThanOrEqual(5);
    expect(keys.filter((k) => !known.includes(k))).toEqual([]);
  });

  test("the check can fail: a key zebrad does not have is reported", () => {
    expect(sections.health()).toContain("ready_max_blocks_behind");
    expect(sections.health()).not.toContain("ready_max_block_behind");
    expect(sections.tracing()).toContain("filter");
  });
});

describe("Zaino: every key the stacks set is one zainod reads", () => {
  const version = /zainod:([0-9.]+)/.exec(ENVIRONMENTS.production.z3.images.zaino)![1];
  const zainod = crateSource("zainod", version);
  const dep = (name: string) => crateSource(name, dependencyVersion(zainod, name));
  /** The struct each table of `ZainodConfig` is read into, by its key path. */
  const structs: Record<string, () => string[]> = {
    "": () => serdeFields(path.join(zainod, "src", "config.rs"), "ZainodConfig"),
    validator_settings: () => serdeFields(path.join(dep("zaino-common"), "src", "config", "validator.rs"), "ValidatorConfig"),
    grpc_settings: () => serdeFields(path.join(dep("zaino-serve"), "src", "server", "config.rs"), "GrpcServerConfig"),
    storage: () => serdeFields(path.join(dep("zaino-common"), "src", "config", "storage.rs"), "StorageConfig"),
    "storage.database": () => serdeFields(path.join(dep("zaino-common"), "src", "config", "storage.rs"), "DatabaseConfig"),
  };
  /** Each segment of the path is a field of the struct its prefix is read into. */
  const known = (p: string[]) => p.every((key, i) => structs[p.slice(0, i).join(".")]?.().includes(key) ?? false);

  test(`the ZAINO_* variables name fields of zainod ${version}'s configuration, table by table`, () => {
    const paths = keyPaths("ZAINO");
    expect(paths.map((p) => p.join("."))).toEqual(
      expect.arrayContaining(["network", "storage.database.path", "grpc_settings.listen_address"]),
    );
    expect(paths.filter((p) => !known(p)).map((p) => `ZAINO_${p.join("__").toUpperCase()}`)).toEqual([]);
  });

  test("Regtest's zindexer.toml keys are zainod's", () => {
    const dev = stacks.find(([env]) => env === "dev")![1];
    const template = uploadOf(dev, "z3_zaino", (f) => f.endsWith("zindexer.toml")).content;
    const toml = readToml(renderTemplates({ f: template }, { regtest_rpc_password: "test-password" }).f) as {
      backend: string;
      validator_settings: Record<string, unknown>;
    };
    expect(Object.keys(toml)).toEqual(["backend", "validator_settings"]);
    expect(toml.backend).toBe("rpc");
    expect(known(["backend"])).toBe(true);
    const validatorKeys = Object.keys(toml.validator_settings).map((k) => ["validator_settings", k]);
    expect(validatorKeys.length).toBe(2);
    expect(validatorKeys.filter((p) => !known(p))).toEqual([]);
  });

  test("the check can fail: JSON-RPC's table exists, a misspelt key does not", () => {
    expect(known(["json_server_settings"])).toBe(true);
    expect(known(["storage", "database", "paths"])).toBe(false);
  });
});
