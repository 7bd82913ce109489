import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, Service } from "../../lib";
import { Suppressions } from "../../policy";
import { ServiceParts } from "../service-parts";
import { zalletToml } from "./config-files";
import { ConsumerContext, z3DataVolume, z3ServiceBasics } from "./context";

/**
 * Zallet, the wallet, on Zebra's RPC; its age identity comes from a sensitive variable. With an RPC
 * password (no cookie auth), Zallet also accepts Zebra's user on its own RPC (the rpc-router's calls).
 * The wallet volume is backed up as files, with the identity (useless apart).
 */
export function zalletService(scope: Construct, ctx: ConsumerContext): ServiceParts {
  const { profile } = ctx;
  const { ports } = profile;
  const data = z3DataVolume(scope, ctx, "ZalletVolume", "zallet");
  const identity = new Secret(scope, "ZalletIdentity", {
    variableName: "zallet_identity",
    description: "Zallet age identity (rage-keygen output, AGE-SECRET-KEY-1...); back it up with the zallet volume",
    minLength: 60,
  });
  const pwhash = ctx.rpcPassword
    ? new Secret(scope, "ZalletRpcPwhash", {
        variableName: "zallet_rpc_pwhash",
        description: "Zallet [[rpc.auth]] pwhash for user zebra on Regtest: <salt>$<hmac-sha256 of regtest_rpc_password>",
        minLength: 40,
      })
    : undefined;
  const zallet = new Service(scope, "Zallet", {
    ...z3ServiceBasics(ctx, "zallet"),
    resources: ctx.settings.resources.zallet,
    image: new ContainerImage(scope, "ZalletImage", { reference: ctx.images.zallet }),
    user: "1000:1000",
    command: ["--datadir", "/var/lib/zallet", "--config", "/etc/zallet/zallet.toml", "start"],
    environment: { RUST_LOG: "info,hyper_util=warn,reqwest=warn" },
    networks: [{ network: ctx.network, aliases: ["zallet"] }],
    // Config lives under /etc/zallet, never inside the data volume (z3 issue #9).
    volumes: [data.mount("/var/lib/zallet"), ...(profile.cookieAuth ? [ctx.cookieVolume.mount("/var/run/auth", { readOnly: true })] : [])],
    // With an RPC password (Regtest) the file carries it and the pwhash: it is delivered as a secret file.
    configFiles: [
      {
        containerPath: "/etc/zallet/zallet.toml",
        content: zalletToml({
          consensus: profile.zallet.consensus,
          regtestNuparams: profile.zallet.regtestNuparams,
          zebraRpcPort: ports.zebraRpc.container,
          zalletRpcPort: ports.zalletRpc.container,
          validatorCredentials: ctx.rpcPassword && { user: "zebra", password: ctx.rpcPassword.value },
          orchardActionsLimit: profile.zallet.orchardActionsLimit,
          rpcAuth: pwhash && { user: "zebra", pwhash: pwhash.value },
        }),
      },
    ],
    secretFiles: [identity.file("/etc/zallet/identity.txt")],
    ports: [{ containerPort: ports.zalletRpc.container, hostPort: ports.zalletRpc.host, kind: "rpc" }],
    // No health check: the distroless image has no shell or curl (upstream has none either).
    stopTimeoutSeconds: 15,
    dependsOn: [ctx.zebra, ctx.cookiePermissions],
    enabledWhen: ctx.consumersEnabledWhen,
  });
  Suppressions.of(zallet).add({
    id: "ContainerHealthCheckDefined",
    reason: "the distroless zallet image has no shell, curl or probe command to run a health check with (upstream z3 defines none either)",
  });
  return {
    service: zallet,
    volumes: [data],
    secrets: [identity, ...(pwhash ? [pwhash] : [])],
    backupSources: [{ kind: "files", volume: data, companions: [identity] }],
  };
}
