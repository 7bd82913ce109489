import { Construct } from "../../lib/cdk";
import { ContainerImage, Service } from "../../lib";
import { scrapeTargetOf, ServiceParts } from "../service-parts";
import { Z3Context, z3DataVolume, z3ServiceBasics } from "./context";

/**
 * Zebra: starts as root; its entrypoint chowns the state and cookie dirs and drops to 10001
 * with setpriv, hence CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID (z3 x-common + zebra service).
 * Its chain volume is rebuildable: Zebra re-syncs it from its peers.
 */
export function zebraService(scope: Construct, ctx: Z3Context): ServiceParts {
  const { profile, settings } = ctx;
  const { ports } = profile;
  const chain = z3DataVolume(scope, ctx, "ChainVolume", "chain");
  const environment: Record<string, string> = {
    ...profile.zebra.environment,
    ZEBRA_RPC__LISTEN_ADDR: `0.0.0.0:${ports.zebraRpc.container}`,
    ZEBRA_RPC__COOKIE_DIR: "/var/run/auth",
    ZEBRA_STATE__CACHE_DIR: "/home/zebra/.cache/zebra",
    ZEBRA_HEALTH__LISTEN_ADDR: `0.0.0.0:${ports.zebraHealth.container}`,
    ZEBRA_HEALTH__READY_MAX_BLOCKS_BEHIND: "2",
    ZEBRA_METRICS__ENDPOINT_ADDR: `0.0.0.0:${ports.zebraMetrics.container}`,
    // zebrad reads its log filter from its configuration only (`[tracing] filter`), never RUST_LOG.
    ZEBRA_TRACING__FILTER: settings.zebraLogFilter,
  };
  if (profile.zebra.mines && settings.minerAddress) environment.ZEBRA_MINING__MINER_ADDRESS = settings.minerAddress;
  const p2pHostPort = settings.publishP2P ? ports.zebraP2p.host : undefined;
  const zebra = new Service(scope, "Zebra", {
    ...z3ServiceBasics(ctx, "zebra"),
    resources: ctx.settings.resources.zebra,
    image: new ContainerImage(scope, "ZebraImage", { reference: ctx.images.zebra }),
    rootReason: "zebra's entrypoint chowns its state and cookie directories, then drops to UID 10001 with setpriv",
    dropsToUser: "10001:10001",
    capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    environment,
    networks: [{ network: ctx.network, aliases: ["zebra"] }],
    volumes: [chain.mount("/home/zebra/.cache/zebra"), ctx.cookieVolume.mount("/var/run/auth")],
    configFiles: profile.zebra.configFiles,
    ports: [
      { containerPort: ports.zebraRpc.container, hostPort: ports.zebraRpc.host, kind: "rpc" },
      { containerPort: ports.zebraHealth.container, hostPort: ports.zebraHealth.host, kind: "http" },
      // Inbound peers (upstream zebra PR #10464): the only port on every host interface.
      ...(p2pHostPort !== undefined
        ? [{ containerPort: ports.zebraP2p.container, hostPort: p2pHostPort, kind: "p2p" as const, public: true }]
        : []),
    ],
    healthCheck: profile.zebra.healthCheck,
    waitForHealthySeconds: settings.zebraWaitSeconds,
    metrics: { port: ports.zebraMetrics.container },
    stopTimeoutSeconds: 30,
  });
  return {
    service: zebra,
    volumes: [chain],
    backupSources: [
      {
        kind: "rebuildable",
        volume: chain,
        why: "Zebra re-syncs the chain from its peers (minutes on Regtest, hours on Testnet, days on Mainnet)",
      },
    ],
    scrapeTargets: scrapeTargetOf(zebra, "zebra"),
  };
}
