import { ZcashNetwork } from "../../config/z3/schema";

/** Container and host ports per network: z3 `z3-contract.yaml` port matrix at z3 HEAD. */
export interface Z3Ports {
  readonly zebraRpc: { readonly container: number; readonly host: number };
  /** Not published on Regtest (peerless). */
  readonly zebraP2p: { readonly container: number; readonly host?: number };
  readonly zebraHealth: { readonly container: number; readonly host: number };
  readonly zebraMetrics: { readonly container: number };
  readonly zainoGrpc: { readonly container: number; readonly host: number };
  readonly zainoJsonRpc: { readonly container: number; readonly host: number };
  readonly zalletRpc: { readonly container: number; readonly host: number };
  readonly rpcRouter: { readonly container: number; readonly host: number };
  readonly prometheus: { readonly container: number; readonly host: number };
  readonly grafana: { readonly container: number; readonly host: number };
  readonly alertmanager: { readonly container: number; readonly host: number };
}

export function z3Ports(network: ZcashNetwork): Z3Ports {
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
        zainoJsonRpc: { container: 8237, host: 8237 },
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
        zainoJsonRpc: { container: 8237, host: 18237 },
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
        zainoJsonRpc: { container: 8237, host: 28237 },
        zalletRpc: { container: 28232, host: 50232 },
        rpcRouter: { container: 8181, host: 8181 },
        prometheus: { container: 9090, host: 29094 },
        grafana: { container: 3000, host: 23000 },
        alertmanager: { container: 9093, host: 29093 },
      };
  }
}
