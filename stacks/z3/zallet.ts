import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, Service } from "../../lib";
import { Z3Settings } from "../../config/z3/schema";
import { Suppressions } from "../../policy";
import { zalletToml } from "./config-files";
import { ConsumerParts } from "./consumer-parts";
import { NetworkProfile } from "./network-profile";

/** The settings Zallet reads. */
export type ZalletSettings = Pick<Z3Settings, "logging" | "resources">;

/**
 * Zallet, the wallet, on Zebra's RPC; its age identity comes from a sensitive variable. With an RPC
 * password (no cookie auth), Zallet also accepts Zebra's user on its own RPC (the rpc-router's calls).
 */
export function zalletService(scope: Construct, profile: NetworkProfile, parts: ConsumerParts, settings: ZalletSettings): Service {
  const { ports } = profile;
  const identity = new Secret(scope, "ZalletIdentity", {
    variableName: "zallet_identity",
    description: "Zallet age identity (rage-keygen output, AGE-SECRET-KEY-1...); back it up with the zallet volume",
    minLength: 60,
  });
  const pwhash = parts.rpcPassword
    ? new Secret(scope, "ZalletRpcPwhash", {
        variableName: "zallet_rpc_pwhash",
        description: "Zallet [[rpc.auth]] pwhash for user zebra on Regtest: <salt>$<hmac-sha256 of regtest_rpc_password>",
        minLength: 40,
      })
    : undefined;
  const zallet = new Service(scope, "Zallet", {
    logging: settings.logging,
    name: `${profile.namePrefix}-zallet`,
    image: new ContainerImage(scope, "ZalletImage", { reference: parts.image }),
    user: "1000:1000",
    command: ["--datadir", "/var/lib/zallet", "--config", "/etc/zallet/zallet.toml", "start"],
    environment: { RUST_LOG: "info,hyper_util=warn,reqwest=warn" },
    networks: [{ network: parts.network, aliases: ["zallet"] }],
    // Config lives under /etc/zallet, never inside the data volume (z3 issue #9).
    volumes: [
      parts.dataVolume.mount("/var/lib/zallet"),
      ...(profile.cookieAuth ? [parts.cookieVolume.mount("/var/run/auth", { readOnly: true })] : []),
    ],
    // With an RPC password (Regtest) the file carries it and the pwhash: it is delivered as a secret file.
    configFiles: [
      {
        containerPath: "/etc/zallet/zallet.toml",
        content: zalletToml({
          consensus: profile.zallet.consensus,
          regtestNuparams: profile.zallet.regtestNuparams,
          zebraRpcPort: ports.zebraRpc.container,
          zalletRpcPort: ports.zalletRpc.container,
          validatorCredentials: parts.rpcPassword && { user: "zebra", password: parts.rpcPassword.value },
          orchardActionsLimit: profile.zallet.orchardActionsLimit,
          rpcAuth: pwhash && { user: "zebra", pwhash: pwhash.value },
        }),
      },
    ],
    secretFiles: [identity.file("/etc/zallet/identity.txt")],
    ports: [{ containerPort: ports.zalletRpc.container, hostPort: ports.zalletRpc.host, kind: "rpc" }],
    // No health check: the distroless image has no shell or curl (upstream has none either).
    stopTimeoutSeconds: 15,
    dependsOn: [parts.zebra, parts.cookiePermissions],
    enabledWhen: parts.enabledWhen,
    resources: settings.resources.zallet,
  });
  Suppressions.of(zallet).add({
    id: "ContainerHealthCheckDefined",
    reason: "the distroless zallet image has no shell, curl or probe command to run a health check with (upstream z3 defines none either)",
  });
  return zallet;
}
