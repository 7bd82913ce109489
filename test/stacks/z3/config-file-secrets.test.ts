import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { EnvironmentSettings } from "../../../config/settings";
import { ZcashStack } from "../../../stacks/z3/zcash-stack";
import { container, STAGING_SWARM, swarmService, synthJson, TfJson, uploadsOf, withDeployment } from "../../helpers";

/**
 * Zallet's and Zaino's configuration files carry the Regtest RPC password (Zallet's also its pwhash):
 * they are sensitive because their content reads the sensitive variables, not because anyone said so.
 */

const dev = new ZcashStack(Testing.app(), ENVIRONMENTS.dev);
const devJson = synthJson(dev);

/** zcash-dev's settings with Z3 on a swarm (dev has none of its own: the staging swarm's settings). */
const { kind: _kind, ...swarmSettings } = STAGING_SWARM;
const devOnSwarm: EnvironmentSettings = { ...withDeployment(ENVIRONMENTS.dev, "z3", { target: "swarm" }), swarm: swarmSettings };
const swarm = new ZcashStack(Testing.app(), devOnSwarm);
const swarmJson: TfJson = synthJson(swarm);

/** Each configuration file of a service: its path, whether it is sensitive, and the variables that make it so. */
const files = (service: {
  configFiles: readonly { containerPath: string; sensitive: boolean; secrets: readonly { friendlyUniqueId: string }[] }[];
}) => service.configFiles.map((f) => [f.containerPath, f.sensitive, f.secrets.map((v) => v.friendlyUniqueId)]);

describe("zcash-dev (Regtest, one host)", () => {
  test("Zallet's zallet.toml is sensitive: it reads the Regtest RPC password and Zallet's pwhash", () => {
    expect(files(dev.z3.zallet)).toEqual([["/etc/zallet/zallet.toml", true, ["regtest_rpc_password", "zallet_rpc_pwhash"]]]);
  });
  test("Zaino's zindexer.toml is sensitive: it reads the Regtest RPC password", () => {
    expect(files(dev.z3.zaino)).toEqual([["/etc/zaino/zindexer.toml", true, ["regtest_rpc_password"]]]);
  });
  test("Zebra's zebrad.toml carries no secret and is not sensitive", () => {
    expect(files(dev.z3.zebra)).toEqual([["/home/zebra/.config/zebrad.toml", false, []]]);
  });
  test("in the JSON: the uploads read the sensitive variables, and the loaders wait for their length checks", () => {
    expect(devJson.variable!.regtest_rpc_password.sensitive).toBe(true);
    const zallet = uploadsOf(devJson, "z3_zallet").find((u) => u.file === "/etc/zallet/zallet.toml")!;
    const zaino = uploadsOf(devJson, "z3_zaino").find((u) => u.file === "/etc/zaino/zindexer.toml")!;
    // Each value is written as a quoted TOML string by Terraform (jsonencode), never pasted into the text.
    expect(zallet.content).toContain("validator_password = ${replace(jsonencode(var.regtest_rpc_password)");
    expect(zallet.content).toContain("pwhash = ${replace(jsonencode(var.zallet_rpc_pwhash)");
    expect(zaino.content).toMatch(/= \$\{replace\(jsonencode\(var\.regtest_rpc_password\)/);
    expect(container(devJson, "z3_zallet_files").depends_on).toEqual(
      expect.arrayContaining(["terraform_data.regtest_rpc_password_length", "terraform_data.zallet_rpc_pwhash_length"]),
    );
    expect(container(devJson, "z3_zaino_files").depends_on).toEqual(expect.arrayContaining(["terraform_data.regtest_rpc_password_length"]));
    // Both readers run as (or drop to) UID 1000: readable by them as a secret file is (in a directory only the service mounts).
    expect([zallet.permissions, zaino.permissions]).toEqual(["0444", "0444"]);
  });
});

describe("zcash-dev's Z3 on a swarm", () => {
  test("zallet.toml and zindexer.toml are docker_secrets (0400, owned by UID 1000), never docker_configs", () => {
    expect(Object.keys(swarmJson.resource.docker_secret).sort()).toEqual([
      "z3_zaino_etc_zaino_zindexer_toml",
      "z3_zallet_etc_zallet_identity_txt",
      "z3_zallet_etc_zallet_zallet_toml",
    ]);
    const secrets = (address: string) =>
      swarmService(swarmJson, address).task_spec.container_spec.secrets.map((f) => [f.file_name, f.file_uid, f.file_mode]);
    expect(secrets("z3_zallet")).toEqual(expect.arrayContaining([["/etc/zallet/zallet.toml", "1000", 0o400]]));
    expect(secrets("z3_zaino")).toEqual([["/etc/zaino/zindexer.toml", "1000", 0o400]]);
    for (const address of ["z3_zallet", "z3_zaino"])
      expect(swarmService(swarmJson, address).task_spec.container_spec.configs ?? []).toEqual([]);
  });
  test("their names carry no hash of the content (which holds the password): a terraform_data version", () => {
    for (const address of ["z3_zaino_etc_zaino_zindexer_toml", "z3_zallet_etc_zallet_zallet_toml"]) {
      expect(swarmJson.resource.docker_secret[address].name).toMatch(
        new RegExp(`^z3-regtest-[a-z]+-toml-\\$\\{substr\\(terraform_data\\.${address}_version\\.id, 0, 8\\)\\}$`),
      );
    }
  });
  test("a file with no secret stays a docker_config: Zebra's zebrad.toml; no docker_config reads a sensitive variable", () => {
    expect(Object.keys(swarmJson.resource.docker_config)).toEqual(["z3_zebra_home_zebra_config_zebrad_toml"]);
    const sensitive = Object.entries(swarmJson.variable!)
      .filter(([, v]) => v.sensitive)
      .map(([name]) => name);
    const configData = Object.values(swarmJson.resource.docker_config).map((c) =>
      String(swarmJson.locals![/local\.(\w+)/.exec(c.data)![1]]),
    );
    for (const data of configData) for (const name of sensitive) expect([name, data.includes(`var.${name}`)]).toEqual([name, false]);
  });
});
