import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, Service } from "../../lib";
import { replicasOf } from "../../config/common";
import { Suppressions } from "../../policy";
import { ServiceParts } from "../service-parts";
import { Z3Context, z3ServiceBasics } from "./context";

/** What the router is wired to besides the shared parts. */
export interface RpcRouterContext extends Z3Context {
  readonly zebra: Service;
  readonly zallet: Service;
  /** Password of the RPC user `zebra` on Zebra and Zallet. */
  readonly rpcPassword: Secret;
}

/** z3's rpc-router: one RPC endpoint in front of Zebra and Zallet (upstream runs it on Regtest only). */
export function rpcRouterService(scope: Construct, ctx: RpcRouterContext): ServiceParts {
  const { ports } = ctx.profile;
  const router = new Service(scope, "RpcRouter", {
    ...z3ServiceBasics(ctx, "rpcRouter"),
    resources: ctx.settings.resources.rpcRouter,
    // Stateless: it forwards each request to Zebra or Zallet.
    replicas: replicasOf(ctx.settings.deployment, "rpcRouter"),
    image: new ContainerImage(scope, "RpcRouterImage", { reference: ctx.images.rpcRouter }),
    // Distroless cc-debian12 ships the nonroot user 65532; the router needs no privileges.
    user: "65532:65532",
    environment: {
      ZEBRA_URL: `http://zebra:${ports.zebraRpc.container}`,
      ZALLET_URL: `http://zallet:${ports.zalletRpc.container}`,
      RPC_USER: "zebra",
      // Upstream reads the password from the environment only; it comes from a sensitive variable.
      RPC_PASSWORD: ctx.rpcPassword.value,
      LISTEN_PORT: String(ports.rpcRouter.container),
    },
    networks: [{ network: ctx.network, aliases: ["rpc-router"] }],
    ports: [{ containerPort: ports.rpcRouter.container, hostPort: ports.rpcRouter.host, kind: "rpc" }],
    dependsOn: [ctx.zebra, ctx.zallet],
    enabledWhen: ctx.consumersEnabledWhen,
  });
  Suppressions.of(router).add({
    id: "ContainerEnvironmentReadsNoSecretVariable",
    reason:
      "upstream's rpc-router reads RPC_PASSWORD from its environment only (no file option); the router runs on Regtest only, where the password guards a test chain",
  });
  return { service: router };
}
