/**
 * ZFS Sync settings: types, the shipped data per environment, and the validator registered in
 * `SYSTEM_VALIDATORS`. Values follow upstream `nickilby/zfs_sync` @ 4363d1b (`docker-compose.yml`,
 * `docker-compose.prod.yml`) unless a comment says otherwise.
 */
import type { EnvironmentName, EnvironmentSettings, LoggingSettings, ResourceLimits } from "./types";
import type { SettingsChecker } from "./validate";

/** The containers of the system: the API, its database, the migration job and the TLS proxy. */
export type ZfsSyncServiceName = "app" | "postgres" | "migrate" | "proxy";
export const ZFS_SYNC_SERVICE_NAMES: readonly ZfsSyncServiceName[] = ["app", "postgres", "migrate", "proxy"];

/** Images: the app image also runs the migration job. */
export type ZfsSyncImageName = "app" | "postgres" | "proxy";
export const ZFS_SYNC_IMAGE_NAMES: readonly ZfsSyncImageName[] = ["app", "postgres", "proxy"];

/** Upstream `Settings.log_level` accepts exactly these. */
export type ZfsSyncLogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";
export const ZFS_SYNC_LOG_LEVELS: readonly ZfsSyncLogLevel[] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/**
 * Where the app keeps its data. `sqlite` is upstream's base stack (one container, `/data/zfs_sync.db`);
 * `postgres` is upstream's production override (PostgreSQL 15, health-gated start).
 */
export type ZfsSyncDatabaseSettings =
  | {
      readonly kind: "sqlite";
      /**
       * Absolute host path bind-mounted at `/data` (upstream uses `/var/lib/zfs-sync`; it must exist
       * and be owned by UID 1001 on the Docker host). Unset: a named volume `zfs-sync-<env>-data`.
       */
      readonly hostPath?: string;
    }
  | {
      readonly kind: "postgres";
      /** Seconds Terraform waits for `pg_isready` before creating the migration job and the app. */
      readonly waitForHealthySeconds: number;
    };

/** The TLS-terminating reverse proxy (nginx) in front of the API. */
export interface ZfsSyncProxySettings {
  /** Host port the proxy publishes on every interface (HTTPS). */
  readonly httpsPort: number;
  /** Per-client-address request rate (nginx `limit_req_zone … rate=`), requests per second. */
  readonly requestsPerSecond: number;
  /** Requests above the rate served at once before answering 429 (nginx `limit_req … burst= nodelay`). */
  readonly burst: number;
  /** Largest request body accepted (nginx `client_max_body_size`), in MiB. */
  readonly maxRequestBodyMiB: number;
  /** `Strict-Transport-Security: max-age=`, in seconds. */
  readonly hstsMaxAgeSeconds: number;
  /** Seconds Terraform waits for the proxy's health check (TLS → app → database readiness). */
  readonly waitForHealthySeconds: number;
}

export interface ZfsSyncSettings {
  /** Default image references; each is overridable at deploy time by a `<name>_image` variable. */
  readonly images: Readonly<Record<ZfsSyncImageName, string>>;
  readonly database: ZfsSyncDatabaseSettings;
  /**
   * Run `alembic upgrade head` in a one-shot container before the app starts. Needs an app image
   * built from an upstream commit that ships `alembic.ini` (b1961a5 or later; 0.2.0 @ 4363d1b has none).
   */
  readonly migrations: boolean;
  /** `ZFS_SYNC_LOG_LEVEL`. */
  readonly logLevel: ZfsSyncLogLevel;
  /** `ZFS_SYNC_DEBUG` (SQL echo, verbose errors). */
  readonly debug: boolean;
  /** Host port for the API on 127.0.0.1 (upstream `8000:8000`). Unset: the app publishes no port. */
  readonly appHostPort?: number;
  /** Seconds Terraform waits for the app's health check before creating what depends on it. Unset: no wait. */
  readonly appWaitForHealthySeconds?: number;
  /** Unset: no proxy (the API is reached on `appHostPort`). */
  readonly proxy?: ZfsSyncProxySettings;
  /** Limits per deployed service. */
  readonly resources: Readonly<Partial<Record<ZfsSyncServiceName, ResourceLimits>>>;
  /** json-file rotation per service. */
  readonly logging: Readonly<Record<ZfsSyncServiceName, LoggingSettings>>;
}

/** Upstream base logging (`docker-compose.yml`; postgres in `docker-compose.prod.yml`). */
const BASE_LOGS: LoggingSettings = { maxSizeMiB: 10, maxFiles: 3, compress: false };
/** Upstream production app logging (`docker-compose.prod.yml`). */
const PROD_LOGS: LoggingSettings = { maxSizeMiB: 50, maxFiles: 5, compress: true };

const IMAGES: ZfsSyncSettings["images"] = {
  // Upstream publishes no image: build it from the upstream checkout and tag it (see docs/zfs-sync.md).
  app: "zfs-sync:0.2.0",
  postgres: "postgres:15-alpine",
  // nginx's own unprivileged build: runs as UID 101, no capabilities needed to listen on 8443.
  proxy: "nginxinc/nginx-unprivileged:1.28.0-alpine",
};

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
    images: IMAGES,
    database: { kind: "sqlite" },
    migrations: false,
    logLevel: "INFO",
    debug: false,
    appHostPort: 8000,
    resources: { app: { memoryMiB: 512, cpus: 1 } },
    logging: { app: BASE_LOGS, postgres: BASE_LOGS, migrate: BASE_LOGS, proxy: BASE_LOGS },
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
    resources: PROD_RESOURCES,
    logging: { app: PROD_LOGS, postgres: BASE_LOGS, migrate: BASE_LOGS, proxy: PROD_LOGS },
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
    logging: { app: PROD_LOGS, postgres: BASE_LOGS, migrate: BASE_LOGS, proxy: PROD_LOGS },
  },
};

/** The services a settings object deploys. */
export function zfsSyncDeployedServices(z: ZfsSyncSettings): ZfsSyncServiceName[] {
  return ZFS_SYNC_SERVICE_NAMES.filter((name) => {
    if (name === "postgres") return z.database?.kind === "postgres";
    if (name === "migrate") return z.migrations === true;
    if (name === "proxy") return z.proxy !== undefined;
    return true;
  });
}

const port = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;

/** Validates `settings.zfsSync`; registered in `SYSTEM_VALIDATORS`. */
export function validateZfsSync(s: EnvironmentSettings, c: SettingsChecker): void {
  const z = s.zfsSync;
  if (z === undefined || z === null) {
    c.check(false, "zfsSync", z, "the ZFS Sync settings object");
    return;
  }
  for (const name of ZFS_SYNC_IMAGE_NAMES) c.image(z.images?.[name], `zfsSync.images.${name}`, s.requirePinnedImages);

  const db = z.database;
  c.oneOf(db?.kind, ["sqlite", "postgres"] as const, "zfsSync.database.kind");
  if (s.name !== "dev") {
    c.check(db?.kind === "postgres", "zfsSync.database.kind", db?.kind, '"postgres" outside dev (upstream\'s production override; SQLite is the single-container base stack)');
  }
  if (db?.kind === "sqlite" && db.hostPath !== undefined) {
    c.check(
      typeof db.hostPath === "string" && /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(db.hostPath) && !db.hostPath.split("/").includes(".."),
      "zfsSync.database.hostPath",
      db.hostPath,
      "an absolute host directory such as /var/lib/zfs-sync (no '..', not '/')",
    );
  }
  if (db?.kind === "postgres") c.positiveInteger(db.waitForHealthySeconds, "zfsSync.database.waitForHealthySeconds", 10);

  c.boolean(z.migrations, "zfsSync.migrations");
  c.oneOf(z.logLevel, ZFS_SYNC_LOG_LEVELS, "zfsSync.logLevel");
  c.boolean(z.debug, "zfsSync.debug");
  if (s.name === "production") {
    c.check(z.debug === false, "zfsSync.debug", z.debug, "false in the production environment (upstream docker-compose.prod.yml sets ZFS_SYNC_DEBUG=false)");
  }

  if (z.appHostPort !== undefined) {
    c.check(port(z.appHostPort), "zfsSync.appHostPort", z.appHostPort, "an integer from 1 to 65535");
    c.check(z.proxy === undefined, "zfsSync.appHostPort", z.appHostPort, "unset when zfsSync.proxy is set (the API is reached only through the TLS proxy)");
  }
  c.check(z.appHostPort !== undefined || z.proxy !== undefined, "zfsSync.proxy", z.proxy, "a proxy, or zfsSync.appHostPort (otherwise the API is unreachable from outside Docker)");
  if (z.appWaitForHealthySeconds !== undefined) c.positiveInteger(z.appWaitForHealthySeconds, "zfsSync.appWaitForHealthySeconds", 10);

  if (s.name !== "dev") {
    c.check(z.proxy !== undefined, "zfsSync.proxy", z.proxy, "a TLS proxy outside dev (the API carries API keys and must not be served in clear text)");
  }
  const p = z.proxy;
  if (p !== undefined) {
    c.check(port(p.httpsPort), "zfsSync.proxy.httpsPort", p.httpsPort, "an integer from 1 to 65535");
    c.positiveInteger(p.requestsPerSecond, "zfsSync.proxy.requestsPerSecond");
    c.positiveInteger(p.burst, "zfsSync.proxy.burst", 0);
    c.positiveInteger(p.maxRequestBodyMiB, "zfsSync.proxy.maxRequestBodyMiB");
    c.positiveInteger(p.hstsMaxAgeSeconds, "zfsSync.proxy.hstsMaxAgeSeconds", 0);
    c.positiveInteger(p.waitForHealthySeconds, "zfsSync.proxy.waitForHealthySeconds", 10);
  }

  for (const name of zfsSyncDeployedServices(z)) c.limits(z.resources?.[name], `zfsSync.resources.${name}`, s.requireResourceLimits);
  for (const name of Object.keys(z.resources ?? {})) {
    c.check((ZFS_SYNC_SERVICE_NAMES as readonly string[]).includes(name), `zfsSync.resources.${name}`, name, `a ZFS Sync service: ${ZFS_SYNC_SERVICE_NAMES.join(", ")}`);
  }
  for (const name of ZFS_SYNC_SERVICE_NAMES) {
    const lg = z.logging?.[name];
    c.positiveInteger(lg?.maxSizeMiB, `zfsSync.logging.${name}.maxSizeMiB`);
    c.positiveInteger(lg?.maxFiles, `zfsSync.logging.${name}.maxFiles`);
    c.boolean(lg?.compress, `zfsSync.logging.${name}.compress`);
  }
}
