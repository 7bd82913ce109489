import type { EnvironmentName } from "./common";
import type { EnvironmentSettingsInput } from "./settings";
import { JESSY_SETTINGS } from "./jessy/environments";
import { Z3_SETTINGS } from "./z3/environments";
import { ZFS_SYNC_SETTINGS } from "./zfs-sync/environments";

/** The shipped settings for each environment. Validated by `validateSettings` when the app starts. */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentSettingsInput>> = {
  dev: {
    name: "dev",
    jessy: JESSY_SETTINGS.dev,
    defaultDockerHost: "unix:///var/run/docker.sock",
    backend: { kind: "local" },
    policyPack: "baseline",
    requireResourceLimits: false,
    protectData: false,
    requirePinnedImages: false,
    // Backups run only where backup_repository is set (the e2e suite sets it).
    backup: {
      required: false,
      image: "z3-infra/backup:1",
      intervalMinutes: 60,
      maxAgeMinutes: 150,
      keep: { withinHours: 24, daily: 7, weekly: 0, monthly: 0 },
      rebuildable: "skip",
      logging: { default: { maxSizeMiB: 10, maxFiles: 3, compress: false } },
    },
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
    backup: {
      required: false,
      image: "z3-infra/backup:1.0.0",
      intervalMinutes: 360,
      maxAgeMinutes: 780,
      keep: { withinHours: 48, daily: 7, weekly: 4, monthly: 0 },
      rebuildable: "skip",
      // Limits like every staging Z3 service's (the runtime policy check reads them).
      resources: { memoryMiB: 512, cpus: 0.5 },
      logging: { default: { maxSizeMiB: 10, maxFiles: 3, compress: false } },
    },
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
    // Hourly, required: no production deploy without a backup destination.
    backup: {
      required: true,
      image: "z3-infra/backup:1.0.0",
      intervalMinutes: 60,
      maxAgeMinutes: 150,
      keep: { withinHours: 72, daily: 14, weekly: 8, monthly: 12 },
      rebuildable: "skip",
      resources: { memoryMiB: 512, cpus: 0.5 },
      logging: { default: { maxSizeMiB: 10, maxFiles: 3, compress: false } },
    },
    z3: Z3_SETTINGS.production,
    zfsSync: ZFS_SYNC_SETTINGS.production,
  },
};
