import type { EnvironmentName } from "./common";
import type { EnvironmentSettings } from "./settings";
import { JESSY_SETTINGS } from "./jessy/environments";
import { Z3_SETTINGS } from "./z3/environments";
import { ZFS_SYNC_SETTINGS } from "./zfs-sync/environments";

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
    z3: Z3_SETTINGS.dev,
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
    // Jessy and ZFS Sync run on the staging swarm. dnsrr works on every kernel (the ingress mesh needs
    // IPVS); overlay encryption is required in production only.
    swarm: { endpointMode: "dnsrr", encryptOverlay: false, dataNodeLabel: "z3-infra.data" },
    z3: Z3_SETTINGS.staging,
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
    z3: Z3_SETTINGS.production,
    zfsSync: ZFS_SYNC_SETTINGS.production,
  },
};
