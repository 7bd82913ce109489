import { Construct } from "../../lib/cdk";
import { Condition, ContainerImage, Network, Secret, Service } from "../../lib";
import { Z3Settings } from "../../config/z3/schema";
import { replicasOf } from "../../config/common";
import { Suppressions } from "../../policy";
import { NetworkProfile } from "./network-profile";

export interface RpcRouterParts {
  readonly network: Network;
  /** Image reference. */
  readonly image: string;
  readonly zebra: Service;
  readonly zallet: Service;
  /** Password of the RPC user `zebra` on Zebra and Zallet. */
  readonly rpcPassword: Secret;
  /** Gates the container (two-phase boot). @default - always deployed */
  readonly enabledWhen?: Condition;
}

/** The settings the router reads. */
export type RpcRouterSettings = Pick<Z3Settings, "logging" | "resources" | "deployment">;

/** z3's rpc-router: one RPC endpoint in front of Zebra and Zallet (upstream runs it on Regtest only). */
export function rpcRouterService(scope: Construct, profile: NetworkProfile, parts: RpcRouterParts, settings: RpcRouterSettings): Service {
  const { ports } = profile;
  const router = new Service(scope, "RpcRouter", {
    logging: settings.logging,
    name: `${profile.namePrefix}-rpc-router`,
    // Stateless: it forwards each request to Zebra or Zallet.
    replicas: replicasOf(settings.deployment, "rpcRouter"),
    image: new ContainerImage(scope, "RpcRouterImage", { reference: parts.image }),
    // Distroless cc-debian12 ships the nonroot user 65532; the router needs no privileges.
    user: "65532:65532",
    environment: {
      ZEBRA_URL: `http://zebra:${ports.zebraRpc.container}`,
      ZALLET_URL: `http://zallet:${ports.zalletRpc.container}`,
      RPC_USER: "zebra",
      // Upstream reads the password from the environment only; it comes from a sensitive variable.
      RPC_PASSWORD: parts.rpcPassword.value,
      LISTEN_PORT: String(ports.rpcRouter.container),
    },
    networks: [{ network: parts.network, aliases: ["rpc-router"] }],
    ports: [{ containerPort: ports.rpcRouter.container, hostPort: ports.rpcRouter.host, kind: "rpc" }],
    dependsOn: [parts.zebra, parts.zallet],
    enabledWhen: parts.enabledWhen,
    resources: settings.resources.rpcRouter,
  });
  Suppressions.of(router).add({
    id: "ContainerEnvironmentReadsNoSecretVariable",
    reason:
      "upstream's rpc-router reads RPC_PASSWORD from its environment only (no file option); the router runs on Regtest only, where the password guards a test chain",
  });
  return router;
}
