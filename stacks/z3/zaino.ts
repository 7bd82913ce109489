import { Construct } from "../../lib/cdk";
import { ContainerImage, Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { zainoToml } from "./config-files";
import { ConsumerContext, z3DataVolume, z3ServiceBasics } from "./context";

/**
 * Zaino (zainod 0.10.2), the indexer serving light clients over gRPC from Zebra's JSON-RPC
 * (`backend = "rpc"`). Its JSON-RPC server stays off: 0.10.2 refuses to bind it to 0.0.0.0 unless
 * built with `allow_unencrypted_public_json_rpc_bind` (the `-no-tls` build lifts only the gRPC rule),
 * and nothing in the stack calls it (Zebra serves JSON-RPC). Its index is rebuildable from Zebra.
 */
export function zainoService(scope: Construct, ctx: ConsumerContext): ServiceParts {
  const { profile } = ctx;
  const { ports } = profile;
  const data = z3DataVolume(scope, ctx, "ZainoVolume", "zaino");
  const zaino = new Service(scope, "Zaino", {
    ...z3ServiceBasics(ctx, "zaino"),
    resources: ctx.settings.resources.zaino,
    image: new ContainerImage(scope, "ZainoImage", { reference: ctx.images.zaino }),
    rootReason: "zaino's entrypoint (setpriv variant) chowns /app/data and /app/config, then drops to UID 1000",
    dropsToUser: "1000:1000",
    capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
    // /app/config is chowned by the entrypoint: a tmpfs keeps that working on a read-only root.
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/app/config": "rw,noexec,nosuid,size=1m" },
    command: ["start", "--config", "/etc/zaino/zindexer.toml"],
    environment: {
      ZAINO_NETWORK: profile.network,
      ZAINO_VALIDATOR_SETTINGS__VALIDATOR_JSONRPC_LISTEN_ADDRESS: `zebra:${ports.zebraRpc.container}`,
      ...(profile.cookieAuth ? { ZAINO_VALIDATOR_SETTINGS__VALIDATOR_COOKIE_PATH: "/var/run/auth/.cookie" } : {}),
      ZAINO_GRPC_SETTINGS__LISTEN_ADDRESS: `0.0.0.0:${ports.zainoGrpc.container}`,
      // Its database on the volume: 0.10.2 defaults to $XDG_CACHE_HOME/zaino, outside /app/data.
      ZAINO_STORAGE__DATABASE__PATH: "/app/data",
      RUST_LOG: "info,reqwest=warn,hyper_util=warn",
      RUST_BACKTRACE: "full",
    },
    networks: [{ network: ctx.network, aliases: ["zaino"] }],
    volumes: [data.mount("/app/data"), ...(profile.cookieAuth ? [ctx.cookieVolume.mount("/var/run/auth", { readOnly: true })] : [])],
    // With an RPC password (Regtest) the file carries it: it is delivered as a secret file.
    configFiles: [
      {
        containerPath: "/etc/zaino/zindexer.toml",
        content: zainoToml(ctx.rpcPassword && { user: "zebra", password: ctx.rpcPassword.value }),
      },
    ],
    ports: [{ containerPort: ports.zainoGrpc.container, hostPort: ports.zainoGrpc.host, kind: "grpc" }],
    healthCheck: {
      test: ["CMD-SHELL", `bash -c 'echo > /dev/tcp/127.0.0.1/${ports.zainoGrpc.container}'`],
      intervalSeconds: 30,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 60,
      startIntervalSeconds: 5,
    },
    stopTimeoutSeconds: 15,
    dependsOn: [ctx.zebra, ctx.cookiePermissions],
    enabledWhen: ctx.consumersEnabledWhen,
  });
  return {
    service: zaino,
    volumes: [data],
    backupSources: [{ kind: "rebuildable", volume: data, why: "Zaino rebuilds its index from Zebra" }],
  };
}
