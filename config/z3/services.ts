/**
 * The Z3 services, each declared once: its image variable, when the settings deploy it, whether it
 * may be replicated and whether it is stateful. The schema (`images`, `resources`, `logging`,
 * `deployment.replicas` keys and the production limits), the stack's image variables and the
 * README's service table derive from it.
 */
import type { ServiceCatalog } from "../catalog";

/** The settings that decide which Z3 services are deployed (a part of `Z3Settings`). */
export interface Z3Switches {
  readonly rpcRouter: boolean;
  readonly monitoring: boolean;
  readonly images: { readonly [service: string]: string };
}

const always = { deployedWhen: () => true, deployedWhenText: "always" };
const withMonitoring = { deployedWhen: (z3: Z3Switches) => z3.monitoring, deployedWhenText: "`z3.monitoring`" };
const image = (key: string, variable = key) => ({ variable, reference: (z3: Z3Switches) => z3.images[key] });

export const Z3_SERVICES = {
  zebra: { summary: "Zebra full node", name: "zebra", image: image("zebra"), ...always, replicable: false, stateful: true },
  cookiePermissions: {
    summary: "makes Zebra's RPC cookie readable for Zaino and Zallet",
    name: "cookie-permissions",
    image: image("cookiePermissions", "cookie_permissions"),
    ...always,
    replicable: false,
    stateful: false,
  },
  zaino: {
    summary: "Zaino indexer (gRPC for light clients)",
    name: "zaino",
    image: image("zaino"),
    ...always,
    replicable: false,
    stateful: true,
  },
  zallet: { summary: "Zallet wallet", name: "zallet", image: image("zallet"), ...always, replicable: false, stateful: true },
  rpcRouter: {
    summary: "one RPC endpoint in front of Zebra and Zallet (Regtest)",
    name: "rpc-router",
    image: image("rpcRouter", "rpc_router"),
    deployedWhen: (z3: Z3Switches) => z3.rpcRouter,
    deployedWhenText: "`z3.rpcRouter`",
    replicable: true,
    stateful: false,
  },
  prometheus: {
    summary: "metrics and alert rules",
    name: "prometheus",
    image: image("prometheus"),
    ...withMonitoring,
    replicable: false,
    stateful: true,
  },
  grafana: { summary: "dashboards", name: "grafana", image: image("grafana"), ...withMonitoring, replicable: false, stateful: true },
  alertmanager: {
    summary: "alert routing to the receivers of `z3.alerting`",
    name: "alertmanager",
    image: image("alertmanager"),
    ...withMonitoring,
    replicable: false,
    stateful: true,
  },
} as const satisfies ServiceCatalog<string, Z3Switches>;
