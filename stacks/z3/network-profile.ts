import { ConfigFile, HealthCheck } from "../../lib";
import { ZcashNetwork } from "../../config/z3/schema";
import { zalletRegtestNuparams, zebraRegtestToml } from "./config-files";

/** A container port and the loopback host port it is published on. */
export interface PublishedPort {
  readonly container: number;
  readonly host: number;
}

/** Container and host ports per network: z3 `z3-contract.yaml` port matrix at z3 HEAD. */
export interface Z3Ports {
  readonly zebraRpc: PublishedPort;
  /** Not published on Regtest (peerless). */
  readonly zebraP2p: { readonly container: number; readonly host?: number };
  readonly zebraHealth: PublishedPort;
  readonly zebraMetrics: { readonly container: number };
  readonly zainoGrpc: PublishedPort;
  readonly zalletRpc: PublishedPort;
  readonly rpcRouter: PublishedPort;
  readonly prometheus: PublishedPort;
  readonly grafana: PublishedPort;
  readonly alertmanager: PublishedPort;
}

/** Everything in Z3 that depends on the Zcash network, computed once; the service builders read it. */
export interface NetworkProfile {
  readonly network: ZcashNetwork;
  /** Prefix of every Docker name (network, volumes, containers): `z3-<net>`. */
  readonly namePrefix: string;
  readonly ports: Z3Ports;
  /**
   * Zebra's RPC cookie auth (`ZEBRA_RPC__ENABLE_COOKIE_AUTH`): Zaino and Zallet read the cookie from
   * the shared cookie volume. Off on Regtest, where they and the rpc-router send the password of the
   * `regtest_rpc_password` variable instead.
   */
  readonly cookieAuth: boolean;
  /** Upstream runs the rpc-router on Regtest only (z3 issue #44). */
  readonly rpcRouterAllowed: boolean;
  /**
   * Zaino, Zallet and the router wait behind a Terraform variable until Zebra answers `/ready`
   * (z3 README): a Mainnet or Testnet node takes hours or days; a Regtest node is ready at once.
   */
  readonly twoPhaseBoot: boolean;
  /**
   * Zebra halts at its release's end of support on Mainnet only (`end_of_support.rs`: "Release
   * always valid in Testnet"); there the plan is refused outside the window and the alert is set.
   */
  readonly endOfSupport: boolean;
  readonly zebra: {
    /** The `ZEBRA_*` variables whose values follow the network (addresses come from `ports`). */
    readonly environment: Readonly<Record<string, string>>;
    /** `ZEBRA_MINING__MINER_ADDRESS` is set from the settings (Regtest mines its own blocks). */
    readonly mines: boolean;
    readonly healthCheck: HealthCheck;
    /** Mainnet and Testnet run on environment variables only. */
    readonly configFiles: readonly ConfigFile[];
  };
  /** Health check test of the cookie-permissions sidecar. */
  readonly cookieCheck: readonly string[];
  readonly zallet: {
    /** `[consensus] network`. */
    readonly consensus: "main" | "test" | "regtest";
    /** `[consensus] regtest_nuparams`: Regtest's activation heights, as Zebra's zebrad.toml sets them. */
    readonly regtestNuparams?: readonly string[];
    /** `[builder.limits] orchard_actions`. @default - Zallet's default limit */
    readonly orchardActionsLimit?: number;
  };
}

/** Zebra's, Zaino's, Zallet's and monitoring's ports on each network. */
function z3Ports(network: ZcashNetwork): Z3Ports {
  // Zebra's container ports follow its per-network defaults; Regtest reuses Testnet's. Other
  // services get +10000 host ports on Testnet; Regtest Zebra RPC is 29232 because 28232 is
  // Mainnet Zallet's host port (z3 docs/contract.md, "Port matrix").
  switch (network) {
    case "Mainnet":
      return {
        zebraRpc: { container: 8232, host: 8232 },
        zebraP2p: { container: 8233, host: 8233 },
        zebraHealth: { container: 8080, host: 8080 },
        zebraMetrics: { container: 9999 },
        zainoGrpc: { container: 8137, host: 8137 },
        zalletRpc: { container: 28232, host: 28232 },
        rpcRouter: { container: 8181, host: 8181 },
        prometheus: { container: 9090, host: 9094 },
        grafana: { container: 3000, host: 3000 },
        alertmanager: { container: 9093, host: 9093 },
      };
    case "Testnet":
      return {
        zebraRpc: { container: 18232, host: 18232 },
        zebraP2p: { container: 18233, host: 18233 },
        zebraHealth: { container: 8080, host: 18080 },
        zebraMetrics: { container: 9999 },
        zainoGrpc: { container: 8137, host: 18137 },
        zalletRpc: { container: 28232, host: 40232 },
        rpcRouter: { container: 8181, host: 18181 },
        prometheus: { container: 9090, host: 19094 },
        grafana: { container: 3000, host: 13000 },
        alertmanager: { container: 9093, host: 19093 },
      };
    case "Regtest":
      return {
        zebraRpc: { container: 18232, host: 29232 },
        zebraP2p: { container: 18233 },
        zebraHealth: { container: 8080, host: 28080 },
        zebraMetrics: { container: 9999 },
        zainoGrpc: { container: 8137, host: 28137 },
        zalletRpc: { container: 28232, host: 50232 },
        rpcRouter: { container: 8181, host: 8181 },
        prometheus: { container: 9090, host: 29094 },
        grafana: { container: 3000, host: 23000 },
        alertmanager: { container: 9093, host: 29093 },
      };
  }
}

/** The network-dependent facts of Z3 on `network`. */
export function networkProfile(network: ZcashNetwork): NetworkProfile {
  const regtest = network === "Regtest";
  const ports = z3Ports(network);
  return {
    network,
    namePrefix: `z3-${network.toLowerCase()}`,
    ports,
    cookieAuth: !regtest,
    rpcRouterAllowed: regtest,
    twoPhaseBoot: !regtest,
    endOfSupport: network === "Mainnet",
    zebra: {
      environment: {
        ZEBRA_NETWORK__NETWORK: network,
        ZEBRA_RPC__ENABLE_COOKIE_AUTH: regtest ? "false" : "true",
        // A Regtest node has no peers to wait for.
        ZEBRA_HEALTH__MIN_CONNECTED_PEERS: regtest ? "0" : "1",
        ZEBRA_HEALTH__ENFORCE_ON_TEST_NETWORKS: network === "Testnet" ? "true" : "false",
      },
      mines: regtest,
      // Upstream's Regtest check asks the RPC for getblockchaininfo; Mainnet and Testnet use /ready.
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
      configFiles: regtest ? [{ containerPath: "/home/zebra/.config/zebrad.toml", content: zebraRegtestToml() }] : [],
    },
    // With cookie auth off there is no cookie and the check passes at once, as upstream.
    cookieCheck: regtest ? ["CMD", "true"] : ["CMD", "test", "-r", "/var/run/auth/.cookie"],
    zallet: {
      consensus: ({ Mainnet: "main", Testnet: "test", Regtest: "regtest" } as const)[network],
      regtestNuparams: regtest ? zalletRegtestNuparams() : undefined,
      orchardActionsLimit: regtest ? 250 : undefined,
    },
  };
}
