import { EnvironmentName, EnvironmentSettings, Z3Settings } from "./types";
import { JESSY_SETTINGS } from "./jessy";
import { ZFS_SYNC_SETTINGS } from "./zfs-sync";

/** Upstream z3 image pins (z3 docker-compose.yml @7c5a4bc); monitoring pins as upstream's monitoring profile. */
const Z3_IMAGES: Z3Settings["images"] = {
  zebra: "zfnd/zebra:5.0.0",
  cookiePermissions: "alpine:3",
  // The -no-tls build is what lets Zaino serve plaintext gRPC on 0.0.0.0 (see README deviations).
  zaino: "zingodevops/zainod:0.4.0-rc.2-no-tls",
  zallet: "electriccoinco/zallet:v0.1.0-alpha.3",
  // Upstream builds the router from z3's rpc-router/ directory; no published image exists.
  rpcRouter: "z3-rpc-router:local",
  prometheus: "prom/prometheus:v3.2.0",
  grafana: "grafana/grafana:11.5.1",
  alertmanager: "prom/alertmanager:v0.28.1",
};

/** The shipped settings for each environment. Validated by `validateSettings` when the app starts. */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  dev: {
    name: "dev",
    jessy: JESSY_SETTINGS.dev,
    defaultDockerHost: "unix:///var/run/docker.sock",
    backend: { kind: "local" },
    policyPack: "baseline",
    requireResourceLimits: false,
    protectData: false,
    requirePinnedImages: false,
    logging: { maxSizeMiB: 10, maxFiles: 3, compress: false },
    z3: {
      network: "Regtest",
      images: Z3_IMAGES,
      rpcRouter: true,
      monitoring: false,
      publishP2P: false,
      resources: {},
      // Upstream .env.regtest default miner address.
      minerAddress: "tmSRd1r8gs77Ja67Fw1JcdoXytxsyrLTPJm",
      zebraRustLog: "info",
      zebraWaitSeconds: 120,
    },
    zfsSync: ZFS_SYNC_SETTINGS.dev,
  },
  staging: {
    name: "staging",
    jessy: JESSY_SETTINGS.staging,
    backend: { kind: "pg", schemaName: "staging" },
    policyPack: "baseline",
    requireResourceLimits: false,
    protectData: false,
    requirePinnedImages: true,
    logging: { maxSizeMiB: 50, maxFiles: 5, compress: true },
    z3: {
      network: "Testnet",
      images: Z3_IMAGES,
      rpcRouter: false,
      monitoring: true,
      publishP2P: true,
      resources: {
        zebra: { memoryMiB: 8192, cpus: 4 },
        zaino: { memoryMiB: 4096, cpus: 2 },
        zallet: { memoryMiB: 2048, cpus: 1 },
        cookiePermissions: { memoryMiB: 32, cpus: 0.1 },
        prometheus: { memoryMiB: 1024, cpus: 1 },
        grafana: { memoryMiB: 512, cpus: 0.5 },
        alertmanager: { memoryMiB: 256, cpus: 0.25 },
      },
      zebraRustLog: "info",
    },
    zfsSync: ZFS_SYNC_SETTINGS.staging,
  },
  production: {
    name: "production",
    jessy: JESSY_SETTINGS.production,
    backend: { kind: "pg", schemaName: "production" },
    policyPack: "production",
    requireResourceLimits: true,
    protectData: true,
    requirePinnedImages: true,
    logging: { maxSizeMiB: 50, maxFiles: 5, compress: true },
    z3: {
      network: "Mainnet",
      images: Z3_IMAGES,
      rpcRouter: false,
      monitoring: true,
      publishP2P: true,
      resources: {
        // Zebra's requirements: recommended 4 CPU / 16 GB RAM.
        zebra: { memoryMiB: 16384, cpus: 4 },
        zaino: { memoryMiB: 4096, cpus: 2 },
        zallet: { memoryMiB: 2048, cpus: 1 },
        cookiePermissions: { memoryMiB: 32, cpus: 0.1 },
        prometheus: { memoryMiB: 2048, cpus: 1 },
        grafana: { memoryMiB: 512, cpus: 0.5 },
        alertmanager: { memoryMiB: 256, cpus: 0.25 },
      },
      zebraRustLog: "info",
    },
    zfsSync: ZFS_SYNC_SETTINGS.production,
  },
};
