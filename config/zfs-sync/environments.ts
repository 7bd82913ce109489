/**
 * The shipped ZFS Sync settings per environment. Values follow upstream `nickilby/zfs_sync` @ 4363d1b
 * (`docker-compose.yml`, `docker-compose.prod.yml`) unless a comment says otherwise.
 */
import type { EnvironmentName, LoggingSettings } from "../common";
import type { ZfsSyncProxySettings, ZfsSyncSettings } from "./schema";

/** Upstream base logging (`docker-compose.yml`; postgres in `docker-compose.prod.yml`). */
const BASE_LOGS: LoggingSettings = { maxSizeMiB: 10, maxFiles: 3, compress: false };
/** Upstream production app logging (`docker-compose.prod.yml`). */
const PROD_LOGS: LoggingSettings = { maxSizeMiB: 50, maxFiles: 5, compress: true };

/** Dev: the pinned upstream release, 0.2.0 @ 4363d1b (no migration job: it has no alembic.ini). */
const DEV_IMAGES: ZfsSyncSettings["images"] = {
  // Upstream publishes no image: build it from the upstream checkout and tag it (see docs/zfs-sync.md).
  app: "zfs-sync:0.2.0",
  postgres: "postgres:15-alpine",
  // nginx's own unprivileged build: runs as UID 101, no capabilities needed to listen on 8443.
  proxy: "nginxinc/nginx-unprivileged:1.28.0-alpine",
};

/**
 * Staging and production run the migration job, so their app image is built from upstream 8569323,
 * which ships alembic.ini and alembic/env.py (docs/zfs-sync.md has the build command).
 */
const IMAGES: ZfsSyncSettings["images"] = { ...DEV_IMAGES, app: "zfs-sync:8569323" };

/** Production override limits: app 2.0 CPU / 1G, postgres 1.0 / 512M. */
const PROD_RESOURCES: ZfsSyncSettings["resources"] = {
  app: { memoryMiB: 1024, cpus: 2 },
  postgres: { memoryMiB: 512, cpus: 1 },
  // Not upstream (no migration job, no proxy upstream): sized for one Alembic run and one nginx worker set.
  migrate: { memoryMiB: 512, cpus: 1 },
  proxy: { memoryMiB: 128, cpus: 0.5 },
};

const PROXY: ZfsSyncProxySettings = {
  httpsPort: 443,
  requestsPerSecond: 10,
  // The dashboard page loads its HTML, CSS, five scripts and several API calls at once.
  burst: 40,
  maxRequestBodyMiB: 16,
  hstsMaxAgeSeconds: 31536000,
  waitForHealthySeconds: 180,
};

/** The shipped ZFS Sync settings per environment (referenced from `config/environments.ts`). */
export const ZFS_SYNC_SETTINGS: Readonly<Record<EnvironmentName, ZfsSyncSettings>> = {
  // Upstream base stack: one container, SQLite, port 8000.
  dev: {
    images: DEV_IMAGES,
    database: { kind: "sqlite" },
    migrations: false,
    logLevel: "INFO",
    debug: false,
    appHostPort: 8000,
    resources: { app: { memoryMiB: 512, cpus: 1 } },
    logging: { default: BASE_LOGS },
  },
  // Upstream has no staging: it mirrors production (PostgreSQL, production limits and logs) behind the proxy.
  staging: {
    images: IMAGES,
    database: { kind: "postgres", waitForHealthySeconds: 120 },
    migrations: true,
    logLevel: "INFO",
    debug: false,
    appWaitForHealthySeconds: 150,
    proxy: { ...PROXY, hstsMaxAgeSeconds: 86400 },
    // On the staging swarm: two app and two proxy tasks on any nodes, PostgreSQL on the data node.
    deployment: { target: "swarm", replicas: { app: 2, proxy: 2 } },
    resources: PROD_RESOURCES,
    logging: { default: BASE_LOGS, overrides: { app: PROD_LOGS, proxy: PROD_LOGS } },
  },
  // Upstream base + docker-compose.prod.yml.
  production: {
    images: IMAGES,
    database: { kind: "postgres", waitForHealthySeconds: 120 },
    migrations: true,
    logLevel: "INFO",
    debug: false,
    appWaitForHealthySeconds: 150,
    proxy: PROXY,
    resources: PROD_RESOURCES,
    logging: { default: BASE_LOGS, overrides: { app: PROD_LOGS, proxy: PROD_LOGS } },
  },
};
