import { BRANCH_IDS } from "../../../config/z3/zebra-releases";
import { ZcashNetwork } from "../../../config/z3/schema";
import { networkProfile } from "../../../stacks/z3/network-profile";
import { parse } from "smol-toml";

const NETWORKS: ZcashNetwork[] = ["Mainnet", "Testnet", "Regtest"];
const profiles = NETWORKS.map((n) => [n, networkProfile(n)] as const);

describe("network profile", () => {
  test("each network's name prefix is z3-<net>", () => {
    expect(profiles.map(([, p]) => p.namePrefix)).toEqual(["z3-mainnet", "z3-testnet", "z3-regtest"]);
  });
  test("cookie auth is on for Mainnet and Testnet, off on Regtest (and Zebra's env says so)", () => {
    expect(profiles.map(([, p]) => p.cookieAuth)).toEqual([true, true, false]);
    expect(profiles.map(([, p]) => p.zebra.environment.ZEBRA_RPC__ENABLE_COOKIE_AUTH)).toEqual(["true", "true", "false"]);
  });
  test("Regtest alone allows the rpc-router, mines, and skips the two-phase boot", () => {
    expect(profiles.map(([, p]) => p.rpcRouterAllowed)).toEqual([false, false, true]);
    expect(profiles.map(([, p]) => p.zebra.mines)).toEqual([false, false, true]);
    expect(profiles.map(([, p]) => p.twoPhaseBoot)).toEqual([true, true, false]);
  });
  test("only Regtest has a zebrad.toml and no P2P host port", () => {
    expect(profiles.map(([, p]) => p.zebra.configFiles.map((f) => f.containerPath))).toEqual([[], [], ["/home/zebra/.config/zebrad.toml"]]);
    expect(profiles.map(([, p]) => p.ports.zebraP2p.host)).toEqual([8233, 18233, undefined]);
  });
  test("no host port is published by two networks (environments may share a host); the rpc-router runs on Regtest only", () => {
    const hostPorts = profiles.flatMap(([, p]) =>
      Object.entries(p.ports).flatMap(([name, port]) =>
        name !== "rpcRouter" && "host" in port && port.host !== undefined ? [port.host] : [],
      ),
    );
    expect(hostPorts.filter((port, i) => hostPorts.indexOf(port) !== i)).toEqual([]);
  });
  test("Zallet's consensus network and Regtest's extra parameters", () => {
    expect(profiles.map(([, p]) => p.zallet.consensus)).toEqual(["main", "test", "regtest"]);
    expect(networkProfile("Mainnet").zallet.regtestNuparams).toBeUndefined();
    // Overwinter to Canopy at 1 as Zebra's Regtest has them (left out, Zallet would move them to the next listed height).
    expect(networkProfile("Regtest").zallet).toMatchObject({
      regtestNuparams: ["5ba81b19:1", "76b809bb:1", "2bb40e60:1", "f5b9230b:1", "e9ff75a6:1", "c2d6d0b4:2", "c8e71055:2", "4dec4df0:1000"],
      orchardActionsLimit: 250,
    });
  });
});

test("Zebra's Regtest activation heights and Zallet's regtest_nuparams name the same upgrades at the same heights", () => {
  const toml = parse(networkProfile("Regtest").zebra.configFiles[0].content.template) as {
    network: { testnet_parameters: { activation_heights: Record<string, number> } };
  };
  const heights: Record<string, number> = toml.network.testnet_parameters.activation_heights;
  const zebra = Object.entries(heights).map(([u, h]) => `${BRANCH_IDS[u as keyof typeof BRANCH_IDS]}:${h}`);
  expect(zebra).toEqual(networkProfile("Regtest").zallet.regtestNuparams);
  expect(heights["NU6.1"]).toBe(1000);
});
