import { ENVIRONMENTS } from "../../config/environments";
import { EnvironmentSettings, SettingsError, settingsProblems, validateSettings } from "../../config/settings";
import { synthesize } from "../../app";
import * as os from "os";
import * as fs from "fs";
import * as path from "path";
import { clone, put, remove } from "./settings-helpers";

function problemsOf(env: EnvironmentSettings) {
  return settingsProblems(env).map((p) => `${p.path}=${JSON.stringify(p.value)}`);
}

describe("shipped settings", () => {
  test("are valid", () => expect(() => validateSettings(ENVIRONMENTS)).not.toThrow());
  test("map dev→Regtest, staging→Testnet, production→Mainnet", () => {
    expect(ENVIRONMENTS.dev.z3.network).toBe("Regtest");
    expect(ENVIRONMENTS.staging.z3.network).toBe("Testnet");
    expect(ENVIRONMENTS.production.z3.network).toBe("Mainnet");
  });
});

describe("settings validation", () => {
  test("fails when production requires limits and a service has none", () => {
    const all = clone();
    delete all.production.z3.resources.zebra;
    expect(problemsOf(all.production)).toEqual(
      ["z3.resources.zebra.memoryMiB=undefined", "z3.resources.zebra.cpus=undefined"].map((s) => s.replace("=undefined", "=undefined")),
    );
  });
  test("fails when production uses an unpinned image", () => {
    const all = clone();
    all.production.z3.images.zaino = "zingodevops/zainod:latest";
    expect(problemsOf(all.production)).toEqual(['z3.images.zaino="zingodevops/zainod:latest"']);
  });
  test("dev accepts latest but not a malformed reference", () => {
    const all = clone();
    all.dev.z3.images.zebra = "zfnd/zebra:latest";
    expect(problemsOf(all.dev)).toEqual([]);
    all.dev.z3.images.zebra = "Not An Image";
    expect(problemsOf(all.dev)).toEqual(['z3.images.zebra="Not An Image"']);
  });
  test("fails when the network is unknown", () => {
    const all = clone();
    put(all.dev.z3, { network: "regtest" });
    expect(problemsOf(all.dev)).toContain('z3.network="regtest"');
  });
  test("fails when the rpc-router is enabled outside Regtest", () => {
    const all = clone();
    all.staging.z3.rpcRouter = true;
    expect(problemsOf(all.staging)).toContain("z3.rpcRouter=true");
  });
  test("fails when Regtest has no miner address", () => {
    const all = clone();
    delete all.dev.z3.minerAddress;
    expect(problemsOf(all.dev)).toEqual(["z3.minerAddress=undefined"]);
  });
  test("fails when a miner address or Zebra wait is set outside Regtest", () => {
    const all = clone();
    all.staging.z3.minerAddress = "tmSRd1r8gs77Ja67Fw1JcdoXytxsyrLTPJm";
    all.staging.z3.zebraWaitSeconds = 60;
    expect(problemsOf(all.staging)).toEqual(['z3.minerAddress="tmSRd1r8gs77Ja67Fw1JcdoXytxsyrLTPJm"', "z3.zebraWaitSeconds=60"]);
  });
  test("fails when P2P is published on Regtest", () => {
    const all = clone();
    all.dev.z3.publishP2P = true;
    expect(problemsOf(all.dev)).toEqual(["z3.publishP2P=true"]);
  });
  test("fails when the Zebra log filter is empty (Zebra rejects empty variables)", () => {
    const all = clone();
    all.dev.z3.zebraLogFilter = " ";
    expect(problemsOf(all.dev)).toEqual(['z3.zebraLogFilter=" "']);
  });
  test("fails when a limit is not sane", () => {
    const all = clone();
    all.staging.z3.resources.zebra = { memoryMiB: 1.5, cpus: -2 };
    expect(problemsOf(all.staging)).toEqual(["z3.resources.zebra.memoryMiB=1.5", "z3.resources.zebra.cpus=-2"]);
  });
  test("fails when resources name an unknown service", () => {
    const all = clone();
    put(all.staging.z3.resources, { zcashd: { memoryMiB: 10, cpus: 1 } });
    expect(problemsOf(all.staging)).toEqual(['z3.resources.zcashd={"memoryMiB":10,"cpus":1}']);
  });
  test("fails when production loosens its guards", () => {
    const all = clone();
    all.production.protectData = false;
    all.production.policyPack = "baseline";
    all.production.requirePinnedImages = false;
    all.production.requireResourceLimits = false;
    all.production.backend = { kind: "local" };
    expect(problemsOf(all.production)).toEqual([
      'policyPack="baseline"',
      "protectData=false",
      "requireResourceLimits=false",
      "requirePinnedImages=false",
      'backend.kind="local"',
    ]);
  });
  test("fails when a non-dev environment has a default Docker host", () => {
    const all = clone();
    all.staging.defaultDockerHost = "unix:///var/run/docker.sock";
    expect(problemsOf(all.staging)).toEqual(['defaultDockerHost="unix:///var/run/docker.sock"']);
  });
  test("fails when the Docker host has no scheme", () => {
    const all = clone();
    all.dev.defaultDockerHost = "localhost:2375";
    expect(problemsOf(all.dev)).toEqual(['defaultDockerHost="localhost:2375"']);
  });
  test("fails when the pg schema name is invalid", () => {
    const all = clone();
    all.staging.backend = { kind: "pg", schemaName: "Staging-1" };
    expect(problemsOf(all.staging)).toEqual(['backend.schemaName="Staging-1"']);
  });
  test("fails when logging rotation is not a positive integer", () => {
    const all = clone();
    all.dev.z3.logging.default.maxFiles = 0;
    expect(problemsOf(all.dev)).toEqual(["z3.logging.default.maxFiles=0"]);
  });
  test("fails when an environment's name does not match its key", () => {
    const all = clone();
    put(all.staging, { name: "stage" });
    expect(() => validateSettings(all)).toThrow(/\[staging\] name: got "stage"/);
  });
});

describe("synthesize", () => {
  test("returns 1 and names environment, path, value and allowed values for every problem at once", () => {
    const all = clone();
    all.production.z3.images.zallet = "electriccoinco/zallet:latest";
    delete all.production.z3.resources.zaino;
    all.dev.z3.network = "Devnet" as never;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
    let stderr = "";
    const code = synthesize(all, { outdir: out, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toContain('[production] z3.images.zallet: got "electriccoinco/zallet:latest"; allowed: an image reference pinned');
    expect(stderr).toContain("[production] z3.resources.zaino.memoryMiB: got (not set); allowed: a memory limit in MiB");
    expect(stderr).toContain('[dev] z3.network: got "Devnet"; allowed: one of "Mainnet", "Testnet", "Regtest"');
    expect(stderr).not.toMatch(/at .*node_modules/);
    const written = fs.existsSync(path.join(out, "stacks")) ? fs.readdirSync(path.join(out, "stacks")) : [];
    expect(written).toEqual([]);
  });
  test.each([
    ["z3", "the Z3 settings object"],
    ["jessy", "Jessy settings for every environment"],
    ["zfsSync", "the ZFS Sync settings object"],
  ])("reports a missing %s block as a problem, not a crash", (block, allowed) => {
    const all = clone();
    remove(all.staging, block);
    expect(settingsProblems(all.staging).map((p) => p.path)).toEqual([block]);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-missing-"));
    let stderr = "";
    const code = synthesize(all, { outdir: out, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `synth failed: Invalid environment settings (1 problem):\n  - [staging] ${block}: got (not set); allowed: ${allowed}\n`,
    );
    expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
  test("SettingsError counts problems", () => {
    const e = new SettingsError([{ environment: "dev", path: "a", value: 1, allowed: "2" }]);
    expect(e.message).toBe("Invalid environment settings (1 problem):\n  - [dev] a: got 1; allowed: 2");
  });
});
