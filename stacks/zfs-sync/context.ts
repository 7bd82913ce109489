import { BindMount, ContainerImage, HealthCheck, Network, NetworkAttachment, Secret, Service, Volume, VolumeMount } from "../../lib";
import { loggingOf } from "../../config/common";
import type { ZfsSyncServiceName, ZfsSyncSettings } from "../../config/zfs-sync/schema";
import { ZFS_SYNC_SERVICES } from "../../config/zfs-sync/services";

/** Upstream Dockerfile: `USER zfssync`, UID/GID 1001 (since 8d33dbc). */
export const APP_USER = "1001:1001";
/** The upstream image's CMD listens here (`uvicorn … --port 8000`). */
export const APP_PORT = 8000;
/** Upstream `docker-compose.prod.yml`: POSTGRES_USER and POSTGRES_DB. */
export const DB_USER = "zfssync";
export const DB_NAME = "zfssync";
export const DB_PORT = 5432;
export const API_PREFIX = "/api/v1";

/** Upstream healthcheck (compose and Dockerfile): curl -f /api/v1/health, 30s / 10s / 3 / 40s. */
export const APP_HEALTH: HealthCheck = {
  test: ["CMD", "curl", "-f", `http://localhost:${APP_PORT}${API_PREFIX}/health`],
  intervalSeconds: 30,
  timeoutSeconds: 10,
  retries: 3,
  startPeriodSeconds: 40,
};

/** The app's database as the app and the migration job reach it. */
export interface AppDatabase {
  /** `database_url` of zfs_sync.yaml (with the password, when there is one, as a Terraform expression). */
  readonly url: string;
  readonly mounts: readonly VolumeMount[];
  readonly binds: readonly BindMount[];
  /** The SQLite data volume (named-volume variant) or PostgreSQL's. @default - a bind-mounted host directory */
  readonly volume?: Volume;
  /** PostgreSQL's password. @default - SQLite: none */
  readonly password?: Secret;
}

/** What every ZFS Sync service builder reads: the settings and the parts the services share. */
export interface ZfsSyncContext {
  readonly settings: ZfsSyncSettings;
  /** Prefix of every Docker name. */
  readonly namePrefix: string;
  /** App, database and migration job; internal. */
  readonly network: Network;
  /** The app image, also run by the migration job. */
  readonly appImage: ContainerImage;
  readonly database: AppDatabase;
  /** Image reference per image: the stack's variables, defaulting to the settings'. */
  readonly images: Readonly<Record<"postgres" | "proxy", string>>;
}

/** What the app is wired to besides the shared parts. */
export interface AppContext extends ZfsSyncContext {
  /** Its networks: the shared one, and the edge (when it publishes a port) or the proxy's. */
  readonly networks: readonly NetworkAttachment[];
  readonly postgres?: Service;
  readonly migrate?: Service;
}

/** The Service props every ZFS Sync service takes from the catalog and the logging settings: Docker name and log rotation. */
export function zfsSyncServiceBasics(ctx: ZfsSyncContext, service: ZfsSyncServiceName) {
  return { name: `${ctx.namePrefix}-${ZFS_SYNC_SERVICES[service].name}`, logging: loggingOf(ctx.settings.logging, service) };
}

/** The environment of the app and the migration job: upstream's variables, effective now that a config file is found (they override its keys). */
export function appEnvironment(settings: ZfsSyncSettings): Record<string, string> {
  return {
    ZFS_SYNC_HOST: "0.0.0.0",
    ZFS_SYNC_PORT: String(APP_PORT),
    ZFS_SYNC_LOG_LEVEL: settings.logLevel,
    ZFS_SYNC_DEBUG: String(settings.debug),
    // The start-up check otherwise creates ./logs under the read-only /app.
    ZFS_SYNC_LOG_DIR: "/logs",
    PYTHONDONTWRITEBYTECODE: "1",
  };
}
